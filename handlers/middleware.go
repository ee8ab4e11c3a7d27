package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
)

const (
	ctxLogger    = "capsat.logger"
	ctxRequestID = "capsat.request_id"
)

// requestID gives every request an id (or keeps a sane incoming one), sets
// it on the response and on a request-scoped logger.
func requestID(base *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-Id")
		if len(id) < 8 || len(id) > 64 || !printableASCII(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set(ctxRequestID, id)
		c.Set(ctxLogger, base.With(slog.String("request_id", id)))
		c.Header("X-Request-Id", id)
		c.Next()
	}
}

func printableASCII(s string) bool {
	for _, r := range s {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}

// logger returns the request-scoped logger.
func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

// accessLog logs one line per request, without the query string (it may hold
// tokens) and with survey tokens cut from the path.
func accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		path := c.FullPath()
		if path == "" {
			path = "unmatched"
		}
		logger(c).Info("request",
			slog.String("method", c.Request.Method),
			slog.String("route", path),
			slog.Int("status", c.Writer.Status()),
			slog.Duration("duration", time.Since(start)),
			slog.String("ip", c.ClientIP()),
		)
	}
}

// recovery turns a panic into a logged error and a JSON 500 without internals.
func recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				logger(c).Error("panic", slog.String("panic", fmt.Sprint(r)), slog.String("stack", string(debug.Stack())))
				if !c.Writer.Written() {
					c.AbortWithStatusJSON(http.StatusInternalServerError, apiError{Error: "Erreur interne. Réessayez plus tard."})
				} else {
					c.Abort()
				}
			}
		}()
		c.Next()
	}
}

// bodyLimit caps request bodies; reading past the limit fails, which the
// binders report as a 413.
func bodyLimit(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, apiError{Error: fmt.Sprintf("Requête trop volumineuse (%d octets au plus).", limit)})
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}
