package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"
)

// answeredOrder creates an order of st, issues its link and answers it,
// dissatisfied or not.
func answeredOrder(t *testing.T, s *store.Store, sid, ref string, dissatisfied bool) string {
	t.Helper()
	ctx := context.Background()
	o, err := s.CreateOrder(ctx, sid, survey.OrderInput{Reference: ref, ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "Mairie"}, StartDate: "2026-03-03"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.IssueSurvey(ctx, sid, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := s.ResolveToken(ctx, l.Token)
	if err != nil {
		t.Fatal(err)
	}
	answers := surveytest.Answers(&sc.Questionnaire)
	if dissatisfied {
		for _, q := range sc.Questionnaire.Questions {
			if q.Role == survey.RoleOverall {
				answers[q.Code] = "pas_du_tout_satisfait"
			}
		}
	}
	if _, err := s.SubmitResponse(ctx, l.Token, answers); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func TestFollowUpsListRecordAndClose(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	a := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	b := surveytest.Structure(t, s, "ETTI du Port", "Bretagne")
	m := surveytest.ReadModel(t, s)
	year := survey.DateRange{From: clock.T.AddDate(0, -1, 0), To: clock.T.AddDate(0, 1, 0)}
	followUps := func(sid string) []survey.Response {
		t.Helper()
		src, err := m.IndicatorSource(ctx, sid, year)
		if err != nil {
			t.Fatal(err)
		}
		return src.FollowUps
	}
	openFollowUps := func(sid string) int {
		n := 0
		for _, r := range followUps(sid) {
			if r.Open() {
				n++
			}
		}
		return n
	}
	unhappy := answeredOrder(t, s, a.ID, "BC-1", true)
	happy := answeredOrder(t, s, a.ID, "BC-2", false)
	otherUnhappy := answeredOrder(t, s, b.ID, "BC-9", true)

	list := followUps(a.ID)
	if len(list) != 1 || list[0].OrderID != unhappy || !list[0].Open() {
		t.Fatalf("follow-up list %+v, want only %s, open", list, unhappy)
	}
	if n := openFollowUps(a.ID); n != 1 {
		t.Fatalf("open follow-ups %d, want 1", n)
	}

	var verr *survey.ValidationError
	if _, err := s.RecordFollowUp(ctx, a.ID, unhappy, "   ", true, "x@y.fr"); !errors.As(err, &verr) || verr.Fields["action"].Code != "required" {
		t.Fatalf("empty action: %v", err)
	}
	for name, oid := range map[string]string{"satisfied answer": happy, "other structure": otherUnhappy} {
		if _, err := s.RecordFollowUp(ctx, a.ID, oid, "Appel", true, "x@y.fr"); !errors.Is(err, survey.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}

	if _, err := s.RecordFollowUp(ctx, a.ID, unhappy, "Appel du client, remplaçant proposé", false, "x@y.fr"); err != nil {
		t.Fatal(err)
	}
	if n := openFollowUps(a.ID); n != 1 {
		t.Fatalf("an action without closing must leave the item open: %d", n)
	}
	clock.Advance(time.Hour)
	r, err := s.RecordFollowUp(ctx, a.ID, unhappy, "Appel du client, remplaçant proposé et accepté", true, "x@y.fr")
	if err != nil {
		t.Fatal(err)
	}
	if r.Open() || r.FollowUp.ClosedBy != "x@y.fr" {
		t.Fatalf("closed follow-up %+v", r.FollowUp)
	}
	list = followUps(a.ID)
	if list[0].FollowUp == nil || list[0].FollowUp.Action != "Appel du client, remplaçant proposé et accepté" || list[0].Open() {
		t.Fatalf("stored follow-up %+v", list[0].FollowUp)
	}
	if n := openFollowUps(a.ID); n != 0 {
		t.Fatalf("open follow-ups after closing: %d", n)
	}
	if n := openFollowUps(b.ID); n != 1 {
		t.Fatalf("B's open follow-ups: %d", n)
	}
}
