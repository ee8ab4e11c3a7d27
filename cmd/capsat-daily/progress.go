package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress writes the seeding's progress lines on stderr: a line when a
// step ends, and one at least every few seconds while a long one runs (a
// 50,000-response seeding takes a while, and its state file is written
// only at the end).
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	began time.Time
	every time.Duration
	last  time.Time // of the last line
}

// linef writes a line, prefixed by the time since the seeding began.
func (p *progress) linef(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = time.Now()
	fmt.Fprintf(p.w, "[%6.1fs] %s\n", time.Since(p.began).Seconds(), fmt.Sprintf(format, args...))
}

// maybe writes a line when one is due (none written for p.every); it is
// cheap enough to call after every store call.
func (p *progress) maybe(format string, args ...any) {
	p.mu.Lock()
	due := time.Since(p.last) >= p.every
	p.mu.Unlock()
	if due {
		p.linef(format, args...)
	}
}

// ticking writes "what… N s" every p.every until the returned stop is
// called, for a step that tells nothing while it runs.
func (p *progress) ticking(what string) (stop func()) {
	t := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(p.every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				p.linef("%s… %.0f s", what, time.Since(t).Seconds())
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
