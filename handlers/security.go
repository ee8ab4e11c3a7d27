package handlers

import "github.com/gin-gonic/gin"

// contentSecurityPolicy allows only our own stylesheet and images: no script
// at all, no framing, forms posting back to us only.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// pageSecurityHeaders sets the headers of every response, before anything
// answers: every HTML page carries them (survey, sign-in and account pages,
// refusal, error and 404 pages), with the strict content policy of the
// survey pages; the back-office groups widen it to their own scripts
// (backofficeHeaders). With an https base URL, browsers are also told to
// use https only, subdomains included (HSTS, for a year).
func pageSecurityHeaders(https bool) gin.HandlerFunc {
	page := securityHeaders(contentSecurityPolicy)
	return func(c *gin.Context) {
		if https {
			c.Header("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		page(c)
	}
}

// securityHeaders sets the headers every HTML page carries, public survey
// pages and back-office pages alike, with the page's content policy. Survey
// URLs hold their token, hence no-referrer (the token must not leak to other
// sites), noindex and no-store.
func securityHeaders(csp string) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Robots-Tag", "noindex, nofollow")
		h.Set("Cache-Control", "no-store")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		c.Next()
	}
}

// limitPerIP counts every request of a client IP in l and hands the ones
// over the limit to refuse, which must answer (429) and abort.
func limitPerIP(l *rateLimiter, refuse gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !l.allow(c.ClientIP()) {
			c.Header("Retry-After", "60")
			refuse(c)
			c.Abort()
			return
		}
		c.Next()
	}
}
