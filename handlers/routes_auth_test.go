package handlers

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"
)

// allows says whether a declared policy of route rt lets a caller in, when
// :sid is structure A and :region is Normandie. It is written apart from
// check, so that the walk tests the router against this specification.
func allows(t *testing.T, rt walkedRoute, p string, c caller) bool {
	t.Helper()
	switch policy(p) {
	case policyPublic:
		return true
	case policyAuthenticated:
		return c.role != ""
	case policyStructure:
		return c.inA
	case policyStructureAdmin:
		return c.inA && c.role == accounts.RoleStructureAdmin
	case policyFederation:
		return c.role == accounts.RoleFederation
	case policyRegion:
		return c.role == accounts.RoleFederation || (c.role == accounts.RoleRegionViewer && c.region == "Normandie" && rt.hasParam("region"))
	case policyUser:
		return c.session
	}
	t.Fatalf("policy %q has no expectation in the route walk: add it to allows", p)
	return false
}

// walkedRoute is a registered route with its declared policies.
type walkedRoute struct {
	method, path string
	policies     []string
}

// registeredRoutes returns every route of the real router, GETs first and
// DELETEs last so that destructive calls come after the reads. A route
// without a declared policy fails the test.
func registeredRoutes(t *testing.T, r *Router) []walkedRoute {
	t.Helper()
	declared := r.Policies()
	var out []walkedRoute
	for _, ri := range r.Routes() {
		ps := declared[ri.Method+" "+ri.Path]
		if len(ps) == 0 {
			t.Errorf("route %s %s declares no policy: register it with r.route(..., policies...)", ri.Method, ri.Path)
			continue
		}
		out = append(out, walkedRoute{ri.Method, ri.Path, ps})
	}
	rank := map[string]int{http.MethodGet: 0, http.MethodHead: 0, http.MethodPost: 1, http.MethodPut: 2, http.MethodPatch: 2, http.MethodDelete: 3}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].method] != rank[out[j].method] {
			return rank[out[i].method] < rank[out[j].method]
		}
		return out[i].path < out[j].path
	})
	return out
}

// fillPath replaces each :param and *param with a fixture of structure A
// (or of B, for the params in other). Unknown params get a fresh id: the
// policies decide before any lookup, so the walk still checks them.
func fillPath(t *testing.T, path string, f *accountFixtures, other map[string]string) string {
	t.Helper()
	values := map[string]string{
		"sid": f.a.ID, "oid": f.orderA, "region": "Normandie", "token": f.tokenA,
		"kid": f.spareKeyA, "uid": f.spareUserA, "filepath": "app.css",
	}
	for k, v := range other {
		values[k] = v
	}
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if p == "" || (p[0] != ':' && p[0] != '*') {
			continue
		}
		v, ok := values[p[1:]]
		if !ok {
			v = survey.NewID()
			t.Logf("%s: no fixture for %s, using a fresh id", path, p)
		}
		parts[i] = url.PathEscape(v)
	}
	return strings.Join(parts, "/")
}

