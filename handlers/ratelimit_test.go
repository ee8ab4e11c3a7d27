package handlers

import (
	"testing"
	"time"
)

func TestRateLimiterWindows(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	l := newRateLimiter(3, time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if !l.allow("1.2.3.4") {
			t.Fatalf("event %d refused", i+1)
		}
	}
	if l.allow("1.2.3.4") {
		t.Fatal("fourth event allowed")
	}
	if !l.allow("5.6.7.8") {
		t.Fatal("other key refused")
	}
	now = now.Add(time.Minute)
	if !l.allow("1.2.3.4") {
		t.Fatal("new window refused")
	}
	l.reset("1.2.3.4")
	if len(l.counts) != 0 { // 5.6.7.8 was swept with its window, 1.2.3.4 reset
		t.Fatalf("sweep kept %d keys", len(l.counts))
	}
	if !newRateLimiter(0, time.Minute, nil).allow("x") {
		t.Fatal("disabled limiter refused")
	}
}
