package handlers

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

const (
	// sessionCookieName holds the session token; the store keeps only its hash.
	sessionCookieName = "capsat_session"
	// csrfField and csrfHeader carry the session's CSRF token in forms and
	// in scripted requests.
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"

	ctxSession      = "capsat.session"
	ctxSessionToken = "capsat.session_token"
	ctxPageViews    = "capsat.page_views"

	// homePath is the account page.
	homePath = "/compte"
	// landingPath is where a login lands when no safe next path is given: it
	// sends each user to their dashboard (structure, region or network).
	landingPath = "/tableau-de-bord"
	loginPath   = "/connexion"
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

// markPages flags a group's requests as pages, so that refusals answer with
// HTML (a redirect to the login page, an error page) rather than JSON.
func markPages(v *views) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(ctxPageViews, v)
		c.Next()
	}
}

func isPage(c *gin.Context) bool {
	_, ok := c.Get(ctxPageViews)
	return ok
}

// refusalPage is the data of refusal.html.
type refusalPage struct {
	Title   string
	Message string
}

func renderRefusal(c *gin.Context, status int, title, message string) {
	v, _ := c.Get(ctxPageViews)
	c.Abort()
	if vs, ok := v.(*views); ok {
		vs.render(c, status, "refusal", refusalPage{Title: title, Message: message})
		return
	}
	c.String(status, message)
}

// safeNext returns next when it is a path of this site, and landingPath
// otherwise: never an absolute or scheme-relative URL from a query string.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") || len(next) > 500 {
		return landingPath
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Path == loginPath {
		return landingPath
	}
	return next
}

// setSessionCookie gives the browser its session token: HttpOnly,
// SameSite=Lax, Secure when served over HTTPS.
func setSessionCookie(c *gin.Context, token string, maxAge time.Duration, secure bool) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookieName, Value: token, Path: "/", MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
}

func clearSessionCookie(c *gin.Context, secure bool) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
}
