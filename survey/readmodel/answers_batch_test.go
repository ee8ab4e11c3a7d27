package readmodel_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Answers arriving together are inserted together, each with its own
// outcome: of three clients answering the same link at once, one is stored
// and the two others are told the link was answered, whatever batch they
// fell in.
func TestConcurrentAnswersAreCommittedOncePerLink(t *testing.T) {
	t.Parallel()
	for _, withWorker := range []bool{false, true} {
		name := "refreshed by each answer"
		if withWorker {
			name = "refreshes queued to the worker"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := surveytest.NewLockedClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
			s := surveytest.Store(t, clock.Now)
			rm := surveytest.EmbeddedModel(t, s)
			st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
			const links, perLink = 30, 3
			type link struct {
				orderID, token string
				answers        map[string]string
			}
			var ls []link
			for i := range links {
				o, tok := surveytest.IssuedOrder(t, s, st.ID, fmt.Sprintf("BC-%d", i), survey.ServiceTypes[i%2])
				sc, err := s.ResolveToken(ctx, tok)
				if err != nil {
					t.Fatal(err)
				}
				ls = append(ls, link{o.ID, tok, surveytest.AnswersLike(&sc.Questionnaire, "satisfait", fmt.Sprint(i%11), "")})
			}
			stop := func() {}
			if withWorker {
				stop = startIdleWorker(t, rm)
			}
			start := make(chan struct{})
			var wg sync.WaitGroup
			var mu sync.Mutex
			stored := map[string]int{}
			refused := map[string]int{}
			for _, l := range ls {
				for range perLink {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						r, err := s.SubmitResponse(ctx, l.token, l.answers)
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil && r.OrderID == l.orderID:
							stored[l.orderID]++
						case err == nil:
							t.Errorf("answer to order %s stored as %s", l.orderID, r.OrderID)
						case errors.Is(err, survey.ErrAlreadyAnswered):
							refused[l.orderID]++
						default:
							t.Errorf("submit to order %s: %v", l.orderID, err)
						}
					}()
				}
			}
			close(start)
			wg.Wait()
			for _, l := range ls {
				if stored[l.orderID] != 1 || refused[l.orderID] != perLink-1 {
					t.Errorf("order %s: %d answers stored, %d refused; want 1 and %d", l.orderID, stored[l.orderID], refused[l.orderID], perLink-1)
				}
			}
			var ids []struct {
				ID string `bson:"_id"`
			}
			cur, err := s.DB().Collection("responses").Find(ctx, bson.M{})
			if err != nil {
				t.Fatal(err)
			}
			if err := cur.All(ctx, &ids); err != nil {
				t.Fatal(err)
			}
			if len(ids) != links {
				t.Fatalf("%d responses stored, want %d", len(ids), links)
			}
			seen := map[string]bool{}
			for _, id := range ids {
				seen[id.ID] = true
			}
			for _, l := range ls {
				if !seen[l.orderID] {
					t.Errorf("no response stored for order %s", l.orderID)
				}
			}
			stop()
			sum := assertSummaryIsRecomputation(t, rm, st.ID, "2026-03")
			n := 0
			for _, ss := range sum.Services {
				n += ss.Responses
			}
			if n != links {
				t.Fatalf("summary counts %d responses, want %d", n, links)
			}
		})
	}
}

