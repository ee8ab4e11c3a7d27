package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// demoProgress tells (a nil one tells nothing), on stderr, how far the demo is: a line every
// interval (the demo runs for minutes on a loaded machine and must not
// look stuck) and one per structure finished.
type demoProgress struct {
	mu        sync.Mutex
	w         io.Writer
	started   time.Time
	structure string
	index     int
	total     int
	counts    demoCounts
	stop      chan struct{}
	done      chan struct{}
}

// startDemoProgress prints a progress line every interval until stop.
func startDemoProgress(w io.Writer, total int, interval time.Duration) *demoProgress {
	p := &demoProgress{w: w, started: time.Now(), total: total, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
				p.print("")
			}
		}
	}()
	return p
}

// structureStarted names the structure being filled (i from 0).
func (p *demoProgress) structureStarted(i int, name string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.index, p.structure = i, name
	p.mu.Unlock()
}

// structureDone says that the current structure is complete.
func (p *demoProgress) structureDone() { p.print("done") }

// orderDone counts one order's run as it is recorded (c holds what it
// created), for the periodic lines.
func (p *demoProgress) orderDone(c demoCounts) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts.add(c)
}

func (p *demoProgress) print(what string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if what == "" {
		what = "in progress"
	}
	fmt.Fprintf(p.w, "demo: structure %d/%d (%s) %s: %d orders created, %d answers, %s elapsed\n",
		p.index+1, p.total, p.structure, what, p.counts.OrdersCreated, p.counts.Responses,
		time.Since(p.started).Round(time.Second))
}

// close stops the periodic lines.
func (p *demoProgress) close() {
	close(p.stop)
	<-p.done
}

// demoCounts counts what a run created; orders_existing were found from an
// earlier run and left untouched.
type demoCounts struct {
	OrdersCreated  int `json:"orders_created"`
	OrdersExisting int `json:"orders_existing"`
	SurveysIssued  int `json:"surveys_issued"`
	Responses      int `json:"responses"`
	Unanswered     int `json:"unanswered"` // link still open
	Expired        int `json:"expired"`
	Cancelled      int `json:"cancelled"`
}

func (c *demoCounts) add(o demoCounts) {
	c.OrdersCreated += o.OrdersCreated
	c.OrdersExisting += o.OrdersExisting
	c.SurveysIssued += o.SurveysIssued
	c.Responses += o.Responses
	c.Unanswered += o.Unanswered
	c.Expired += o.Expired
	c.Cancelled += o.Cancelled
}
