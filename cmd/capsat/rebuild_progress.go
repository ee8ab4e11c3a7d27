package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"capsat/survey/readmodel"
)

// rebuildProgress prints how far `capsat admin rebuild-summaries` has gone:
// structures done out of all, time elapsed and an estimate of what is left,
// on a line of its own at a fixed interval (a rebuild of a large store
// takes minutes, mostly in reads that say nothing meanwhile).
type rebuildProgress struct {
	mu    sync.Mutex
	w     io.Writer
	began time.Time
	p     readmodel.RebuildProgress
}

func newRebuildProgress(w io.Writer, began time.Time) *rebuildProgress {
	return &rebuildProgress{w: w, began: began}
}

// set records the rebuild's progress (called by the rebuild).
func (r *rebuildProgress) set(p readmodel.RebuildProgress) {
	r.mu.Lock()
	r.p = p
	r.mu.Unlock()
}

// line prints the current progress.
func (r *rebuildProgress) line() {
	r.mu.Lock()
	defer r.mu.Unlock()
	elapsed := time.Since(r.began)
	estimate := "time left unknown yet"
	switch {
	case r.p.Total > 0 && r.p.Done >= r.p.Total:
		estimate = "done"
	case r.p.Done > 0:
		left := time.Duration(float64(elapsed) * float64(r.p.Total-r.p.Done) / float64(r.p.Done))
		estimate = "about " + left.Round(time.Second).String() + " left"
	}
	fmt.Fprintf(r.w, "rebuild-summaries: %d/%d structures, %s elapsed, %s\n", r.p.Done, r.p.Total, elapsed.Round(time.Second), estimate)
}

// every prints the progress every interval until stop is called.
func (r *rebuildProgress) every(interval time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				r.line()
			}
		}
	}()
	return func() { close(done); <-finished }
}
