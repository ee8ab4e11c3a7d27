package handlers

import (
	"context"
	"net/http"
	"testing"
)

// Readiness answers from the store's last write probe, without waiting for
// the store: 503 until a probe ran, 200 with the probe's age after one.
func TestReadyzReportsTheLastWriteProbe(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	rec := e.do(http.MethodGet, "/readyz", "", "")
	if rec.Code != http.StatusServiceUnavailable || decode[map[string]any](t, rec)["status"] != "unavailable" {
		t.Errorf("before any probe: %d %s", rec.Code, rec.Body)
	}
	if err := e.store.ProbeWrite(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec = e.do(http.MethodGet, "/readyz", "", "")
	body := decode[struct {
		Status string     `json:"status"`
		Probe  *probeView `json:"probe"`
	}](t, rec)
	if rec.Code != http.StatusOK || body.Status != "ok" || body.Probe == nil || body.Probe.At.IsZero() || body.Probe.AgeMS < 0 {
		t.Errorf("after a probe: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(http.MethodGet, "/healthz", "", ""); rec.Code != http.StatusOK {
		t.Errorf("/healthz: %d", rec.Code)
	}
}
