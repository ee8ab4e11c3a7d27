package handlers

import (
	"net/http"
	"strings"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// isAPIPath tells the JSON API's paths, the only ones answered in JSON.
func isAPIPath(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }

// fallbacks answers what no route serves: the API in JSON, every other
// path with a French page (the session, when there is one, offers the way
// back home). They run with the engine's middleware only, so they mark the
// page and read the session themselves.
func fallbacks(pages *views, a authenticator) (noRoute, noMethod gin.HandlersChain) {
	page := func(err error) gin.HandlersChain {
		return gin.HandlersChain{
			func(c *gin.Context) {
				if isAPIPath(c.Request.URL.Path) {
					respondError(c, err)
				}
			},
			markPages(pages), optionalSession(a),
			func(c *gin.Context) { refusePageNoLogin(c, err) },
		}
	}
	return page(survey.ErrNotFound), page(errMethodNotAllowed)
}

// optionalSession reads a session cookie when there is one, never refusing:
// a fallback page only needs to know who is reading it.
func optionalSession(a authenticator) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, err := c.Cookie(sessionCookieName)
		if err != nil || token == "" {
			return
		}
		if sess, p, err := a.Session(c.Request.Context(), token); err == nil {
			c.Set(ctxPrincipal, p)
			c.Set(ctxSession, sess)
		}
	}
}

// refusePageNoLogin renders the refusal page of err, never the login
// redirect: an unknown address stays unknown whoever asks.
func refusePageNoLogin(c *gin.Context, err error) {
	p := problemOf(err)
	renderRefusal(c, p.Status, p.Title, p.Page)
}

// toHome is "/": the signed-in user's home, or the sign-in page.
func toHome(c *gin.Context) {
	if principal(c) == nil {
		c.Redirect(http.StatusSeeOther, loginPath)
		return
	}
	toStructureHome(c)
}
