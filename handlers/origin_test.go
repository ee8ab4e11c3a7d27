package handlers

import (
	"net/http"
	"net/url"
	"testing"

	"capsat/survey/accounts"
)

// TestLoginRefusesForeignPosts: login CSRF is refused by Sec-Fetch-Site
// and by Origin (a post with only Origin: https://evil.example signed in);
// capsat's own form, which browsers send with Origin: null under
// Referrer-Policy: no-referrer, and clients without either header sign in.
func TestLoginRefusesForeignPosts(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t) // base URL http://capsat.test; requests to example.com
	st, _ := e.structure("AI du Bocage", "Normandie")
	e.user("claire@bocage.test", accounts.RoleStructureAdmin, st.ID, "")
	cases := []struct {
		name, origin, fetchSite string
		signedIn                bool
	}{
		{"foreign Origin alone", "https://evil.example", "", false},
		{"foreign Origin said same-origin", "https://evil.example", "same-origin", false},
		{"cross-site", "", "cross-site", false},
		{"same-site (a sibling subdomain)", "http://autre.capsat.test", "same-site", false},
		{"sandboxed foreign page", "null", "cross-site", false},
		{"Origin that is not a URL", "evil", "", false},
		{"base URL's origin", "http://capsat.test", "same-origin", true},
		{"base URL's origin, another case", "HTTP://Capsat.Test", "", true},
		{"request's own host behind an https proxy", "https://example.com", "same-origin", true},
		{"own form under no-referrer", "null", "same-origin", true},
		{"typed by the user", "", "none", true},
		{"no browser headers", "", "", true},
	}
	for _, tc := range cases {
		req := formRequest(loginPath, url.Values{"email": {"claire@bocage.test"}, "password": {testPassword}}, "")
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		if tc.fetchSite != "" {
			req.Header.Set("Sec-Fetch-Site", tc.fetchSite)
		}
		rec := e.serve(req)
		switch {
		case tc.signedIn && (rec.Code != http.StatusSeeOther || sessionCookie(rec) == nil):
			t.Errorf("%s: %d, want a session", tc.name, rec.Code)
		case !tc.signedIn && (rec.Code != http.StatusForbidden || sessionCookie(rec) != nil):
			t.Errorf("%s: %d, want 403 without a session", tc.name, rec.Code)
		}
	}
}
