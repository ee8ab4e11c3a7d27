package readmodel

import (
	"capsat/survey"
	"capsat/survey/store"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// enqueueSummary records that summary id needs a refresh; false when no
// worker runs. The marker is written once per pending period: a change to
// a structure-month already pending only wakes the worker.
func (s *Model) enqueueSummary(ctx context.Context, id, oid string) bool {
	q := &s.summaryQueue
	q.mu.Lock()
	if q.stopped {
		// Shutting down: the refresh is left to the next start, with the
		// order to patch the month with (under the lock: the embedded
		// store loses concurrent updates of one marker).
		defer q.mu.Unlock()
		s.addToMarker(ctx, id, s.summaries.nextSeq(), []string{oid}, true)
		return true
	}
	if !q.running {
		q.mu.Unlock()
		return false
	}
	if q.orders[id] == nil {
		q.orders[id] = map[string]bool{}
	}
	q.orders[id][oid] = true
	if q.changes == nil {
		q.changes = map[string]int{}
	}
	q.changes[id]++
	_, already := q.pending[id]
	q.lastChange = time.Now()
	gen := s.summaries.nextSeq()
	if !already {
		q.pending[id] = gen
	}
	q.mu.Unlock()
	if !already {
		// Written after the change it stands for, and before the worker can
		// drop it (the worker deletes only this generation's marker). If it
		// fails, the refresh still runs; only a crash before it would be lost.
		s.storeMarker(ctx, id, gen)
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

// keepPendingOrders writes into the stored markers of the refreshes left
// pending the orders they wait for, so that the next start patches those
// months instead of refreshing them from their sources (which scans the
// collections). The caller holds the queue's lock; a marker not written
// stays a whole refresh.
func (s *Model) keepPendingOrders() {
	q := &s.summaryQueue
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for id, gen := range q.pending {
		if !q.whole[id] && len(q.orders[id]) > 0 {
			s.addToMarker(ctx, id, gen, slices.Collect(maps.Keys(q.orders[id])), false)
		}
	}
}

// addToMarker adds orders to the stored marker of summary id: one written
// now (stopped, by a change while the worker is stopped) is partial; one
// written before (or by a crash) keeps what it says. It moves to
// generation gen.
func (s *Model) addToMarker(ctx context.Context, id string, gen int64, orders []string, stopped bool) {
	set := bson.M{"queued_at": s.store.Now(), "generation": gen}
	if !stopped {
		set["partial"] = true // the worker's own record: every order is known
	}
	update := bson.M{"$set": set, "$addToSet": bson.M{"orders": bson.M{"$each": orders}}}
	if stopped {
		update["$setOnInsert"] = bson.M{"partial": true}
	}
	_, err := s.db.Collection(colSummaryQueue).UpdateOne(context.WithoutCancel(ctx), bson.M{"_id": id}, update, options.UpdateOne().SetUpsert(true))
	if err != nil {
		s.log.Warn("refresh marker not completed: the month is refreshed from its sources at the next start", slog.String("summary", id), slog.String("error", err.Error()))
	}
}

// storeMarker writes (or moves to generation gen) the stored marker of
// summary id.
func (s *Model) storeMarker(ctx context.Context, id string, gen int64) {
	_, err := s.db.Collection(colSummaryQueue).UpdateOne(context.WithoutCancel(ctx), bson.M{"_id": id},
		bson.M{"$set": bson.M{"queued_at": s.store.Now(), "generation": gen}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		s.log.Warn("refresh marker not stored: a crash before the refresh would lose it", slog.String("summary", id), slog.String("error", err.Error()))
	}
}

func (s *Model) pendingRefresh(ctx context.Context, id string) (refreshState, error) {
	q := &s.summaryQueue
	q.mu.Lock()
	gen, inProcess := q.pending[id]
	st := refreshState{inProcess: inProcess, gen: gen, changes: q.changes[id], orders: maps.Clone(q.orders[id]), whole: q.whole[id]}
	loaded := q.running && q.loaded
	q.mu.Unlock()
	if loaded {
		return st, nil
	}
	var m queueMarker
	err := s.findByID(ctx, colSummaryQueue, id, &m)
	switch {
	case errors.Is(err, survey.ErrNotFound):
		return st, nil
	case err != nil:
		return refreshState{}, fmt.Errorf("read summary queue: %w", store.Translate(err))
	}
	st.stored = &m
	return st, nil
}

// patchedByReader takes summary id off the worker's queue after a reader
// patched it with the orders of st, unless a change was queued since (it
// stays for the worker, which patches the month again): under a steady
// flow of answers the worker may wait, and every reader would otherwise
// patch the same month again.
func (s *Model) patchedByReader(ctx context.Context, id string, st refreshState) {
	q := &s.summaryQueue
	q.mu.Lock()
	gen, still := q.pending[id]
	settled := still && gen == st.gen && q.changes[id] == st.changes && !q.whole[id]
	if settled {
		delete(q.pending, id)
		delete(q.orders, id)
		delete(q.changes, id)
	}
	q.mu.Unlock()
	if settled {
		s.dropMarker(ctx, id, gen)
	}
}

// RunSummaryWorker refreshes queued summaries until ctx ends. After a
// change it waits for a quiet moment (see awaitQuiet), so that a burst of
// answers costs one recomputation and is not slowed down by it; after a
// round of refreshes it rests three times as long as the round took, so
// that on a busy embedded store (where a refresh scans whole collections)
// it keeps to about a quarter of the time. Readers that need a month exact
// meanwhile (exports) refresh it themselves. It first takes up the markers
// a previous run left behind. When ctx ends it stops at once, within the
// shutdown timeout whatever the queue holds (a month's refresh scans whole
// collections on the embedded store): what is pending stays queued in the
// store, with the changes that come during the shutdown, and the next
// start takes it up (DrainQueuedSummaries does it on demand).
// Only the embedded store queues: on MongoDB it returns at once.
func (s *Model) RunSummaryWorker(ctx context.Context, settle time.Duration, log *slog.Logger) {
	if !s.embedded {
		return // MongoDB refreshes at once (see Changed): nothing to queue
	}
	q := &s.summaryQueue
	q.mu.Lock()
	q.running, q.stopped, q.pending, q.wake = true, false, map[string]int64{}, make(chan struct{}, 1)
	q.orders, q.whole = map[string]map[string]bool{}, map[string]bool{}
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.running, q.stopped, q.loaded = false, true, false
		s.keepPendingOrders()
		q.mu.Unlock()
	}()
	if s.loadQueuedSummaries(ctx, log) {
		q.mu.Lock()
		q.loaded = true
		q.mu.Unlock()
	}
	for {
		busy := s.drainSummaries(ctx, log)
		if !sleepCtx(ctx, workerRest*busy) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		}
		if !s.awaitQuiet(ctx, settle) {
			return
		}
	}
}

// summaryMaxDelay bounds how long a burst of changes can hold back the
// worker (see awaitQuiet).
const summaryMaxDelay = 30 * time.Second

// awaitQuiet waits until no change was queued for settle, or until
// summaryMaxDelay has passed: during a burst of answers the worker's
// reads and writes would only slow the clients down, and the readers that
// need a month exact (exports) refresh it themselves. False when ctx ends.
func (s *Model) awaitQuiet(ctx context.Context, settle time.Duration) bool {
	q := &s.summaryQueue
	first := time.Now()
	for {
		if !sleepCtx(ctx, settle) {
			return false
		}
		q.mu.Lock()
		quiet := time.Since(q.lastChange) >= settle
		q.mu.Unlock()
		if quiet || time.Since(first) >= summaryMaxDelay {
			return true
		}
	}
}

// sleepCtx sleeps for d; false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// DrainQueuedSummaries refreshes every summary queued in the store (by a
// worker that stopped, or a crash) and those this process still holds,
// then drops their markers; changes made afterwards are refreshed at once
// again until a worker runs. For tests and one-off commands: serve leaves
// the queue to its worker.
func (s *Model) DrainQueuedSummaries(ctx context.Context, log *slog.Logger) {
	if !s.embedded {
		return
	}
	q := &s.summaryQueue
	q.mu.Lock()
	if q.pending == nil {
		q.pending = map[string]int64{}
	}
	if q.orders == nil {
		q.orders, q.whole = map[string]map[string]bool{}, map[string]bool{}
	}
	q.stopped = false
	q.mu.Unlock()
	s.loadQueuedSummaries(ctx, log)
	s.drainSummaries(ctx, log)
}

// loadQueuedSummaries takes up the markers stored by an earlier run (or a
// crash); false when they could not be read.
func (s *Model) loadQueuedSummaries(ctx context.Context, log *slog.Logger) bool {
	cur, err := s.db.Collection(colSummaryQueue).Find(ctx, bson.M{})
	if err != nil {
		log.Error("summary queue: read markers", "error", err.Error())
		return false
	}
	var markers []queueMarker
	if err := cur.All(ctx, &markers); err != nil {
		log.Error("summary queue: read markers", "error", err.Error())
		return false
	}
	q := &s.summaryQueue
	q.mu.Lock()
	for _, m := range markers {
		q.pending[m.ID] = m.Generation
		if !m.Partial || len(m.Orders) == 0 {
			q.whole[m.ID] = true // which orders changed is not stored
			continue
		}
		if q.orders[m.ID] == nil {
			q.orders[m.ID] = map[string]bool{}
		}
		for _, oid := range m.Orders {
			q.orders[m.ID][oid] = true
		}
	}
	q.mu.Unlock()
	return true
}

// workerRest is how many times as long as it worked the summary worker
// rests: on the embedded store every write waits for the one before, and
// the worker's bookkeeping must not crowd out clients' answers.
const workerRest = 3

// drainSummaries refreshes every pending summary, then drops its marker.
// A failed refresh stays pending (and keeps its marker for the next start).
// It returns the time it spent working, rests excluded.
func (s *Model) drainSummaries(ctx context.Context, log *slog.Logger) time.Duration {
	q := &s.summaryQueue
	q.mu.Lock()
	batch, orders, whole := q.pending, q.orders, q.whole
	q.pending, q.idle = map[string]int64{}, len(batch) == 0
	q.orders, q.whole, q.changes = map[string]map[string]bool{}, map[string]bool{}, map[string]int{}
	q.mu.Unlock()
	began, rested := time.Now(), time.Duration(0)
	defer func() { q.mu.Lock(); q.idle = len(q.pending) == 0; q.mu.Unlock() }()
	// While serving, the answered copies are written at a worker's pace;
	// the final drain at shutdown writes them straight away.
	pace := func(took time.Duration) {
		q.mu.Lock()
		serving := q.running
		q.mu.Unlock()
		if serving {
			rest := workerRest * took
			sleepCtx(ctx, rest)
			rested += rest
		}
	}
	for _, id := range slices.Sorted(maps.Keys(batch)) {
		gen := batch[id]
		if ctx.Err() != nil {
			// Stopping: the rest keeps its marker for the next start.
			q.mu.Lock()
			if _, again := q.pending[id]; !again {
				q.pending[id] = gen
			}
			if q.orders[id] == nil {
				q.orders[id] = map[string]bool{}
			}
			maps.Copy(q.orders[id], orders[id])
			q.whole[id] = q.whole[id] || whole[id]
			q.mu.Unlock()
			continue
		}
		sid, month, ok := strings.Cut(id, ":")
		if !ok {
			continue
		}
		var err error
		if whole[id] || len(orders[id]) == 0 {
			err = s.refreshSummary(ctx, sid, month, pace)
		} else {
			err = s.patchSummary(ctx, sid, month, orders[id])
		}
		if err != nil {
			if ctx.Err() == nil {
				log.Error("summary refresh failed", "summary", id, "error", err.Error())
			}
			q.mu.Lock()
			if _, again := q.pending[id]; !again {
				q.pending[id] = gen // its marker is still stored
			}
			if q.orders[id] == nil {
				q.orders[id] = map[string]bool{}
			}
			maps.Copy(q.orders[id], orders[id])
			q.whole[id] = q.whole[id] || whole[id]
			q.mu.Unlock()
			continue
		}
		// A change queued during the refresh wrote a marker of a newer
		// generation, which stays. (The filter scans the small queue on
		// the embedded store.)
		s.dropMarker(ctx, id, gen)
	}
	return time.Since(began) - rested
}

// SummariesIdle reports whether the summary worker has nothing left to do
// (load tests wait for it before measuring the store alone).
func (s *Model) SummariesIdle() bool {
	q := &s.summaryQueue
	q.mu.Lock()
	defer q.mu.Unlock()
	return !q.running || (q.idle && len(q.pending) == 0)
}

// dropMarker deletes the marker of summary id if it is still of generation
// gen (0: a marker written before generations, dropped whatever it holds).
func (s *Model) dropMarker(ctx context.Context, id string, gen int64) {
	filter := bson.M{"_id": id}
	if gen != 0 {
		filter["generation"] = gen
	}
	if _, err := s.db.Collection(colSummaryQueue).DeleteOne(ctx, filter); err != nil {
		s.log.Warn("refresh marker not dropped: the month is refreshed again at the next start", slog.String("summary", id), slog.String("error", err.Error()))
	}
}
