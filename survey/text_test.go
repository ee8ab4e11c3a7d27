package survey_test

import (
	"errors"
	"strings"
	"testing"

	"capsat/survey"
)

func TestCleanText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in  string
		multiline bool
		want      string // the cleaned text
		refused   string // a part of the message, "" when accepted
	}{
		{"plain French", "Mairie d'Évreux – service « Espaces verts »", false, "Mairie d'Évreux – service « Espaces verts »", ""},
		{"emoji with joiner", "Très bien 👨‍🔧👍🏽", true, "Très bien 👨‍🔧👍🏽", ""},
		{"zero width space stripped", "BC\u200b-001", false, "BC-001", ""},
		{"byte order mark stripped", "\ufeffBoulangerie", false, "Boulangerie", ""},
		{"soft hyphen and word joiner stripped", "Agent d'entre\u00adtien\u2060", false, "Agent d'entretien", ""},
		{"space hidden behind a stripped character trimmed", "Garage \u200b", false, "Garage", ""},
		{"NUL", "Boulangerie\x00", false, "Boulangerie\x00", "caractère nul (U+0000)"},
		{"escape", "Garage\x1b[31m", false, "Garage\x1b[31m", "caractère de contrôle (U+001B)"},
		{"bell in multi-line text", "Merci\a", true, "Merci\a", "caractère de contrôle (U+0007)"},
		{"DEL", "abc\x7f", false, "abc\x7f", "caractère de contrôle (U+007F)"},
		{"C1 control", "abc\u0085", true, "abc\u0085", "caractère de contrôle (U+0085)"},
		{"right-to-left override", "facture\u202etxt.exe", false, "facture\u202etxt.exe", "inverse le sens du texte (U+202E)"},
		{"right-to-left isolate", "a\u2067b", true, "a\u2067b", "inverse le sens du texte (U+2067)"},
		{"left-to-right mark", "a\u200eb", false, "a\u200eb", "inverse le sens du texte (U+200E)"},
		{"tag character", "ok\U000E0041", true, "ok\U000E0041", "caractère invisible (U+E0041)"},
		{"line separator", "a\u2028b", true, "a\u2028b", "séparateur de ligne invisible (U+2028)"},
		{"line feed in one line", "Agent\nd'entretien", false, "Agent\nd'entretien", "tient sur une ligne"},
		{"tab in one line", "Agent\td'entretien", false, "Agent\td'entretien", "tabulation"},
		{"lines and tabs in multi-line text", "Bonjour,\r\n\tmerci.\nÀ bientôt", true, "Bonjour,\r\n\tmerci.\nÀ bientôt", ""},
		{"not UTF-8", "caf\xe9", false, "caf\xe9", "UTF-8"},
	}
	for _, tc := range cases {
		got, msg := survey.CleanText(tc.in, tc.multiline)
		if got != tc.want {
			t.Errorf("%s: cleaned %q, want %q", tc.name, got, tc.want)
		}
		switch {
		case tc.refused == "" && msg != "":
			t.Errorf("%s: refused: %s", tc.name, msg)
		case tc.refused != "" && !strings.Contains(msg, tc.refused):
			t.Errorf("%s: message %q, want it to contain %q", tc.name, msg, tc.refused)
		}
	}
}

