package handlers

import (
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// originOf returns "scheme://host[:port]" of an absolute URL, lower-cased,
// or "" when raw is not one.
func originOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// foreignPost reports whether a form posted without a session (the login
// form) comes from another site, by what the browser says of it:
//   - Sec-Fetch-Site other than same-origin (or none: the user's own
//     doing), so cross-site and same-site (a sibling subdomain) alike;
//   - an Origin that is neither baseOrigin (the configured base URL's) nor
//     the request's own host (whatever the scheme a proxy in front used).
//
// "Origin: null" is not foreign by itself: browsers send it for our own
// forms, whose pages say Referrer-Policy: no-referrer; where they also
// send Sec-Fetch-Site, that header tells a sandboxed foreign page apart.
// A request with neither header (curl, scripts) is no browser's, and
// cannot carry a victim's browser into a session.
func foreignPost(c *gin.Context, baseOrigin string) bool {
	switch c.GetHeader("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return true
	}
	origin := strings.TrimSpace(c.GetHeader("Origin"))
	if origin == "" || origin == "null" {
		return false
	}
	o := originOf(origin)
	if o == "" {
		return true
	}
	if o == baseOrigin {
		return false
	}
	_, host, _ := strings.Cut(o, "://")
	return !strings.EqualFold(host, c.Request.Host)
}
