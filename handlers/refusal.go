package handlers

import (
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// ctxPageViews marks a page request and holds the views of its refusals.
const ctxPageViews = "capsat.page_views"

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

// refusalPage is the data of refusal.html. A signed-in reader is offered
// the way back to their home page (and their account links), others the
// sign-in page.
type refusalPage struct {
	Title    string
	Message  string
	SignedIn bool
	CSRF     string
}

func renderRefusal(c *gin.Context, status int, title, message string) {
	v, _ := c.Get(ctxPageViews)
	c.Abort()
	if vs, ok := v.(*views); ok {
		page := refusalPage{Title: title, Message: message}
		if v, ok := c.Get(ctxSession); ok {
			page.SignedIn, page.CSRF = true, v.(*accounts.Session).CSRFToken
		}
		vs.render(c, status, "refusal", page)
		return
	}
	c.String(status, message)
}
