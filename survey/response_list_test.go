package survey_test

import (
	"testing"
	"time"

	"capsat/survey"
)

func TestResponsePeriodDefaultsToTheMonthAndStopsAtAYear(t *testing.T) {
	now := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC) // 1 April in Paris
	r, err := survey.ResponsePeriod("", "", now)
	if err != nil || r.From.Format(time.DateOnly) != "2026-04-01" || r.To.Format(time.DateOnly) != "2026-04-30" {
		t.Fatalf("default period %v (%v)", r, err)
	}
	if _, err := survey.ResponsePeriod("2025-04-01", "2026-03-31", now); err != nil {
		t.Errorf("12 months refused: %v", err)
	}
	if _, err := survey.ResponsePeriod("2025-04-01", "2026-04-01", now); err == nil {
		t.Error("12 months and a day accepted")
	}
	if _, err := survey.ResponsePeriod("2026-03-01", "", now); err == nil {
		t.Error("a period without its end accepted")
	}
}

func TestListResponsesFiltersSortsAndPages(t *testing.T) {
	q := &survey.Questionnaire{ID: "q1", Questions: []survey.Question{
		{Code: "globale", Type: survey.QuestionScale, Role: survey.RoleOverall},
		{Code: "note", Type: survey.QuestionNPS, Role: survey.RoleRecommend},
		{Code: "avis", Type: survey.QuestionText},
	}}
	qs := map[string]*survey.Questionnaire{"q1": q}
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, time.UTC) }
	rs := []survey.Response{
		{OrderID: "a", OrderReference: "BC-3", QuestionnaireID: "q1", ServiceType: survey.ServiceMAD, SubmittedAt: day(1), Answers: map[string]string{"globale": "satisfait", "note": "9"}},
		{OrderID: "b", OrderReference: "bc-1", QuestionnaireID: "q1", ServiceType: survey.ServiceMAC, SubmittedAt: day(3), Flagged: true, Answers: map[string]string{"globale": "pas_du_tout_satisfait", "note": "2", "avis": "Trop tard"}},
		{OrderID: "c", OrderReference: "BC-2", QuestionnaireID: "q1", ServiceType: survey.ServiceMAD, SubmittedAt: day(2), Answers: map[string]string{"globale": "sans_objet", "avis": "  "}},
	}
	ids := func(p survey.ResponsePage) string {
		s := ""
		for _, r := range p.Rows {
			s += r.OrderID
		}
		return s
	}
	for _, c := range []struct {
		name string
		q    survey.ResponseQuery
		want string
	}{
		{"newest first", survey.ResponseQuery{}, "bca"},
		{"oldest first", survey.ResponseQuery{Sort: survey.SortOldest}, "acb"},
		{"by reference, case folded", survey.ResponseQuery{Sort: survey.SortReference}, "bca"},
		{"least satisfied first, Sans objet last", survey.ResponseQuery{Sort: survey.SortSatisfaction}, "bac"},
		{"service", survey.ResponseQuery{Service: survey.ServiceMAD}, "ca"},
		{"dissatisfied", survey.ResponseQuery{Dissatisfied: true}, "b"},
		{"with a comment (blank is none)", survey.ResponseQuery{WithComment: true}, "b"},
		{"answered the question", survey.ResponseQuery{Question: "note"}, "ba"},
		{"this answer", survey.ResponseQuery{Question: "globale", Answer: "sans_objet"}, "c"},
		{"second page", survey.ResponseQuery{PerPage: 2, Page: 2}, "a"},
		{"past the last page", survey.ResponseQuery{PerPage: 2, Page: 9}, "a"},
	} {
		if c.q.PerPage == 0 {
			c.q.PerPage = 25
		}
		if got := ids(survey.ListResponses(rs, qs, c.q)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestAnswerLabelSaysWhatTheClientChose(t *testing.T) {
	for _, c := range []struct {
		q    survey.Question
		v    string
		want string
	}{
		{survey.Question{Type: survey.QuestionScale}, "tres_satisfait", "Très satisfait"},
		{survey.Question{Type: survey.QuestionScale}, "sans_objet", "Sans objet"},
		{survey.Question{Type: survey.QuestionYesNo}, "non", "Non"},
		{survey.Question{Type: survey.QuestionNPS}, "7", "7 sur 10"},
		{survey.Question{Type: survey.QuestionText}, "", "Pas de réponse"},
		{survey.Question{Type: survey.QuestionChoice}, "Par téléphone", "Par téléphone"},
	} {
		if got := survey.AnswerLabel(c.q, c.v); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.q.Type, c.v, got, c.want)
		}
	}
}
