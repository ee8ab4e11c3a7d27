package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"capsat/survey/accounts"
)

// TestFallbacksArePagesOutsideTheAPI: "/" leads to the sign-in page or the
// user's home; unknown pages and wrong methods are French pages with a
// way back (home for a signed-in user); the API alone answers JSON.
func TestFallbacksArePagesOutsideTheAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, _ := e.structure("AI du Bocage", "Normandie")
	member := e.user("membre@bocage.test", accounts.RoleStructureMember, st.ID, "")
	fed := e.user("federation@reseau.test", accounts.RoleFederation, "", "")
	memberToken, _ := e.session(member.ID)
	fedToken, _ := e.session(fed.ID)
	cookie := func(token string) string { return sessionCookieName + "=" + token }

	for _, tc := range []struct {
		name, method, path, cookie string
		status                     int
		location                   string // redirect target
		contains                   []string
		json                       bool
	}{
		{name: "root, anonymous", method: "GET", path: "/", status: http.StatusSeeOther, location: loginPath},
		{name: "root, member", method: "GET", path: "/", cookie: cookie(memberToken), status: http.StatusSeeOther, location: structurePagesPath(st.ID)},
		{name: "root, federation", method: "GET", path: "/", cookie: cookie(fedToken), status: http.StatusSeeOther, location: "/app/reseau"},
		{name: "unknown page, anonymous", method: "GET", path: "/nulle-part", status: http.StatusNotFound,
			contains: []string{"<h1>Page introuvable</h1>", `href="/connexion" id="retour">Se connecter`}},
		{name: "unknown page, member", method: "GET", path: "/app/nulle-part", cookie: cookie(memberToken), status: http.StatusNotFound,
			contains: []string{"<h1>Page introuvable</h1>", `href="/" id="retour">Revenir à mon accueil`, "Se déconnecter"}},
		{name: "refused page, member", method: "GET", path: structurePagesPath(st.ID) + "/administration", cookie: cookie(memberToken), status: http.StatusForbidden,
			contains: []string{"<h1>Accès refusé</h1>", `id="retour">Revenir à mon accueil`}},
		{name: "wrong method, page", method: "DELETE", path: "/compte", cookie: cookie(memberToken), status: http.StatusMethodNotAllowed,
			contains: []string{"<h1>Action impossible</h1>", "Revenir à mon accueil"}},
		{name: "unknown static file", method: "GET", path: "/static/nulle-part.css", status: http.StatusNotFound, contains: []string{"Page introuvable"}},
		{name: "unknown survey address", method: "GET", path: "/s/abc/def", status: http.StatusNotFound, contains: []string{"Page introuvable"}},
		{name: "unknown API route", method: "GET", path: "/api/v1/nulle-part", status: http.StatusNotFound, json: true, contains: []string{`"error":"Ressource introuvable."`}},
		{name: "wrong method, API", method: "DELETE", path: "/api/v1/structures", status: http.StatusMethodNotAllowed, json: true, contains: []string{`"error":"Méthode non autorisée."`}},
		{name: "favicon", method: "GET", path: "/favicon.ico", status: http.StatusOK},
		{name: "favicon SVG", method: "GET", path: "/static/favicon.svg", status: http.StatusOK, contains: []string{"<svg"}},
	} {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		if tc.cookie != "" {
			req.Header.Set("Cookie", tc.cookie)
		}
		rec := e.serve(req)
		if rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, rec.Code, tc.status, rec.Body)
			continue
		}
		if tc.location != "" && rec.Header().Get("Location") != tc.location {
			t.Errorf("%s: to %q, want %q", tc.name, rec.Header().Get("Location"), tc.location)
		}
		ctype := rec.Header().Get("Content-Type")
		if tc.status >= 400 && tc.json != strings.HasPrefix(ctype, "application/json") {
			t.Errorf("%s: content type %q", tc.name, ctype)
		}
		for _, want := range tc.contains {
			if !strings.Contains(rec.Body.String(), want) {
				t.Errorf("%s: body lacks %q:\n%s", tc.name, want, rec.Body)
			}
		}
		if !tc.json && tc.status >= 400 && strings.Contains(rec.Body.String(), "restent confidentielles") {
			t.Errorf("%s: the client survey footer on a back-office page", tc.name)
		}
	}
}
