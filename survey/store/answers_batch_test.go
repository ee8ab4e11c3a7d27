package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"
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
			clock := &lockedClock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
			s := surveytest.Store(t, clock.Now)
			st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
			const links, perLink = 30, 3
			type link struct {
				orderID, token string
				answers        map[string]string
			}
			var ls []link
			for i := range links {
				o, tok := issuedOrder(t, s, st.ID, fmt.Sprintf("BC-%d", i), survey.ServiceTypes[i%2])
				sc, err := s.ResolveToken(ctx, tok)
				if err != nil {
					t.Fatal(err)
				}
				ls = append(ls, link{o.ID, tok, answersLike(&sc.Questionnaire, "satisfait", fmt.Sprint(i%11), "")})
			}
			stop := func() {}
			if withWorker {
				stop = startIdleWorker(t, s)
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
			sum := assertSummaryIsRecomputation(t, s, st.ID, "2026-03")
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
	clock := &lockedClock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	o, tok := issuedOrder(t, s, st.ID, "BC-1", survey.ServiceMAD)
	_, other := issuedOrder(t, s, st.ID, "BC-2", survey.ServiceMAC)
	stop := startIdleWorker(t, s)

	clock.Advance(2 * time.Hour)
	resp := submit(t, s, tok, func(q *survey.Questionnaire) map[string]string { return answersLike(q, "satisfait", "9", "") })
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

// shownOrder is what the public page shows of an order.
type shownOrder struct{ ref, job, start, end string }

func shown(o survey.Order) shownOrder {
	return shownOrder{o.Reference, o.JobTitle, o.StartDate, o.EndDate}
}

// The public page shows the order as it is now: edits reach the link's
// copy, a link without a copy reads the order, and a renamed structure
// shows its new name.
func TestSurveyPageShowsTheOrderAsEdited(t *testing.T) {
	t.Parallel()
	edited := shownOrder{"BC-1-bis", "Agent polyvalent", "2026-03-16", "2026-04-30"}
	cases := []struct {
		name string
		// change edits the order (or its link) and returns what the page must show.
		change func(t *testing.T, s *store.Store, sid string, o *survey.Order, token string) shownOrder
	}{
		{"UpdateOrder", func(t *testing.T, s *store.Store, sid string, o *survey.Order, token string) shownOrder {
			in := survey.OrderInput{Reference: edited.ref, ServiceType: o.ServiceType, Client: o.Client, JobTitle: edited.job, StartDate: edited.start, EndDate: edited.end, Hours: 35}
			if _, err := s.UpdateOrder(context.Background(), sid, o.ID, in); err != nil {
				t.Fatal(err)
			}
			return edited
		}},
		{"import update", func(t *testing.T, s *store.Store, sid string, o *survey.Order, token string) shownOrder {
			f := parseImport(t, "N° commande;Type de prestation;Client;Poste;Date début;Date fin\n"+
				o.Reference+";MAD;"+o.Client.Company+";"+edited.job+";16/03/2026;30/04/2026\n")
			rep, err := s.ImportOrders(context.Background(), sid, f, false)
			if err != nil || rep.Updated != 1 || len(rep.Rejected) != 0 {
				t.Fatalf("import: %+v %v", rep, err)
			}
			return shownOrder{o.Reference, edited.job, edited.start, edited.end}
		}},
		{"link issued before links carried their order", func(t *testing.T, s *store.Store, sid string, o *survey.Order, token string) shownOrder {
			ctx := context.Background()
			if _, err := s.DB().Collection("survey_links").UpdateOne(ctx, bson.M{"_id": token}, bson.M{"$unset": bson.M{"order": ""}}); err != nil {
				t.Fatal(err)
			}
			// An edit the link's copy would have missed: the order itself is read.
			if _, err := s.DB().Collection("orders").UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": bson.M{"job_title": edited.job}}); err != nil {
				t.Fatal(err)
			}
			return shownOrder{o.Reference, edited.job, o.StartDate, o.EndDate}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
			s := surveytest.Store(t, clock.Now)
			st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
			o, err := s.CreateOrder(ctx, st.ID, survey.OrderInput{Reference: "BC-1", ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "Mairie"},
				JobTitle: "Agent d'entretien", StartDate: "2026-03-02", EndDate: "2026-03-20", Hours: 35})
			if err != nil {
				t.Fatal(err)
			}
			l, err := s.IssueSurvey(ctx, st.ID, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			before, err := s.ResolveToken(ctx, l.Token)
			if err != nil || shown(before.Order) != shown(*o) {
				t.Fatalf("before the edit: %+v %v, want %+v", shown(before.Order), err, shown(*o))
			}
			want := c.change(t, s, st.ID, o, l.Token)
			clock.Advance(time.Hour)
			sc, err := s.ResolveToken(ctx, l.Token)
			if err != nil {
				t.Fatalf("resolve after the edit: %v", err)
			}
			if got := shown(sc.Order); got != want {
				t.Fatalf("page shows %+v, want %+v", got, want)
			}
			if sc.Order.ID != o.ID || sc.Order.StructureID != st.ID || sc.Order.ServiceType != o.ServiceType || sc.Structure.ID != st.ID {
				t.Fatalf("resolved order %+v of structure %s", sc.Order, sc.Structure.ID)
			}
			// The answer keeps what the page showed, and the link then reads answered.
			r, err := s.SubmitResponse(ctx, l.Token, answersLike(&sc.Questionnaire, "satisfait", "9", ""))
			if err != nil {
				t.Fatal(err)
			}
			if r.OrderReference != want.ref || r.JobTitle != want.job || r.OrderID != o.ID {
				t.Fatalf("response keeps reference %q and job %q, want %q and %q", r.OrderReference, r.JobTitle, want.ref, want.job)
			}
			if _, err := s.ResolveToken(ctx, l.Token); !errors.Is(err, survey.ErrAlreadyAnswered) {
				t.Fatalf("resolve after the answer: %v", err)
			}
		})
	}
}

