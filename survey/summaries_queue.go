package survey

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colSummaryQueue holds one marker per summary waiting for its refresh, so
// that a crash between a change and its refresh loses nothing: the worker
// picks the markers up again at its next start.
const colSummaryQueue = "summary_queue"

// summaryQueue defers summary refreshes to one background worker while
// `serve` runs, so that a client's answer never waits for a recomputation
// (on the embedded store a recomputation scans whole collections). Changes
// to the same structure-month made while a refresh is pending coalesce.
// With no worker running (tests, admin commands) refreshes stay synchronous.
type summaryQueue struct {
	mu      sync.Mutex
	running bool
	pending map[string]bool // summary ids
	wake    chan struct{}
}

// queueMarker is the stored form of a pending refresh.
type queueMarker struct {
	ID     string    `bson:"_id"`
	Queued time.Time `bson:"queued_at"`
}

// enqueue records that summary id needs a refresh; false when no worker runs.
func (s *Store) enqueueSummary(ctx context.Context, id string) bool {
	q := &s.summaryQueue
	q.mu.Lock()
	running := q.running
	q.mu.Unlock()
	if !running {
		return false
	}
	_, err := s.db.Collection(colSummaryQueue).UpdateOne(context.WithoutCancel(ctx), bson.M{"_id": id},
		bson.M{"$set": bson.M{"queued_at": s.Now()}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return false // refresh now rather than risk losing it
	}
	q.mu.Lock()
	q.pending[id] = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

// RunSummaryWorker refreshes queued summaries until ctx ends, waiting settle
// after a change so that bursts of answers cost one recomputation. It first
// takes up the markers a previous run left behind.
func (s *Store) RunSummaryWorker(ctx context.Context, settle time.Duration, log *slog.Logger) {
	q := &s.summaryQueue
	q.mu.Lock()
	q.running, q.pending, q.wake = true, map[string]bool{}, make(chan struct{}, 1)
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.running = false
		q.mu.Unlock()
		s.drainSummaries(context.WithoutCancel(ctx), log) // finish what was promised
	}()
	s.loadQueuedSummaries(context.WithoutCancel(ctx), log)
	for {
		s.drainSummaries(ctx, log)
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(settle):
		}
	}
}

func (s *Store) loadQueuedSummaries(ctx context.Context, log *slog.Logger) {
	cur, err := s.db.Collection(colSummaryQueue).Find(ctx, bson.M{})
	if err != nil {
		log.Error("summary queue: read markers", "error", err.Error())
		return
	}
	var markers []queueMarker
	if err := cur.All(ctx, &markers); err != nil {
		log.Error("summary queue: read markers", "error", err.Error())
		return
	}
	q := &s.summaryQueue
	q.mu.Lock()
	for _, m := range markers {
		q.pending[m.ID] = true
	}
	q.mu.Unlock()
}

// drainSummaries refreshes every pending summary, then drops its marker.
// A failed refresh stays pending (and keeps its marker for the next start).
func (s *Store) drainSummaries(ctx context.Context, log *slog.Logger) {
	q := &s.summaryQueue
	q.mu.Lock()
	ids := make([]string, 0, len(q.pending))
	for id := range q.pending {
		ids = append(ids, id)
	}
	q.pending = map[string]bool{}
	q.mu.Unlock()
	for _, id := range ids {
		sid, month, ok := strings.Cut(id, ":")
		if !ok {
			continue
		}
		if err := s.RefreshSummary(ctx, sid, month); err != nil {
			if ctx.Err() == nil {
				log.Error("summary refresh failed", "summary", id, "error", err.Error())
			}
			q.mu.Lock()
			q.pending[id] = true
			q.mu.Unlock()
			continue
		}
		_, _ = s.db.Collection(colSummaryQueue).DeleteOne(ctx, bson.M{"_id": id})
	}
}
