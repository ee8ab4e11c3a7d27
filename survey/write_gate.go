package survey

import (
	"context"
	"sync"
)

// writeGate lets the store's hot writes (answers, and the summary worker's
// writes that run beside them) reach the database a few at a time. The
// embedded store's SQLite lets one writer in at a time and makes colliding
// writers back off in growing sleeps, during which the database sits idle:
// queued here instead, writes follow each other without gaps (measured in
// BENCHMARKS.md). On MongoDB the gate is wide.
type writeGate struct {
	once  sync.Once
	slots chan struct{}
}

// Gate widths by store.
const (
	embeddedWriteSlots = 1
	mongoWriteSlots    = 64
)

// acquireWrite waits for a write slot; release gives it back.
func (s *Store) acquireWrite(ctx context.Context) (release func(), err error) {
	g := &s.writes
	g.once.Do(func() {
		n := mongoWriteSlots
		if s.onFerretDB(ctx) {
			n = embeddedWriteSlots
		}
		g.slots = make(chan struct{}, n)
	})
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
