package handlers

import (
	"crypto/subtle"
	"net/http"

	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// csrfField and csrfHeader carry the session's CSRF token in forms and
// in scripted requests.
const (
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
)

// changesState reports whether a method may change data, and so needs a
// CSRF token when the caller is authenticated by cookie.
func changesState(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// validCSRF compares the request's token (header, else form field) with
// the session's, in constant time.
func validCSRF(c *gin.Context, want string) bool {
	got := c.GetHeader(csrfHeader)
	if got == "" {
		got = c.PostForm(csrfField)
	}
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// refuseCSRF refuses a cookie-authenticated change without a valid token.
func refuseCSRF(c *gin.Context) {
	if isPage(c) {
		renderRefusal(c, http.StatusForbidden, "Formulaire expiré", "Ce formulaire a expiré ou ne vient pas de capsat. Rechargez la page et recommencez.")
		return
	}
	c.AbortWithStatusJSON(http.StatusForbidden, apiError{Error: "Jeton CSRF manquant ou invalide (champ csrf_token ou en-tête X-CSRF-Token)."})
}

// csrfToken returns the CSRF token of the caller's session, for forms.
func csrfToken(c *gin.Context) string {
	if v, ok := c.Get(ctxSession); ok {
		return v.(*accounts.Session).CSRFToken
	}
	return ""
}
