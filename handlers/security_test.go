package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"capsat/config"
	"capsat/survey"
	"capsat/survey/accounts"
)

// checkPageHeaders fails when a response lacks the page security headers.
func checkPageHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", what, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("%s: CSP allows inline code: %q", what, csp)
	}
	for name, want := range map[string]string{
		"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
		"X-Robots-Tag": "noindex, nofollow", "Cross-Origin-Opener-Policy": "same-origin",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %s = %q, want %q", what, name, got, want)
		}
	}
}

// TestEveryPageCarriesSecurityHeaders: the sign-in, account and password
// pages (which sent none, so that a foreign page could frame /connexion),
// their error pages, refusal and 404 pages carry the same security headers
// as the survey and back-office pages.
func TestEveryPageCarriesSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, _ := e.structure("AI du Bocage", "Normandie")
	other, _ := e.structure("AI de Cornouaille", "Bretagne")
	u := e.user("claire@bocage.test", accounts.RoleStructureMember, st.ID, "")
	session, csrf := e.session(u.ID)
	cases := []struct {
		name   string
		req    func() *http.Request
		status int
		html   bool
	}{
		{"sign-in page", func() *http.Request { return httptest.NewRequest(http.MethodGet, loginPath, nil) }, http.StatusOK, true},
		{"failed sign-in", func() *http.Request {
			return formRequest(loginPath, url.Values{"email": {"claire@bocage.test"}, "password": {"pas-le-bon-mot-de-passe"}}, "")
		}, http.StatusUnauthorized, true},
		{"sign-in from another site", func() *http.Request {
			r := formRequest(loginPath, url.Values{"email": {"claire@bocage.test"}, "password": {testPassword}}, "")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			return r
		}, http.StatusForbidden, true},
		{"account page", func() *http.Request { return cookieRequest(http.MethodGet, homePath, session) }, http.StatusOK, true},
		{"password page", func() *http.Request { return cookieRequest(http.MethodGet, "/compte/mot-de-passe", session) }, http.StatusOK, true},
		{"password refused", func() *http.Request {
			return formRequest("/compte/mot-de-passe", url.Values{csrfField: {csrf}, "current_password": {testPassword},
				"new_password": {"password1234"}, "confirm_password": {"password1234"}}, session)
		}, http.StatusUnprocessableEntity, true},
		{"expired form", func() *http.Request { return formRequest("/compte/mot-de-passe", url.Values{}, session) }, http.StatusForbidden, true},
		{"another structure's page", func() *http.Request { return cookieRequest(http.MethodGet, structurePagesPath(other.ID), session) }, http.StatusNotFound, true},
		{"back-office page", func() *http.Request {
			return cookieRequest(http.MethodGet, structurePagesPath(st.ID)+"/commandes", session)
		}, http.StatusOK, true},
		{"unknown survey link", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/s/"+strings.Repeat("z", survey.TokenLen), nil)
		}, http.StatusNotFound, true},
		{"unknown address", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/nulle-part", nil) }, http.StatusNotFound, false},
		{"method not allowed", func() *http.Request { return httptest.NewRequest(http.MethodDelete, loginPath, nil) }, http.StatusMethodNotAllowed, false},
		{"API", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/api/v1/structures", nil) }, http.StatusUnauthorized, false},
	}
	for _, tc := range cases {
		rec := e.serve(tc.req())
		if rec.Code != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, rec.Code, tc.status)
		}
		if tc.html && !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s: %s, want a page", tc.name, rec.Header().Get("Content-Type"))
		}
		checkPageHeaders(t, tc.name, rec.Header())
		if got := rec.Header().Get("Strict-Transport-Security"); got != "" {
			t.Errorf("%s: HSTS %q with an http base URL", tc.name, got)
		}
	}
}

// TestHSTSWithAnHTTPSBaseURL: with an https base URL, pages, API answers
// and files ask browsers to use https only.
func TestHSTSWithAnHTTPSBaseURL(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	r := e.routerWith(func(c *config.Config) { c.BaseURL = "https://capsat.example.org" })
	for _, path := range []string{loginPath, "/s/" + strings.Repeat("z", survey.TokenLen), "/api/v1/openapi.json", "/static/app.css", "/healthz", "/nulle-part"} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if got := rec.Header().Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
			t.Errorf("%s: HSTS %q", path, got)
		}
	}
}

// formRequest is a form post, with a session cookie when set.
func formRequest(path string, form url.Values, session string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if session != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookieName, Value: session})
	}
	return r
}

// cookieRequest is a request with a session cookie.
func cookieRequest(method, path, session string) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	r.AddCookie(&http.Cookie{Name: sessionCookieName, Value: session})
	return r
}
