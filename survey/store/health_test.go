package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// A probe fails readiness at once when the store cannot write, and only
// after a grace when the store is merely too slow for it.
func TestProbeFailingGivesSlowStoresAGrace(t *testing.T) {
	t.Parallel()
	now := time.Now()
	slow := store.Translate(fmt.Errorf("update: %w", context.DeadlineExceeded))
	full := store.Translate(mongo.CommandError{Code: 1, Message: "database or disk is full (13)"})
	cases := []struct {
		name string
		p    store.Probe
		want bool
	}{
		{"success", store.Probe{At: now, LastOK: now}, false},
		{"slow, last success 3 s ago", store.Probe{At: now, Err: slow, LastOK: now.Add(-3 * time.Second)}, false},
		{"slow for too long", store.Probe{At: now, Err: slow, LastOK: now.Add(-store.ProbeSlowGrace - time.Second)}, true},
		{"slow, never succeeded", store.Probe{At: now, Err: slow}, true},
		{"disk full", store.Probe{At: now, Err: full, LastOK: now.Add(-time.Second)}, true},
	}
	for _, c := range cases {
		if got := c.p.Failing(now); got != c.want {
			t.Errorf("%s: Failing = %v, want %v", c.name, got, c.want)
		}
	}
}

// ProbeWrite writes the health document and records when it last succeeded.
func TestProbeWriteRecordsItsOutcome(t *testing.T) {
	t.Parallel()
	s := surveytest.Store(t, nil)
	if p := s.LastProbe(); !p.At.IsZero() {
		t.Fatalf("a probe before any: %+v", p)
	}
	before := time.Now()
	if err := s.ProbeWrite(context.Background()); err != nil {
		t.Fatal(err)
	}
	p := s.LastProbe()
	if p.Err != nil || p.At.Before(before) || !p.LastOK.Equal(p.At) || !p.Due.After(p.At) {
		t.Errorf("probe: %+v", p)
	}
	n, err := s.DB().Collection("health").CountDocuments(context.Background(), map[string]any{})
	if err != nil || n != 1 {
		t.Errorf("health documents: %d (%v), want 1", n, err)
	}
}
