package store

import "context"

// writeGate lets the store's hot writes (answers, and the summary worker's
// writes that run beside them) reach the database a few at a time. The
// embedded store's SQLite lets one writer in at a time and makes colliding
// writers back off in growing sleeps, during which the database sits idle:
// queued here instead, writes follow each other without gaps (measured in
// BENCHMARKS.md). On MongoDB the gate is wide.
type writeGate struct {
	slots chan struct{}
}

// Gate widths by store.
const (
	embeddedWriteSlots = 1
	mongoWriteSlots    = 64
)

func (g *writeGate) init(embedded bool) {
	n := mongoWriteSlots
	if embedded {
		n = embeddedWriteSlots
	}
	g.slots = make(chan struct{}, n)
}

// AcquireWrite waits for a write slot; release gives it back.
func (s *Store) AcquireWrite(ctx context.Context) (release func(), err error) {
	select {
	case s.writes.slots <- struct{}{}:
		return func() { <-s.writes.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