// callRoute sends one request as caller c and returns the response with
// authorize's decision. Session callers get a fresh session each time (so
// that logout and password changes in the walk end only that one) and send
// the CSRF token on changes.
func callRoute(e *testEnv, method, path string, c caller) (*httptest.ResponseRecorder, *authTrace) {
	e.t.Helper()
	var body *strings.Reader
	if method == http.MethodGet || method == http.MethodHead || method == http.MethodDelete {
		body = strings.NewReader("")
	} else if strings.HasPrefix(path, "/api/") {
		body = strings.NewReader("{}")
	} else {
		body = strings.NewReader("")
	}
	tr := &authTrace{}
	req := httptest.NewRequestWithContext(context.WithValue(context.Background(), authTraceKey{}, tr), method, path, body)
	if body.Len() > 0 {
		req.Header.Set("Content-Type", "application/json")
	} else if changesState(method) {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	switch {
	case c.key != "":
		req.Header.Set("Authorization", "Bearer "+c.key)
	case c.session:
		token, csrf := e.session(c.userID)
		req.AddCookie(&http.Cookie{Name: sessionCookieName, Value: token})
		req.Header.Set(csrfHeader, csrf)
	}
	return e.serve(req), tr
}

// denied reports whether a response is a refusal: 401, 403, 404, or for
// pages a redirect to the login form.
func denied(rec *httptest.ResponseRecorder) bool {
	switch rec.Code {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	case http.StatusSeeOther:
		return strings.HasPrefix(rec.Header().Get("Location"), loginPath)
	}
	return false
}

// TestEveryRouteEnforcesItsDeclaredPolicies walks every registered route
// with every kind of caller: anonymous, each role by API key and by
// session, and another structure's admin; expectations come from the
// declared policies, so routes added later are covered automatically.
func TestEveryRouteEnforcesItsDeclaredPolicies(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := newAccountFixtures(t, e)
	routes := registeredRoutes(t, e.router)
	if len(routes) < 10 {
		t.Fatalf("only %d routes found", len(routes))
	}
	for _, rt := range routes {
		path := fillPath(t, rt.path, f, nil)
		for _, c := range f.callers {
			want := false
			for _, p := range rt.policies {
				want = want || allows(t, rt, p, c)
			}
			rec, tr := callRoute(e, rt.method, path, c)
			switch {
			case want && (!tr.decided || tr.err != nil):
				t.Errorf("%s %s %v as %s: refused (%d, %v), policies allow it", rt.method, rt.path, rt.policies, c.name, rec.Code, tr.err)
			case !want && (!tr.decided || tr.err == nil || !denied(rec)):
				t.Errorf("%s %s %v as %s: got %d (decided %v, err %v), want a refusal", rt.method, rt.path, rt.policies, c.name, rec.Code, tr.decided, tr.err)
			case !want && c.role == "" && rec.Code != http.StatusUnauthorized && rec.Code != http.StatusSeeOther:
				t.Errorf("%s %s as anonymous: %d, want 401 (or the login page)", rt.method, rt.path, rec.Code)
			case !want && c.role == accounts.RoleStructureAdmin && !c.inA && rt.hasParam("sid") && rec.Code != http.StatusNotFound:
				t.Errorf("%s %s as another structure: %d, want 404", rt.method, rt.path, rec.Code)
			}
		}
	}
}

func (r walkedRoute) hasParam(name string) bool {
	return strings.Contains(r.path+"/", "/:"+name+"/")
}

// TestObjectsOfAnotherStructureAnswer404 calls every route that names an
// object of a structure (:oid, :kid, :uid) with structure A's admin, A's
// :sid and B's object: the handler must answer 404, whatever the method.
func TestObjectsOfAnotherStructureAnswer404(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := newAccountFixtures(t, e)
	others := map[string]string{"oid": f.orderB, "kid": f.spareKeyB, "uid": f.spareUserB}
	checked := 0
	for _, rt := range registeredRoutes(t, e.router) {
		if !rt.hasParam("sid") || !(rt.hasParam("oid") || rt.hasParam("kid") || rt.hasParam("uid")) {
			continue
		}
		path := fillPath(t, rt.path, f, others)
		for _, c := range []caller{f.callers[1], f.adminASession} {
			rec, _ := callRoute(e, rt.method, path, c)
			if rec.Code != http.StatusNotFound && (rt.method == http.MethodGet || rt.method == http.MethodDelete || rec.Code < 400) {
				t.Errorf("%s %s as %s with B's object: %d %s, want 404", rt.method, rt.path, c.name, rec.Code, rec.Body)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no route with an object parameter")
	}
	// B's objects are untouched.
	if rec := e.do(http.MethodGet, "/api/v1/structures/"+f.b.ID+"/orders/"+f.orderB, "", e.key(accounts.APIKeyInput{Name: "b", Role: accounts.RoleStructureMember, StructureID: f.b.ID})); rec.Code != http.StatusOK {
		t.Fatalf("B's order after the walk: %d", rec.Code)
	}
}

// assertNoClientDataForNetworkRoles calls every GET route that a region or
// federation caller may call, with every such caller, and fails when a
// response contains a seeded client's name, contact, e-mail, phone or
// comment. It covers the aggregate routes of later issues automatically.
func assertNoClientDataForNetworkRoles(t *testing.T, e *testEnv, f *accountFixtures) int {
	t.Helper()
	checked := 0
	for _, rt := range registeredRoutes(t, e.router) {
		if rt.method != http.MethodGet {
			continue
		}
		path := fillPath(t, rt.path, f, nil)
		for _, c := range f.callers {
			if c.role != accounts.RoleRegionViewer && c.role != accounts.RoleFederation {
				continue
			}
			rec, tr := callRoute(e, rt.method, path, c)
			if !tr.decided || tr.err != nil {
				continue
			}
			checked++
			body := responseText(t, rec.Body.Bytes())
			for _, secret := range seededClientData {
				if strings.Contains(body, secret) || strings.Contains(body, htmlEscaped(secret)) || strings.Contains(body, xmlEscaped(secret)) {
					t.Errorf("%s %s as %s shows client data %q", rt.method, rt.path, c.name, secret)
				}
			}
		}
	}
	return checked
}

func htmlEscaped(s string) string {
	return strings.NewReplacer("'", "&#39;", "&", "&amp;", "\"", "&#34;").Replace(s)
}

func xmlEscaped(s string) string {
	return strings.NewReplacer("'", "&apos;", "&", "&amp;", "\"", "&quot;").Replace(s)
}

// responseText returns a body as text; a zip body (an xlsx workbook) is
// replaced by the text of all its files, so that workbooks are searched too.
func responseText(t *testing.T, body []byte) string {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("PK\x03\x04")) {
		return string(body)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Errorf("zip body: %v", err)
		return string(body)
	}
	var out strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Errorf("zip entry %s: %v", f.Name, err)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(rc, 64<<20))
		rc.Close()
		if err != nil {
			t.Errorf("zip entry %s: %v", f.Name, err)
		}
		out.Write(b)
		out.WriteByte('\n')
	}
	return out.String()
}

func TestNetworkRolesNeverSeeClientData(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := newAccountFixtures(t, e)
	// The check itself must see the data where it is: A's own order.
	if body := e.do(http.MethodGet, "/api/v1/structures/"+f.a.ID+"/orders/"+f.orderA, "", f.adminAKey).Body.String(); !strings.Contains(body, seededClientData[2]) {
		t.Fatalf("fixture order does not hold the seeded e-mail: %s", body)
	}
	if n := assertNoClientDataForNetworkRoles(t, e, f); n == 0 {
		t.Fatal("no route checked")
	}
}

func TestResponseTextReadsWorkbooks(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("xl/sharedStrings.xml")
	_, _ = w.Write([]byte("<si><t>" + xmlEscaped(seededClientData[8]) + "</t></si>"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if text := responseText(t, buf.Bytes()); !strings.Contains(text, xmlEscaped(seededClientData[8])) {
		t.Fatalf("workbook text not read: %q", text)
	}
}
