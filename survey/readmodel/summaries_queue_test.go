package readmodel_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/readmodel"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// startWorker runs the summary worker until the returned stop is called;
// stop waits for the worker, then drains what it left queued (the worker
// itself stops at once: see RunSummaryWorker).
func startWorker(rm *readmodel.Model) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		rm.RunSummaryWorker(ctx, 10*time.Millisecond, slog.New(slog.DiscardHandler))
	}()
	return func() {
		cancel()
		<-done
		rm.DrainQueuedSummaries(context.Background(), slog.New(slog.DiscardHandler))
	}
}

func TestSummaryWorkerCatchesUpWithAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.EmbeddedModel(t, s)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	stop := startWorker(rm)
	time.Sleep(50 * time.Millisecond) // let the worker take its place
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 6 {
		_, tok := surveytest.IssuedOrder(t, s, st.ID, fmt.Sprintf("BC-%d", i), survey.ServiceTypes[i%2])
		sc, err := s.ResolveToken(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SubmitResponse(ctx, tok, randomAnswers(rng, &sc.Questionnaire)); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	sum := assertSummaryIsRecomputation(t, rm, st.ID, "2026-03")
	responses := 0
	for _, ss := range sum.Services {
		responses += ss.Responses
	}
	if responses != 6 {
		t.Fatalf("summary counts %d responses, want 6", responses)
	}
	if n, _ := s.DB().Collection("summary_queue").CountDocuments(ctx, bson.M{}); n != 0 {
		t.Fatalf("%d markers left after the drain", n)
	}
}

func TestSummaryWorkerTakesUpMarkersLeftByACrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.EmbeddedModel(t, s)
	st := surveytest.Structure(t, s, "AI", "Bretagne")
	surveytest.IssuedOrder(t, s, st.ID, "BC-1", survey.ServiceMAD) // no worker: refreshed at once
	// A change whose refresh never ran: the summary is missing, a marker stays.
	if _, err := s.DB().Collection("summaries").DeleteMany(ctx, bson.M{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Collection("summary_queue").InsertOne(ctx, bson.M{"_id": survey.SummaryID(st.ID, "2026-03"), "queued_at": clock.Now()}); err != nil {
		t.Fatal(err)
	}
	startWorker(rm)()
	assertSummaryIsRecomputation(t, rm, st.ID, "2026-03")
}

// A worker that stops with patches pending writes the orders they wait
// for into their markers, and a change made while it is stopped adds its
// own: the next start patches those months (it need not refresh them from
// the collections, which the embedded store scans).
func TestStoppedWorkerLeavesTheOrdersToPatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.EmbeddedModel(t, s)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	var issued []string
	for i := range 3 {
		o, _ := surveytest.IssuedOrder(t, s, st.ID, fmt.Sprintf("BC-%d", i), survey.ServiceMAD) // no worker: refreshed at once
		issued = append(issued, o.ID)
	}
	workerCtx, stopWorker := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		rm.RunSummaryWorker(workerCtx, time.Hour, slog.New(slog.DiscardHandler)) // never quiet enough
	}()
	time.Sleep(50 * time.Millisecond)
	if err := s.CancelSurvey(ctx, st.ID, issued[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.CancelSurvey(ctx, st.ID, issued[1]); err != nil {
		t.Fatal(err)
	}
	stopWorker()
	<-done
	if err := s.CancelSurvey(ctx, st.ID, issued[2]); err != nil { // while stopped
		t.Fatal(err)
	}
	var m struct {
		Partial bool     `bson:"partial"`
		Orders  []string `bson:"orders"`
	}
	id := survey.SummaryID(st.ID, "2026-03")
	if err := s.DB().Collection("summary_queue").FindOne(ctx, bson.M{"_id": id}).Decode(&m); err != nil {
		t.Fatalf("marker of %s: %v", id, err)
	}
	slices.Sort(m.Orders)
	if want := slices.Sorted(slices.Values(issued)); !m.Partial || !slices.Equal(m.Orders, want) {
		t.Fatalf("marker: partial %v, orders %v; want partial with %v", m.Partial, m.Orders, want)
	}
	rm.DrainQueuedSummaries(ctx, slog.New(slog.DiscardHandler))
	sum := assertSummaryIsRecomputation(t, rm, st.ID, "2026-03")
	for _, ss := range sum.Services {
		if ss.Issued != 0 {
			t.Fatalf("summary counts %d sent after every link was cancelled", ss.Issued)
		}
	}
	if n, _ := s.DB().Collection("summary_queue").CountDocuments(ctx, bson.M{}); n != 0 {
		t.Fatalf("%d markers left after the drain", n)
	}
}
