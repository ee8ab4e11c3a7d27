package handlers

import (
	"sync"
	"time"
)

// rateLimiter counts events per key in fixed windows, in memory. It guards
// public pages and logins of one instance; keys are IPs or account names.
type rateLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	counts map[string]*windowCount
	swept  time.Time
}

type windowCount struct {
	start time.Time
	n     int
}

// newRateLimiter allows limit events per window and key; limit 0 disables it.
func newRateLimiter(limit int, window time.Duration, now func() time.Time) *rateLimiter {
	if now == nil {
		now = time.Now
	}
	return &rateLimiter{limit: limit, window: window, now: now, counts: map[string]*windowCount{}}
}

// allow records one event for key and reports whether it is within the limit.
func (l *rateLimiter) allow(key string) bool {
	if l == nil || l.limit <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	wc, ok := l.counts[key]
	if !ok || now.Sub(wc.start) >= l.window {
		wc = &windowCount{start: now}
		l.counts[key] = wc
	}
	wc.n++
	return wc.n <= l.limit
}

// reset forgets a key (after a successful login, say).
func (l *rateLimiter) reset(key string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	delete(l.counts, key)
	l.mu.Unlock()
}

// sweep drops finished windows once per window, so memory stays bounded by
// the number of keys seen in one window.
func (l *rateLimiter) sweep(now time.Time) {
	if now.Sub(l.swept) < l.window {
		return
	}
	for k, wc := range l.counts {
		if now.Sub(wc.start) >= l.window {
			delete(l.counts, k)
		}
	}
	l.swept = now
}
