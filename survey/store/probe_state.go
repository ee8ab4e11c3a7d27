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
	// LastOK is when a probe last succeeded (zero: never).
	LastOK time.Time
}

// ProbeSlowGrace is how long a store too slow for the probe still counts
// as ready: a busy embedded store (writers queued on SQLite's lock) is slow
// without being down, and readiness must not take the only instance out of
// service for a burst of answers.
const ProbeSlowGrace = 10 * time.Second

// Failing tells whether the probe says the store cannot serve: it failed,
// and not by mere slowness within ProbeSlowGrace of the last success.
func (p Probe) Failing(now time.Time) bool {
	if p.Err == nil {
		return false
	}
	return FaultCause(p.Err) != CauseSlow || now.Sub(p.LastOK) > ProbeSlowGrace
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
	lastOK := p.last.LastOK
	if pr.Err == nil && pr.At.After(lastOK) {
		lastOK = pr.At
	}
	if pr.At.After(p.last.At) {
		p.last = pr
	}
	p.last.LastOK = lastOK
	return p.last
}

func (p *probeState) get() Probe {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}
