package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"capsat/survey/accounts"
)

// TestStaticDirectoriesAreNotListed: /static/ answered with the list of
// its files; directories are now 404s, files are still served.
func TestStaticDirectoriesAreNotListed(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	cases := []struct {
		path   string
		status int
	}{
		{"/static/", http.StatusNotFound},
		{"/static//", http.StatusNotFound},
		{"/static/./", http.StatusNotFound},
		{"/static/absent.css", http.StatusNotFound},
		{"/static/app.css", http.StatusOK},
		{"/static/copy.js", http.StatusOK},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		e.router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.status || strings.Contains(rec.Body.String(), "app.css</a>") {
			t.Errorf("%s: %d %s, want %d", tc.path, rec.Code, rec.Body, tc.status)
		}
	}
}

// TestHEADWhereverGET: every route that answers GET answers HEAD (HEAD
// /healthz answered 405), with the GET's status and headers, under the
// same policies; a route without GET still refuses HEAD.
func TestHEADWhereverGET(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	u := e.user("claire@bocage.test", accounts.RoleStructureMember, st.ID, "")
	session, _ := e.session(u.ID)
	f := e.issueSurvey("AI de la Hague", "Agent d'entretien")
	// Readiness reports the last write probe, which serve runs every 2 s.
	if err := e.store.ProbeWrite(context.Background()); err != nil {
		t.Fatalf("probe: %v", err)
	}
	cases := []struct {
		name, path, key, session string
		status                   int
	}{
		{"liveness", "/healthz", "", "", http.StatusOK},
		{"readiness", "/readyz", "", "", http.StatusOK},
		{"sign-in page", loginPath, "", "", http.StatusOK},
		{"stylesheet", "/static/app.css", "", "", http.StatusOK},
		{"OpenAPI document", "/api/v1/openapi.json", "", "", http.StatusOK},
		{"survey page", "/s/" + f.token, "", "", http.StatusOK},
		{"API list", "/api/v1/structures/" + st.ID + "/orders", key, "", http.StatusOK},
		{"API, anonymous", "/api/v1/structures/" + st.ID + "/orders", "", "", http.StatusUnauthorized},
		{"back-office page", structurePagesPath(st.ID) + "/commandes", "", session, http.StatusOK},
		{"workbook", "/api/v1/structures/" + st.ID + "/exports/satisfaction.xlsx", key, "", http.StatusOK},
		{"POST only", "/deconnexion", "", session, http.StatusMethodNotAllowed},
	}
	request := func(method string, i int) *http.Request {
		r := httptest.NewRequest(method, cases[i].path, nil)
		if cases[i].key != "" {
			r.Header.Set("Authorization", "Bearer "+cases[i].key)
		}
		if cases[i].session != "" {
			r.AddCookie(&http.Cookie{Name: sessionCookieName, Value: cases[i].session})
		}
		return r
	}
	heads := make([]*httptest.ResponseRecorder, len(cases))
	for i, tc := range cases {
		heads[i] = e.serve(request(http.MethodHead, i))
		if heads[i].Code != tc.status {
			t.Errorf("HEAD %s: %d, want %d", tc.name, heads[i].Code, tc.status)
		}
	}
	// A HEAD takes nothing away: no download in the audit log.
	rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/audit", "", key)
	if body := rec.Body.String(); strings.Contains(body, string(accounts.AuditExportDownload)) {
		t.Errorf("HEAD recorded as a download: %s", body)
	}
	for i, tc := range cases {
		if tc.status != http.StatusOK {
			continue
		}
		if want := e.serve(request(http.MethodGet, i)).Header().Get("Content-Type"); heads[i].Header().Get("Content-Type") != want {
			t.Errorf("HEAD %s: Content-Type %q, GET's %q", tc.name, heads[i].Header().Get("Content-Type"), want)
		}
	}
	// And every GET route of the router has its HEAD, with the same policies.
	policies := e.router.Policies()
	for _, ri := range e.router.Routes() {
		if ri.Method != http.MethodGet {
			continue
		}
		head, ok := policies[http.MethodHead+" "+ri.Path]
		if !ok || strings.Join(head, ",") != strings.Join(policies[http.MethodGet+" "+ri.Path], ",") {
			t.Errorf("GET %s: HEAD policies %v", ri.Path, head)
		}
	}
}
