package store

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
