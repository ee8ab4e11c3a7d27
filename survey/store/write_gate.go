package store

import (
	"context"
	"sync"
)

// writeGate lets the store's hot writes (answers, and the summary worker's
// writes that run beside them) reach the database a few at a time. The
// embedded store's SQLite lets one writer in at a time and makes colliding
// writers back off in growing sleeps, during which the database sits idle:
// queued here instead, writes follow each other without gaps (measured in
// BENCHMARKS.md). On MongoDB the gate is wide. Which one applies is asked
// of the store on each write (the answer is cached once known), so that a
// failed first ask does not narrow a MongoDB store for good.
type writeGate struct {
	once         sync.Once
	narrow, wide chan struct{}
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
		g.narrow, g.wide = make(chan struct{}, embeddedWriteSlots), make(chan struct{}, mongoWriteSlots)
	})
	slots := g.wide
	if s.onFerretDB(ctx) {
		slots = g.narrow
	}
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
