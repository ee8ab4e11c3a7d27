package readmodel_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/readmodel"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// startIdleWorker runs the summary worker with a settle period far longer
// than any test, so that it queues changes but never drains them before
// stop is called (stop waits for the worker and drains what it left
// queued, as the worker's final drain used to; it is also called at
// cleanup). It returns once the worker has taken its place and finished
// its first, empty drain: every change from then on is queued.
func startIdleWorker(t *testing.T, rm *readmodel.Model) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		rm.RunSummaryWorker(ctx, time.Hour, slog.New(slog.DiscardHandler))
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
			rm.DrainQueuedSummaries(context.Background(), slog.New(slog.DiscardHandler))
		})
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(20 * time.Second)
	for !rm.SummaryWorkerRunningForTest() || !rm.SummariesIdle() {
		if time.Now().After(deadline) {
			t.Fatal("the summary worker did not start")
		}
		time.Sleep(time.Millisecond)
	}
	return stop
}

// queueMarkers returns the stored markers of the summary queue.
func queueMarkers(t *testing.T, s *store.Store) []bson.M {
	t.Helper()
	cur, err := s.DB().Collection("summary_queue").Find(context.Background(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	var out []bson.M
	if err := cur.All(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func markerGeneration(t *testing.T, m bson.M) int64 {
	t.Helper()
	switch g := m["generation"].(type) {
	case int64:
		return g
	case int32:
		return int64(g)
	}
	t.Fatalf("marker %v has no generation", m)
	return 0
}

// A burst of answers to one structure-month, queued while the worker
// rests, writes one marker: the first answer's, whose generation stays.
func TestQueuedAnswersWriteOneMarkerPerStructureMonth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := surveytest.NewLockedClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.EmbeddedModel(t, s)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	var tokens []string
	for i := range 5 {
		_, tok := surveytest.IssuedOrder(t, s, st.ID, fmt.Sprintf("BC-%d", i), survey.ServiceTypes[i%2]) // refreshed at once: no worker yet
		tokens = append(tokens, tok)
	}
	if m := queueMarkers(t, s); len(m) != 0 {
		t.Fatalf("markers before the worker runs: %v", m)
	}
	stop := startIdleWorker(t, rm)
	id := survey.SummaryID(st.ID, "2026-03")
	var first int64
	for i, tok := range tokens {
		sc, err := s.ResolveToken(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SubmitResponse(ctx, tok, surveytest.Answers(&sc.Questionnaire)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		markers := queueMarkers(t, s)
		if len(markers) != 1 || markers[0]["_id"] != id {
			t.Fatalf("after answer %d: markers %v, want one for %s", i+1, markers, id)
		}
		gen := markerGeneration(t, markers[0])
		if i == 0 {
			first = gen
		} else if gen != first {
			t.Fatalf("answer %d rewrote the marker: generation %d, the first answer wrote %d", i+1, gen, first)
		}
	}
	sum, err := rm.Summary(ctx, st.ID, "2026-03")
	if err != nil {
		t.Fatal(err)
	}
	for _, ss := range sum.Services {
		if ss.Responses != 0 {
			t.Fatalf("the worker drained during the test (summary counts %d responses): the test proves nothing", ss.Responses)
		}
	}
	stop() // the final drain refreshes the month and drops its marker
	if m := queueMarkers(t, s); len(m) != 0 {
		t.Fatalf("markers left after the final drain: %v", m)
	}
	sum = assertSummaryIsRecomputation(t, rm, st.ID, "2026-03")
	n := 0
	for _, ss := range sum.Services {
		n += ss.Responses
	}
	if n != 5 {
		t.Fatalf("summary counts %d responses, want 5", n)
	}
}

// Changes to different structure-months each write their own marker.
func TestQueuedChangesWriteOneMarkerPerMonth(t *testing.T) {
	t.Parallel()
	clock := surveytest.NewLockedClock(time.Date(2026, 3, 31, 21, 30, 0, 0, time.UTC)) // 23:30 in Paris: March
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.EmbeddedModel(t, s)
	st := surveytest.Structure(t, s, "AI", "Bretagne")
	startIdleWorker(t, rm)
	surveytest.IssuedOrder(t, s, st.ID, "BC-1", survey.ServiceMAD)
	surveytest.IssuedOrder(t, s, st.ID, "BC-2", survey.ServiceMAC)
	clock.Advance(time.Hour) // 01:30 on 1 April in Paris
	surveytest.IssuedOrder(t, s, st.ID, "BC-3", survey.ServiceMAD)
	got := map[any]bool{}
	for _, m := range queueMarkers(t, s) {
		got[m["_id"]] = true
		markerGeneration(t, m)
	}
	want := map[any]bool{survey.SummaryID(st.ID, "2026-03"): true, survey.SummaryID(st.ID, "2026-04"): true}
	if len(got) != len(want) || !got[survey.SummaryID(st.ID, "2026-03")] || !got[survey.SummaryID(st.ID, "2026-04")] {
		t.Fatalf("markers %v, want one for each of %v", got, want)
	}
}

// The worker drops only the marker of the generation it refreshed: a newer
// one, written by a change queued during the refresh, stays for the next
// drain. A marker from before generations is dropped whatever it holds.
func TestDropMarkerKeepsANewerGeneration(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		stored    bson.M // the marker's fields besides _id
		drop      int64
		wantStays bool
	}{
		{"newer generation stays", bson.M{"generation": int64(200)}, 100, true},
		{"older generation stays too", bson.M{"generation": int64(100)}, 200, true},
		{"same generation goes", bson.M{"generation": int64(100)}, 100, false},
		{"marker without generation stays when a generation is dropped", bson.M{}, 100, true},
		{"generation 0 drops any marker", bson.M{"generation": int64(300)}, 0, false},
		{"generation 0 drops a marker without generation", bson.M{}, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := surveytest.Store(t, nil)
			rm := surveytest.ReadModel(t, s)
			id := survey.SummaryID("st", "2026-03")
			doc := bson.M{"_id": id, "queued_at": time.Now()}
			for k, v := range c.stored {
				doc[k] = v
			}
			if _, err := s.DB().Collection("summary_queue").InsertOne(ctx, doc); err != nil {
				t.Fatal(err)
			}
			rm.DropMarkerForTest(ctx, id, c.drop)
			err := s.DB().Collection("summary_queue").FindOne(ctx, bson.M{"_id": id}).Err()
			switch stays := !errors.Is(err, mongo.ErrNoDocuments); {
			case err != nil && stays:
				t.Fatal(err)
			case stays != c.wantStays:
				t.Fatalf("marker %v after dropping generation %d: stays=%v, want %v", c.stored, c.drop, stays, c.wantStays)
			}
		})
	}
}
