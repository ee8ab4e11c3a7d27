package survey_test

import (
	"errors"
	"strings"
	"testing"

	"capsat/survey"
)

func TestNormalizeFrenchPhone(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"0612345678", "06 12 34 56 78", true},
		{"06 12 34 56 78", "06 12 34 56 78", true},
		{"06.12.34.56.78", "06 12 34 56 78", true},
		{"06-12-34-56-78", "06 12 34 56 78", true},
		{"+33612345678", "06 12 34 56 78", true},
		{"+33 6 12 34 56 78", "06 12 34 56 78", true},
		{"+33 (0)6 12 34 56 78", "06 12 34 56 78", true},
		{"0033 2 31 00 00 00", "02 31 00 00 00", true},
		{"+262 692 12 34 56", "06 92 12 34 56", true},
		{"+590 590 12 34 56", "05 90 12 34 56", true},
		{"061234567", "", false},          // 9 digits
		{"06123456789", "", false},        // 11 digits
		{"0012345678", "", false},         // 00 is not a French prefix
		{"+44 20 7946 0958", "", false},   // not French
		{"+33 06 12 34 56 78", "", false}, // trunk 0 after +33 without parentheses
		{"06 12 34 56 7a", "", false},
		{"6+12345678", "", false},
		{"", "", false},
	}
	for _, tc := range cases {
		got, ok := survey.NormalizeFrenchPhone(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeFrenchPhone(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func validOrder() survey.OrderInput {
	return survey.OrderInput{
		Reference: "BC-1", ServiceType: survey.ServiceMAD,
		Client:   survey.Client{Company: "Mairie de Vire", SIRET: "73282932000074", ContactName: "Mme Durand", Email: "durand@vire.fr", Phone: "0231000000"},
		JobTitle: "Agent d'entretien", StartDate: "2026-03-03", EndDate: "2026-03-14", Hours: 35,
	}
}

func TestOrderValidationFieldsAndCodes(t *testing.T) {
	t.Parallel()
	v := survey.NewValidator()
	cases := []struct {
		name        string
		edit        func(*survey.OrderInput)
		field, code string
	}{
		{"missing reference", func(in *survey.OrderInput) { in.Reference = "  " }, "reference", "required"},
		{"long reference", func(in *survey.OrderInput) { in.Reference = strings.Repeat("x", 65) }, "reference", "too_long"},
		{"unknown service", func(in *survey.OrderInput) { in.ServiceType = "interim" }, "service_type", "enum"},
		{"missing service", func(in *survey.OrderInput) { in.ServiceType = "" }, "service_type", "required"},
		{"missing company", func(in *survey.OrderInput) { in.Client.Company = "" }, "client.company", "required"},
		{"bad siret key", func(in *survey.OrderInput) { in.Client.SIRET = "73282932000075" }, "client.siret", "siret"},
		{"short siret", func(in *survey.OrderInput) { in.Client.SIRET = "7328293200007" }, "client.siret", "siret"},
		{"bad email", func(in *survey.OrderInput) { in.Client.Email = "durand@" }, "client.email", "email"},
		{"bad phone", func(in *survey.OrderInput) { in.Client.Phone = "12345" }, "client.phone", "phone"},
		{"bad start", func(in *survey.OrderInput) { in.StartDate = "03/03/2026" }, "start_date", "date"},
		{"missing start", func(in *survey.OrderInput) { in.StartDate = "" }, "start_date", "required"},
		{"impossible end", func(in *survey.OrderInput) { in.EndDate = "2026-02-30" }, "end_date", "date"},
		{"end before start", func(in *survey.OrderInput) { in.EndDate = "2026-03-02" }, "end_date", "end_before_start"},
		{"negative hours", func(in *survey.OrderInput) { in.Hours = -1 }, "hours", "range"},
		{"too many hours", func(in *survey.OrderInput) { in.Hours = 10001 }, "hours", "range"},
		{"long notes", func(in *survey.OrderInput) { in.Notes = strings.Repeat("é", 2001) }, "notes", "too_long"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := validOrder()
			tc.edit(&in)
			err := v.Order(&in)
			var verr *survey.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("want a validation error, got %v", err)
			}
			f, ok := verr.Fields[tc.field]
			if !ok || f.Code != tc.code || f.Message == "" {
				t.Fatalf("want %s/%s, got %+v", tc.field, tc.code, verr.Fields)
			}
			if len(verr.Fields) != 1 {
				t.Fatalf("only %s should fail: %+v", tc.field, verr.Fields)
			}
		})
	}
}

func TestOrderValidationNormalises(t *testing.T) {
	t.Parallel()
	in := validOrder()
	in.Reference = "  BC-9 "
	in.Client.SIRET = "732 829 320 00074"
	in.Client.Phone = "+33 2.31.00.00.00"
	in.Client.Email = " durand@vire.fr "
	in.EndDate = ""
	if err := survey.NewValidator().Order(&in); err != nil {
		t.Fatal(err)
	}
	if in.Reference != "BC-9" || in.Client.SIRET != "73282932000074" || in.Client.Phone != "02 31 00 00 00" || in.Client.Email != "durand@vire.fr" {
		t.Fatalf("not normalised: %+v", in)
	}
	// Households have no SIRET.
	in.Client.SIRET = ""
	if err := survey.NewValidator().Order(&in); err != nil {
		t.Fatalf("household: %v", err)
	}
	if !strings.Contains(survey.NewValidator().Order(&survey.OrderInput{}).Error(), "reference") {
		t.Fatal("empty input must name its fields")
	}
}

func questionnaireInput() survey.QuestionnaireInput {
	return survey.QuestionnaireInput{
		Title: "Votre avis", ServiceTypes: []survey.ServiceType{survey.ServiceMAD},
		Questions: survey.DefaultMADQuestions(),
	}
}

func TestQuestionnaireValidation(t *testing.T) {
	t.Parallel()
	v := survey.NewValidator()
	for i, q := range survey.DefaultQuestionnaires("x") {
		in := survey.QuestionnaireInput{Title: q.Title, Intro: q.Intro, ServiceTypes: q.ServiceTypes, Questions: q.Questions}
		if err := v.Questionnaire(&in); err != nil {
			t.Fatalf("default questionnaire %d: %v", i, err)
		}
	}
	choice := survey.Question{Code: "canal", Label: "Comment nous avez-vous connus ?", Type: survey.QuestionChoice, Choices: []string{"Bouche à oreille", "Internet"}}
	cases := []struct {
		name        string
		edit        func(*survey.QuestionnaireInput)
		field, code string
	}{
		{"no title", func(in *survey.QuestionnaireInput) { in.Title = " " }, "title", "required"},
		{"no question", func(in *survey.QuestionnaireInput) { in.Questions = nil }, "questions", "required"},
		{"no service type", func(in *survey.QuestionnaireInput) { in.ServiceTypes = []survey.ServiceType{} }, "service_types", "count"},
		{"unknown service type", func(in *survey.QuestionnaireInput) { in.ServiceTypes = []survey.ServiceType{"interim"} }, "service_types[0]", "enum"},
		{"service type twice", func(in *survey.QuestionnaireInput) {
			in.ServiceTypes = []survey.ServiceType{survey.ServiceMAD, survey.ServiceMAD}
		}, "service_types[1]", "duplicate"},
		{"duplicate code", func(in *survey.QuestionnaireInput) { in.Questions[1].Code = in.Questions[0].Code }, "questions[1].code", "duplicate"},
		{"bad code", func(in *survey.QuestionnaireInput) { in.Questions[0].Code = "Réactivité" }, "questions[0].code", "slug"},
		{"unknown type", func(in *survey.QuestionnaireInput) { in.Questions[0].Type = "slider" }, "questions[0].type", "enum"},
		{"unknown role", func(in *survey.QuestionnaireInput) { in.Questions[0].Role = "main" }, "questions[0].role", "enum"},
		{"no label", func(in *survey.QuestionnaireInput) { in.Questions[2].Label = "" }, "questions[2].label", "required"},
		{"no overall", func(in *survey.QuestionnaireInput) { in.Questions[6].Role = "" }, "questions", "overall_missing"},
		{"two overall", func(in *survey.QuestionnaireInput) { in.Questions[0].Role = survey.RoleOverall }, "questions[6].role", "role_duplicate"},
		{"overall not a scale", func(in *survey.QuestionnaireInput) { in.Questions[6].Type = survey.QuestionYesNo }, "questions[6].role", "role_type"},
		{"two reuse", func(in *survey.QuestionnaireInput) {
			in.Questions[0] = survey.Question{Code: "encore", Label: "Encore ?", Type: survey.QuestionYesNo, Role: survey.RoleReuse}
		}, "questions[7].role", "role_duplicate"},
		{"recommend not nps", func(in *survey.QuestionnaireInput) { in.Questions[8].Type = survey.QuestionScale }, "questions[8].role", "role_type"},
		{"choice without choices", func(in *survey.QuestionnaireInput) {
			c := choice
			c.Choices = []string{"Seul"}
			in.Questions = append(in.Questions, c)
		}, "questions[10].choices", "choices_missing"},
		{"duplicate choices", func(in *survey.QuestionnaireInput) {
			c := choice
			c.Choices = []string{"A", "A"}
			in.Questions = append(in.Questions, c)
		}, "questions[10].choices", "duplicate"},
		{"choices on a scale", func(in *survey.QuestionnaireInput) { in.Questions[0].Choices = []string{"A", "B"} }, "questions[0].choices", "choice_only"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := questionnaireInput()
			tc.edit(&in)
			var verr *survey.ValidationError
			if err := v.Questionnaire(&in); !errors.As(err, &verr) {
				t.Fatalf("want a validation error, got %v", err)
			}
			if f := verr.Fields[tc.field]; f.Code != tc.code || f.Message == "" {
				t.Fatalf("want %s/%s, got %+v", tc.field, tc.code, verr.Fields)
			}
		})
	}
	ok := questionnaireInput()
	ok.Questions = append(ok.Questions, choice)
	if err := v.Questionnaire(&ok); err != nil {
		t.Fatalf("valid choice question: %v", err)
	}
}

func BenchmarkOrderValidate(b *testing.B) {
	v := survey.NewValidator()
	for b.Loop() {
		in := validOrder()
		if err := v.Order(&in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOrderValidateFreshValidator(b *testing.B) {
	for b.Loop() {
		in := validOrder()
		if err := survey.NewValidator().Order(&in); err != nil {
			b.Fatal(err)
		}
	}
}