// TestValidatorAppliesTextRulesToEveryField checks that every text field
// of the inputs, nested and listed ones included, follows the text rules.
func TestValidatorAppliesTextRulesToEveryField(t *testing.T) {
	t.Parallel()
	v := survey.NewValidator()
	validQuestionnaire := func() survey.QuestionnaireInput {
		return survey.QuestionnaireInput{
			Title: "Satisfaction", ServiceTypes: []survey.ServiceType{survey.ServiceMAD},
			Questions: []survey.Question{
				{Code: "globale", Label: "Satisfaction globale", Type: survey.QuestionScale, Role: survey.RoleOverall},
				{Code: "canal", Label: "Canal", Type: survey.QuestionChoice, Choices: []string{"Téléphone", "Courriel"}},
			},
		}
	}
	validStructure := func() survey.StructureInput {
		return survey.StructureInput{Name: "AI du Bocage", SIRET: "73282932000074", Region: "Normandie", Type: survey.TypeAI}
	}
	cases := []struct {
		name  string
		check func() error
		field string // "" when accepted
	}{
		{"NUL in the company", func() error { in := validOrder(); in.Client.Company = "Mairie\x00"; return v.Order(&in) }, "client.company"},
		{"control character in the job title", func() error { in := validOrder(); in.JobTitle = "Agent\x07"; return v.Order(&in) }, "job_title"},
		{"line break in the contact", func() error { in := validOrder(); in.Client.ContactName = "Mme\nDurand"; return v.Order(&in) }, "client.contact_name"},
		{"override in the reference", func() error { in := validOrder(); in.Reference = "BC\u202e1"; return v.Order(&in) }, "reference"},
		{"line breaks in the notes", func() error { in := validOrder(); in.Notes = "Première ligne\r\nSeconde\tligne"; return v.Order(&in) }, ""},
		{"C1 control in the notes", func() error { in := validOrder(); in.Notes = "Note\u009b"; return v.Order(&in) }, "notes"},
		{"control character in the search", func() error { f := survey.OrderFilter{Q: "bc\x00"}; return v.OrderFilter(&f) }, "q"},
		{"isolate in the structure name", func() error { in := validStructure(); in.Name = "AI \u2066du\u2069 Bocage"; return v.Structure(&in) }, "name"},
		{"NUL in a questionnaire title", func() error { in := validQuestionnaire(); in.Title = "Satis\x00faction"; return v.Questionnaire(&in) }, "title"},
		{"line break in the intro", func() error { in := validQuestionnaire(); in.Intro = "Bonjour,\nmerci."; return v.Questionnaire(&in) }, ""},
		{"escape in a question label", func() error {
			in := validQuestionnaire()
			in.Questions[1].Label = "Canal\x1b"
			return v.Questionnaire(&in)
		}, "questions[1].label"},
		{"format character in a choice", func() error {
			in := validQuestionnaire()
			in.Questions[1].Choices[1] = "Courriel\u2062"
			return v.Questionnaire(&in)
		}, "questions[1].choices[1]"},
	}
	for _, tc := range cases {
		err := tc.check()
		var verr *survey.ValidationError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.field != "" && (!errors.As(err, &verr) || verr.Fields[tc.field].Code != survey.CodeInvalidChar):
			t.Errorf("%s: %v, want %s on %s", tc.name, err, survey.CodeInvalidChar, tc.field)
		}
	}
}

func TestValidatorStripsInvisibleCharacters(t *testing.T) {
	t.Parallel()
	in := validOrder()
	in.Reference, in.Client.Company, in.JobTitle = "\ufeffBC-1\u200b", "Mairie\u00ad de Vire", "Agent d'entretien\u2060 "
	if err := survey.NewValidator().Order(&in); err != nil {
		t.Fatal(err)
	}
	if in.Reference != "BC-1" || in.Client.Company != "Mairie de Vire" || in.JobTitle != "Agent d'entretien" {
		t.Errorf("cleaned to %q, %q, %q", in.Reference, in.Client.Company, in.JobTitle)
	}
}

func TestCommentsFollowTheTextRules(t *testing.T) {
	t.Parallel()
	q := &survey.Questionnaire{Questions: []survey.Question{
		{Code: "commentaire", Label: "Commentaire", Type: survey.QuestionText, Role: survey.RoleComment},
	}}
	cases := []struct {
		name, comment, want string
		refused             bool
	}{
		{"several lines", "Très bien.\r\nMerci à l'équipe !", "Très bien.\r\nMerci à l'équipe !", false},
		{"zero width space stripped", "Parfait\u200b", "Parfait", false},
		{"NUL", "Parfait\x00", "", true},
		{"bidi override", "\u202eParfait", "", true},
	}
	for _, tc := range cases {
		got, err := survey.ValidateAnswers(q, map[string]string{"commentaire": tc.comment})
		var verr *survey.ValidationError
		switch {
		case tc.refused && (!errors.As(err, &verr) || verr.Fields["commentaire"].Code != survey.CodeInvalidChar):
			t.Errorf("%s: %v, want %s", tc.name, err, survey.CodeInvalidChar)
		case !tc.refused && (err != nil || got["commentaire"] != tc.want):
			t.Errorf("%s: %q, %v; want %q", tc.name, got["commentaire"], err, tc.want)
		}
	}
}
