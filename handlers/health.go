package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// pinger is what readiness needs from the store.
type pinger interface {
	Ping(ctx context.Context) error
}

// healthHandlers answer liveness and readiness probes.
type healthHandlers struct {
	store pinger
}

// live answers 200 while the process runs.
func (h *healthHandlers) live(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// ready answers 200 when the store answers a ping within 2 seconds, 503 otherwise.
func (h *healthHandlers) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		logger(c).Warn("readiness: store does not answer", "error", err.Error())
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": "Le stockage ne répond pas."})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
