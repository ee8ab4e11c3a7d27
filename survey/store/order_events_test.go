package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/surveytest"
)

// An order's history tells its link's story in order: issued, cancelled,
// reissued, answered; another structure reads none of it.
func TestOrderHistoryTellsTheLinksStory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	surveytest.ReadModel(t, s)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	other := surveytest.Structure(t, s, "AI voisine", "Normandie")
	o, _ := surveytest.IssuedOrder(t, s, st.ID, "BC-1", survey.ServiceMAD)
	clock.Advance(time.Hour)
	if err := s.CancelSurvey(ctx, st.ID, o.ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	l, err := s.IssueSurvey(ctx, st.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	surveytest.Submit(t, s, l.Token, surveytest.Answers)
	events, err := s.OrderHistory(ctx, st.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []survey.OrderEventKind
	for i, e := range events {
		kinds = append(kinds, e.Kind)
		if i > 0 && e.At.Before(events[i-1].At) {
			t.Errorf("event %d (%s) before the one above it", i, e.Kind)
		}
	}
	want := []survey.OrderEventKind{survey.EventIssued, survey.EventCancelled, survey.EventReissued, survey.EventAnswered}
	if len(kinds) != len(want) {
		t.Fatalf("history %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("history %v, want %v", kinds, want)
		}
	}
	if events[2].ExpiresAt.IsZero() {
		t.Error("a reissue should say when its link ends")
	}
	if _, err := s.OrderHistory(ctx, other.ID, o.ID); !errors.Is(err, survey.ErrNotFound) {
		t.Errorf("another structure reads the history: %v", err)
	}
}

// Links for a selection of orders: new ones, live ones kept, answered
// ones refused by name; another structure's order stops the batch.
func TestIssueSurveysForASelection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	surveytest.ReadModel(t, s)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	other := surveytest.Structure(t, s, "AI voisine", "Normandie")
	fresh, err := s.CreateOrder(ctx, st.ID, surveytest.OrderInput())
	if err != nil {
		t.Fatal(err)
	}
	live, liveToken := surveytest.IssuedOrder(t, s, st.ID, "BC-live", survey.ServiceMAD)
	answered, tok := surveytest.IssuedOrder(t, s, st.ID, "BC-answered", survey.ServiceMAD)
	surveytest.Submit(t, s, tok, surveytest.Answers)
	res, err := s.IssueSurveysFor(ctx, st.ID, []string{fresh.ID, live.ID, answered.ID, fresh.ID})
	if err != nil {
		t.Fatal(err)
	}
	if res.Matched != 3 || res.Issued != 1 || res.Existing != 1 || len(res.Failures) != 1 || res.Failures[0].OrderID != answered.ID {
		t.Fatalf("result %+v", res)
	}
	for _, l := range res.Links {
		if l.OrderID == live.ID && l.Link.Token != liveToken {
			t.Error("the live link was replaced")
		}
	}
	theirs, err := s.CreateOrder(ctx, other.ID, surveytest.OrderInput())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueSurveysFor(ctx, st.ID, []string{theirs.ID}); !errors.Is(err, survey.ErrNotFound) {
		t.Errorf("another structure's order: %v", err)
	}
	o, _ := s.Order(ctx, other.ID, theirs.ID)
	if o.Survey != nil {
		t.Error("another structure's order got a link")
	}
	var verr *survey.ValidationError
	if _, err := s.IssueSurveysFor(ctx, st.ID, nil); !errors.As(err, &verr) {
		t.Errorf("empty selection: %v", err)
	}
}
