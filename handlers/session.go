package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

const (
	// sessionCookieName holds the session token; the store keeps only its hash.
	sessionCookieName = "capsat_session"

	ctxSession      = "capsat.session"
	ctxSessionToken = "capsat.session_token"

	// homePath is the account page.
	homePath = "/compte"
	// landingPath is where a login lands when no safe next path is given: it
	// sends each user to their dashboard (structure, region or network).
	landingPath = "/tableau-de-bord"
	loginPath   = "/connexion"
)

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
