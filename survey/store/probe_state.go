package store

import (
	"sync"
	"time"
)

// Probe is the outcome of one write probe of the store (see ProbeWrite).
type Probe struct {
	At   time.Time     // when it ended (real time); zero: no probe yet
	Took time.Duration // how long the write took, or how long it was waited for
	Err  error         // nil when the store wrote; a *Fault when it could not
	// Due is when the next probe's outcome is expected: past it, this one
	// says nothing of the store any more (the prober is stuck or stopped).
	Due time.Time
}

// probeState keeps the last probe for readers that must not wait for the
// store (the readiness probe).
type probeState struct {
	mu   sync.Mutex
	last Probe
}

func (p *probeState) record(pr Probe) Probe {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Probes may overlap (a manual one beside the background one): the
	// latest to end is the news.
	if pr.At.After(p.last.At) {
		p.last = pr
	}
	return p.last
}

func (p *probeState) get() Probe {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}
