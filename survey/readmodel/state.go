package readmodel

import (
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // months are French months wherever capsat runs
)

// summaryState serialises summary writes inside the process and hands out
// snapshot sequence numbers. Its zero value is ready to use.
type summaryState struct {
	idLocks
	lastSeq atomic.Int64
}

// idLocks are mutexes by document id, striped. Its zero value is ready to use.
type idLocks struct {
	locks [64]sync.Mutex
}

// lock locks id's stripe and returns its unlock.
func (l *idLocks) lock(id string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	m := &l.locks[h.Sum32()%uint32(len(l.locks))]
	m.Lock()
	return m.Unlock
}

// nextSeq returns a strictly increasing number tied to the wall clock (real
// time, not the injected clock: it orders snapshots, it is not a date), so
// that snapshots taken later, in this process or another, rank higher.
func (st *summaryState) nextSeq() int64 {
	for {
		last := st.lastSeq.Load()
		next := max(time.Now().UnixNano(), last+1)
		if st.lastSeq.CompareAndSwap(last, next) {
			return next
		}
	}
}

// summaryQueue defers summary refreshes to one background worker while
// `serve` runs, so that a client's answer never waits for a recomputation
// (on the embedded store a recomputation scans whole collections). Changes
// to the same structure-month made while a refresh is pending coalesce,
// and so do their markers: only the first change writes one, so that a
// burst of answers costs each one write, its own.
// With no worker running (tests, admin commands) refreshes stay synchronous.
type summaryQueue struct {
	mu      sync.Mutex
	running bool
	// stopped: the worker ended (shutdown) and no drain has run since:
	// changes only leave their marker, taken up at the next start.
	stopped bool
	// pending maps the summary ids waiting for a refresh to the generation
	// of their stored marker: the worker deletes the marker it saw, not one
	// that a later change wrote while it was refreshing.
	pending map[string]int64
	// orders lists, for each pending summary id, the orders whose changes
	// it waits for (the worker patches the month with them); an id in
	// whole (a marker an earlier run left, or a patch that failed) is
	// refreshed from its sources instead.
	orders map[string]map[string]bool
	whole  map[string]bool
	wake   chan struct{}
	idle   bool // the last drain ended with nothing pending
	// lastChange is when a change was last queued (real time).
	lastChange time.Time
	// loaded: the running worker took up the stored markers at its start;
	// since then this process's state says all (the embedded store is one
	// process's), and readers need not read the markers.
	loaded bool
	// changes counts the changes queued to each pending id, so that a
	// reader that patched a month itself can tell that none came since.
	changes map[string]int
}

// queueMarker is the stored form of a pending refresh.
type queueMarker struct {
	ID         string    `bson:"_id"`
	Queued     time.Time `bson:"queued_at"`
	Generation int64     `bson:"generation"`
	// Partial markers list every order changed since the month's ledger
	// was written (a worker that stopped wrote them, and changes made
	// while it was stopped add theirs): the next start patches the month
	// with them. Others (a crash) have the month refreshed from its sources.
	Partial bool     `bson:"partial,omitempty"`
	Orders  []string `bson:"orders,omitempty"`
}

// refreshState is whether a refresh of a summary is waiting: in this
// process's worker, or (by its stored marker) in any process's.
type refreshState struct {
	inProcess bool
	gen       int64 // the in-process generation
	changes   int   // the changes queued to it when read
	stored    *queueMarker
	// orders are the orders the in-process refresh waits for, unless whole.
	orders map[string]bool
	whole  bool
}

func (r refreshState) waiting() bool { return r.inProcess || r.stored != nil }
