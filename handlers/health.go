package handlers

import (
	"net/http"
	"time"

	"capsat/survey/store"

	"github.com/gin-gonic/gin"
)

// prober is what readiness needs from the store: the outcome of its last
// write probe, which the store runs in the background (store.RunProbes).
type prober interface {
	LastProbe() store.Probe
}

// healthHandlers answer liveness and readiness probes.
type healthHandlers struct {
	store prober
}

// live answers 200 while the process runs.
func (h *healthHandlers) live(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// probeView is the last write probe as /readyz shows it.
type probeView struct {
	At     time.Time `json:"at"`
	AgeMS  int64     `json:"age_ms"`
	TookMS int64     `json:"took_ms"`
	// Cause is why the last probe failed, also while the store, too slow
	// for the probe, still counts as ready (store.ProbeSlowGrace).
	Cause string `json:"cause,omitempty"`
}

// ready answers 200 when the store's last write probe succeeded and is
// recent, 503 otherwise, at once: it reads the probe's outcome and never
// waits for the store. A store merely too slow for the probe stays ready
// for a few seconds (store.Probe.Failing). Ages are real time, not the
// business clock.
func (h *healthHandlers) ready(c *gin.Context) {
	p := h.store.LastProbe()
	now := time.Now()
	if p.At.IsZero() {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": "Le stockage n'a pas encore été sondé."})
		return
	}
	cause := store.FaultCause(p.Err)
	view := probeView{At: p.At.UTC(), AgeMS: now.Sub(p.At).Milliseconds(), TookMS: p.Took.Milliseconds(), Cause: cause}
	switch {
	case p.Failing(now) && (cause == "" || cause == store.CauseUnreachable || cause == store.CauseSlow):
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": "Le stockage ne répond pas.", "cause": cause, "probe": view})
	case p.Failing(now):
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": "Le stockage refuse les écritures.", "cause": cause, "probe": view})
	case now.After(p.Due):
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": "La dernière sonde du stockage est trop ancienne.", "probe": view})
	default:
		c.JSON(http.StatusOK, gin.H{"status": "ok", "probe": view})
	}
}
