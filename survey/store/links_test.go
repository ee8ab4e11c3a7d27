package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestIssueAndSubmitExactlyOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	surveytest.ReadModel(t, s) // it writes the orders' answered copies
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	o, err := s.CreateOrder(ctx, st.ID, survey.OrderInput{Reference: "BC-1", ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "Mairie"}, JobTitle: "Agent d'entretien", StartDate: "2026-03-03", EndDate: "2026-03-14", Hours: 35})
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.IssueSurvey(ctx, st.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.IssueSurvey(ctx, st.ID, o.ID)
	if err != nil || again.Token != l.Token {
		t.Fatalf("second issue should return the live link: %v %v", again, err)
	}
	sc, err := s.ResolveToken(ctx, l.Token)
	if err != nil {
		t.Fatal(err)
	}
	answers := surveytest.Answers(&sc.Questionnaire)
	var wg sync.WaitGroup
	var okCount, dupCount int
	var mu sync.Mutex
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.SubmitResponse(ctx, l.Token, answers)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				okCount++
			case errors.Is(err, survey.ErrAlreadyAnswered):
				dupCount++
			default:
				t.Errorf("submit: %v", err)
			}
		}()
	}
	wg.Wait()
	if okCount != 1 || dupCount != 7 {
		t.Fatalf("want 1 stored and 7 refused, got %d and %d", okCount, dupCount)
	}
	if _, err := s.ResolveToken(ctx, l.Token); !errors.Is(err, survey.ErrAlreadyAnswered) {
		t.Fatalf("resolve after answer: %v", err)
	}
	got, err := s.Order(ctx, st.ID, o.ID)
	if err != nil || got.SurveyStatusAt(clock.Now()) != survey.SurveyAnswered {
		t.Fatalf("order status: %v %v", got.SurveyStatusAt(clock.Now()), err)
	}
}

func TestLinkStates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	st := surveytest.Structure(t, s, "AI", "Occitanie")
	other := surveytest.Structure(t, s, "Autre", "Occitanie")
	o, err := s.CreateOrder(ctx, st.ID, survey.OrderInput{Reference: "BC-2", ServiceType: survey.ServiceMAC, Client: survey.Client{Company: "SARL X"}, StartDate: "2026-03-03"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueSurvey(ctx, other.ID, o.ID); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("another structure's order: %v", err)
	}
	l1, _ := s.IssueSurvey(ctx, st.ID, o.ID)
	if err := s.CancelSurvey(ctx, st.ID, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResolveToken(ctx, l1.Token); !errors.Is(err, survey.ErrCancelled) {
		t.Fatalf("cancelled: %v", err)
	}
	l2, err := s.IssueSurvey(ctx, st.ID, o.ID)
	if err != nil || l2.Token == l1.Token {
		t.Fatalf("reissue: %v", err)
	}
	if _, err := s.ResolveToken(ctx, l2.Token); err != nil {
		t.Fatalf("live: %v", err)
	}
	clock.Advance(61 * 24 * time.Hour)
	if _, err := s.ResolveToken(ctx, l2.Token); !errors.Is(err, survey.ErrExpired) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := s.ResolveToken(ctx, "short"); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("malformed: %v", err)
	}
	if _, err := s.ResolveToken(ctx, survey.NewToken()); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
}

func TestAnsweredOrderWithLostCopyGetsNoNewLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	surveytest.ReadModel(t, s) // it writes the orders' answered copies
	st := surveytest.Structure(t, s, "AI", "Normandie")
	o, err := s.CreateOrder(ctx, st.ID, survey.OrderInput{Reference: "BC-9", ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "Mairie"}, StartDate: "2026-03-03"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.IssueSurvey(ctx, st.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := s.ResolveToken(ctx, l.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitResponse(ctx, l.Token, surveytest.Answers(&sc.Questionnaire)); err != nil {
		t.Fatal(err)
	}
	// The order's answered_at copy is lost (a crash between the two writes),
	// then the link expires: the order looks expired, but it was answered.
	if _, err := s.DB().Collection("orders").UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$unset": bson.M{"survey.answered_at": ""}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(61 * 24 * time.Hour)
	if _, err := s.IssueSurvey(ctx, st.ID, o.ID); !errors.Is(err, survey.ErrAlreadyAnswered) {
		t.Fatalf("issue after a lost copy: %v", err)
	}
	if got, _ := s.Order(ctx, st.ID, o.ID); got.SurveyStatusAt(clock.Now()) != survey.SurveyAnswered {
		t.Fatalf("copy not repaired: %v", got.SurveyStatusAt(clock.Now()))
	}
}
