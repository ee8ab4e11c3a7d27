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
// binders report as a 413. A body announced too large is refused at once:
// with a French page on pages (markPages must come first), JSON on the API.
func bodyLimit(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			if isPage(c) {
				renderRefusal(c, http.StatusRequestEntityTooLarge, "Envoi trop volumineux",
					fmt.Sprintf("Le fichier ou le formulaire envoyé dépasse la taille autorisée (%s au plus). Revenez à la page précédente pour envoyer un fichier plus petit.", sizeFr(limit)))
				return
			}
			c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, apiError{Error: fmt.Sprintf("Requête trop volumineuse (%d octets au plus).", limit)})
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}

// sizeFr writes a byte count in French units: "10 Mo", "512 Ko".
func sizeFr(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d Mo", n>>20)
	}
	return fmt.Sprintf("%d Ko", max(1, n>>10))
}