// A link without its order's copy still tells its state from the order.
func TestLinkWithoutOrderCopyKeepsItsStates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	st := surveytest.Structure(t, s, "AI", "Bretagne")
	unsetCopy := func(token string) {
		t.Helper()
		if _, err := s.DB().Collection("survey_links").UpdateOne(ctx, bson.M{"_id": token}, bson.M{"$unset": bson.M{"order": ""}}); err != nil {
			t.Fatal(err)
		}
	}
	cancelled, tokC := issuedOrder(t, s, st.ID, "BC-C", survey.ServiceMAD)
	unsetCopy(tokC)
	if err := s.CancelSurvey(ctx, st.ID, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	replaced, tokR := issuedOrder(t, s, st.ID, "BC-R", survey.ServiceMAC)
	unsetCopy(tokR)
	if err := s.CancelSurvey(ctx, st.ID, replaced.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueSurvey(ctx, st.ID, replaced.ID); err != nil {
		t.Fatal(err)
	}
	_, tokE := issuedOrder(t, s, st.ID, "BC-E", survey.ServiceMAD)
	unsetCopy(tokE)
	cases := []struct {
		token string
		want  error
	}{
		{tokC, survey.ErrCancelled},
		{tokR, survey.ErrCancelled},
		{tokE, survey.ErrExpired},
	}
	clock.Advance(61 * 24 * time.Hour)
	for _, c := range cases {
		sc, err := s.ResolveToken(ctx, c.token)
		if !errors.Is(err, c.want) {
			t.Errorf("link %s…: %v, want %v", c.token[:6], err, c.want)
		}
		if sc == nil || sc.Order.Reference == "" {
			t.Errorf("link %s…: the page cannot name its order: %+v", c.token[:6], sc)
		}
	}
}

// The structure's name on the public page follows a rename made through
// the store, although structures are cached for the page.
func TestSurveyPageShowsTheRenamedStructure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	_, tok := issuedOrder(t, s, st.ID, "BC-1", survey.ServiceMAD)
	for range 2 { // the second read comes from the cache
		sc, err := s.ResolveToken(ctx, tok)
		if err != nil || sc.Structure.Name != "AI du Bocage" {
			t.Fatalf("before the rename: %v %v", sc, err)
		}
	}
	name := "AI du Bocage normand"
	if _, err := s.UpdateStructure(ctx, st.ID, survey.StructurePatch{Name: &name}); err != nil {
		t.Fatal(err)
	}
	sc, err := s.ResolveToken(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Structure.Name != name {
		t.Fatalf("page shows %q after the rename to %q", sc.Structure.Name, name)
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
			clock := &lockedClock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
			s := surveytest.Store(t, clock.Now)
			st := surveytest.Structure(t, s, "AI", "Bretagne")
			o, tok := issuedOrder(t, s, st.ID, "BC-1", survey.ServiceMAD)
			stop := func() {}
			if c.withWorker {
				stop = startIdleWorker(t, s)
			}
			resp := submit(t, s, tok, func(q *survey.Questionnaire) map[string]string { return answersLike(q, "satisfait", "9", "") })
			clock.Advance(c.later) // the client submits again; the link is still open
			sc, _ := s.ResolveToken(ctx, tok)
			if sc == nil {
				t.Fatal("the answered link no longer resolves")
			}
			if _, err := s.SubmitResponse(ctx, tok, answersLike(&sc.Questionnaire, "tres_satisfait", "10", "")); !errors.Is(err, survey.ErrAlreadyAnswered) {
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
