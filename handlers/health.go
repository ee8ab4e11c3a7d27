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
}

// ready answers 200 when the store's last write probe succeeded and is
// recent, 503 otherwise, at once: it reads the probe's outcome and never
// waits for the store. Ages are real time, not the business clock.
func (h *healthHandlers) ready(c *gin.Context) {
	p := h.store.LastProbe()
	now := time.Now()
	if p.At.IsZero() {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": "Le stockage n'a pas encore été sondé."})
		return
	}
	view := probeView{At: p.At.UTC(), AgeMS: now.Sub(p.At).Milliseconds(), TookMS: p.Took.Milliseconds()}
	switch cause := store.FaultCause(p.Err); {
	case p.Err != nil && (cause == "" || cause == store.CauseUnreachable):
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": "Le stockage ne répond pas.", "cause": cause, "probe": view})
	case p.Err != nil:
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": "Le stockage refuse les écritures.", "cause": cause, "probe": view})
	case now.After(p.Due):
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": "La dernière sonde du stockage est trop ancienne.", "probe": view})
	default:
		c.JSON(http.StatusOK, gin.H{"status": "ok", "probe": view})
	}
}