// While the worker holds the month's refresh back, the answer is already
// the link's state: the public page and a cancel see it although the
// order's answered_at copy is not written yet; the worker's drain writes
// the copy with the answer's date.
func TestAnswerCountsBeforeItsOrderCopyIsWritten(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := surveytest.NewLockedClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.EmbeddedModel(t, s)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	o, tok := surveytest.IssuedOrder(t, s, st.ID, "BC-1", survey.ServiceMAD)
	_, other := surveytest.IssuedOrder(t, s, st.ID, "BC-2", survey.ServiceMAC)
	stop := startIdleWorker(t, rm)

	clock.Advance(2 * time.Hour)
	resp := surveytest.Submit(t, s, tok, func(q *survey.Questionnaire) map[string]string {
		return surveytest.AnswersLike(q, "satisfait", "9", "")
	})
	clock.Advance(3 * time.Hour) // the copy must carry the answer's date, not the drain's

	sc, err := s.ResolveToken(ctx, tok)
	if !errors.Is(err, survey.ErrAlreadyAnswered) {
		t.Fatalf("resolve an answered link: %v, want ErrAlreadyAnswered", err)
	}
	if sc == nil || sc.Structure.Name != st.Name || sc.Order.ID != o.ID {
		t.Fatalf("an answered link still names its structure and order: %+v", sc)
	}
	if got, err := s.Order(ctx, st.ID, o.ID); err != nil || got.Survey.AnsweredAt != nil {
		t.Fatalf("the order's copy should wait for the worker (else this test proves nothing): %+v %v", got.Survey, err)
	}
	if err := s.CancelSurvey(ctx, st.ID, o.ID); !errors.Is(err, survey.ErrAlreadyAnswered) {
		t.Fatalf("cancel an answered survey: %v, want ErrAlreadyAnswered", err)
	}
	var l struct {
		CancelledAt *time.Time `bson:"cancelled_at"`
	}
	if err := s.DB().Collection("survey_links").FindOne(ctx, bson.M{"_id": tok}).Decode(&l); err != nil || l.CancelledAt != nil {
		t.Fatalf("the refused cancel touched the link: %v %v", l.CancelledAt, err)
	}
	if _, err := s.ResolveToken(ctx, other); err != nil {
		t.Fatalf("another link of the structure: %v", err)
	}

	stop() // waits for the final drain
	got, err := s.Order(ctx, st.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Survey.AnsweredAt == nil || !got.Survey.AnsweredAt.Equal(resp.SubmittedAt) {
		t.Fatalf("answered_at copy %v, want the answer's date %v", got.Survey.AnsweredAt, resp.SubmittedAt)
	}
	if got.SurveyStatusAt(clock.Now()) != survey.SurveyAnswered {
		t.Fatalf("order status %s", got.SurveyStatusAt(clock.Now()))
	}
	if _, err := s.ResolveToken(ctx, tok); !errors.Is(err, survey.ErrAlreadyAnswered) {
		t.Fatalf("resolve after the drain: %v", err)
	}
}

// A second answer to an answered link is refused, and leaves the order's
// answered_at copy at the date of the answer stored (a refused submission
// once wrote its own time there).
func TestRefusedSecondAnswerKeepsTheAnswerDate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		withWorker bool
		later      time.Duration // until the second submission
	}{
		{"copy written by the answer's refresh, resubmitted two days later", false, 48 * time.Hour},
		{"copy left to the worker, resubmitted from another tab", true, 20 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := surveytest.NewLockedClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
			s := surveytest.Store(t, clock.Now)
			rm := surveytest.EmbeddedModel(t, s)
			st := surveytest.Structure(t, s, "AI", "Bretagne")
			o, tok := surveytest.IssuedOrder(t, s, st.ID, "BC-1", survey.ServiceMAD)
			stop := func() {}
			if c.withWorker {
				stop = startIdleWorker(t, rm)
			}
			resp := surveytest.Submit(t, s, tok, func(q *survey.Questionnaire) map[string]string {
				return surveytest.AnswersLike(q, "satisfait", "9", "")
			})
			clock.Advance(c.later) // the client submits again; the link is still open
			sc, _ := s.ResolveToken(ctx, tok)
			if sc == nil {
				t.Fatal("the answered link no longer resolves")
			}
			if _, err := s.SubmitResponse(ctx, tok, surveytest.AnswersLike(&sc.Questionnaire, "tres_satisfait", "10", "")); !errors.Is(err, survey.ErrAlreadyAnswered) {
				t.Fatalf("second answer: %v, want ErrAlreadyAnswered", err)
			}
			stop()
			got, err := s.Order(ctx, st.ID, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Survey.AnsweredAt == nil || !got.Survey.AnsweredAt.Equal(resp.SubmittedAt) {
				t.Fatalf("answered_at copy %v after a refused second answer, want the answer's date %v", got.Survey.AnsweredAt, resp.SubmittedAt)
			}
		})
	}
}
