package surveytest

import (
	"context"
	"testing"

	"capsat/survey"
	"capsat/survey/store"
)

// IssuedOrder creates an order and issues its survey, returning the token.
func IssuedOrder(t testing.TB, s *store.Store, sid, ref string, st survey.ServiceType) (*survey.Order, string) {
	t.Helper()
	ctx := context.Background()
	o, err := s.CreateOrder(ctx, sid, survey.OrderInput{Reference: ref, ServiceType: st, Client: survey.Client{Company: "Client " + ref}, StartDate: "2026-03-02"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.IssueSurvey(ctx, sid, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o, l.Token
}

// AnswersLike answers every scale question with level, the recommendation
// with nps, yes/no with oui, and the comment with comment (none when empty).
func AnswersLike(q *survey.Questionnaire, level, nps, comment string) map[string]string {
	a := map[string]string{}
	for _, qu := range q.Questions {
		switch qu.Type {
		case survey.QuestionScale:
			a[qu.Code] = level
		case survey.QuestionYesNo:
			a[qu.Code] = survey.YesAnswer
		case survey.QuestionNPS:
			a[qu.Code] = nps
		case survey.QuestionText:
			if comment != "" {
				a[qu.Code] = comment
			}
		}
	}
	return a
}

// Submit answers the survey of token with what answers gives for its questionnaire.
func Submit(t testing.TB, s *store.Store, token string, answers func(*survey.Questionnaire) map[string]string) *survey.Response {
	t.Helper()
	ctx := context.Background()
	sc, err := s.ResolveToken(ctx, token)
	if err != nil {
		t.Fatalf("resolve before answering: %v", err)
	}
	r, err := s.SubmitResponse(ctx, token, answers(&sc.Questionnaire))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return r
}
