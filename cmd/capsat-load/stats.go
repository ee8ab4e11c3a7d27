package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// submission is the outcome of answering one link.
type submission struct {
	get, post time.Duration
	status    int // status of the post; 0 when it failed before
	err       error
}

// submitResult sums up the load phase.
type submitResult struct {
	elapsed    time.Duration
	accepted   int            // posts answered 303 (stored)
	postStatus map[string]int // token → status of its post (0: failed before)
	statuses   map[int]int    // other post statuses
	failures   map[string]int
	gets       []time.Duration
	posts      []time.Duration
	perAnswer  []time.Duration // get + post
}

func newSubmitResult(tokens []string, subs []submission, elapsed time.Duration) *submitResult {
	r := &submitResult{elapsed: elapsed, statuses: map[int]int{}, failures: map[string]int{}, postStatus: map[string]int{}}
	for i, s := range subs {
		r.postStatus[tokens[i]] = s.status
		switch {
		case s.err != nil:
			r.failures[failureKind(s.err)]++
			continue
		case s.status == 303:
			r.accepted++
		default:
			r.statuses[s.status]++
		}
		r.gets = append(r.gets, s.get)
		r.posts = append(r.posts, s.post)
		r.perAnswer = append(r.perAnswer, s.get+s.post)
	}
	return r
}

// rate is stored answers per second.
func (r *submitResult) rate() float64 { return float64(r.accepted) / r.elapsed.Seconds() }

func (r *submitResult) print(out io.Writer) {
	fmt.Fprintf(out, "HTTP: %d answers stored in %s: %.0f submissions/s (%.0f requests/s); other statuses %v; failures %v\n",
		r.accepted, r.elapsed.Round(time.Millisecond), r.rate(), 2*r.rate(), r.statuses, r.failures)
	for _, l := range []struct {
		name string
		d    []time.Duration
	}{{"GET /s/{token}", r.gets}, {"POST /s/{token}", r.posts}, {"GET+POST", r.perAnswer}} {
		p := percentiles(l.d)
		fmt.Fprintf(out, "  %-16s p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms\n", l.name, p[0], p[1], p[2])
	}
}

// percentiles returns p50, p95 and p99 in milliseconds.
func percentiles(d []time.Duration) [3]float64 {
	var out [3]float64
	if len(d) == 0 {
		return out
	}
	s := slices.Clone(d)
	slices.Sort(s)
	for i, p := range []float64{.50, .95, .99} {
		idx := min(len(s)-1, int(p*float64(len(s))))
		out[i] = float64(s[idx].Microseconds()) / 1000
	}
	return out
}

// failureKind shortens an error to its kind, without the token.
func failureKind(err error) string {
	msg := err.Error()
	for _, kind := range []string{"Client.Timeout", "connection reset", "connection refused", "EOF", "get form: status"} {
		if strings.Contains(msg, kind) {
			return kind
		}
	}
	return msg
}
