package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/gin-gonic/gin"
)

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
