package handlers

import "github.com/gin-gonic/gin"

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
