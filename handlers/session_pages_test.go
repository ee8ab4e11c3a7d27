package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"capsat/config"
	"capsat/survey/accounts"
)

// signedIn logs a fixture account in and returns its session token.
func (e *testEnv) signedIn(email string) string {
	e.t.Helper()
	rec := e.login(email, testPassword)
	c := sessionCookie(rec)
	if rec.Code != http.StatusSeeOther || c == nil {
		e.t.Fatalf("login %s: %d %s", email, rec.Code, rec.Body)
	}
	return c.Value
}

// csrfOf returns the CSRF token of a session.
func (e *testEnv) csrfOf(token string) string {
	e.t.Helper()
	sess, _, err := e.store.Session(context.Background(), token)
	if err != nil {
		e.t.Fatalf("session: %v", err)
	}
	return sess.CSRFToken
}

func TestLoginSetsAHardenedCookieAndRedirectsOnlyLocally(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, _ := e.structure("AI du Bocage", "Normandie")
	e.user("claire@bocage.test", accounts.RoleStructureAdmin, st.ID, "")
	cases := []struct{ next, want string }{
		{"", landingPath},
		{"/api/v1/structures/" + st.ID + "?x=1", "/api/v1/structures/" + st.ID + "?x=1"},
		{"https://evil.test/", landingPath},
		{"//evil.test/compte", landingPath},
		{"/\\evil.test", landingPath},
		{"javascript:alert(1)", landingPath},
		{"/connexion", landingPath},
	}
	for _, tc := range cases {
		rec := postForm(e.router, loginPath, url.Values{"email": {"Claire@Bocage.test"}, "password": {testPassword}, "next": {tc.next}}, "", "")
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != tc.want {
			t.Errorf("next %q: %d to %q, want %q", tc.next, rec.Code, rec.Header().Get("Location"), tc.want)
		}
		c := sessionCookie(rec)
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" || c.MaxAge != int((12*time.Hour).Seconds()) {
			t.Fatalf("cookie %+v", c)
		}
	}
	for _, change := range []func(*config.Config){
		func(c *config.Config) { c.SecureCookies = "always" },
		func(c *config.Config) { c.BaseURL = "https://capsat.example.org" },
	} {
		rec := postForm(e.routerWith(change), loginPath, url.Values{"email": {"claire@bocage.test"}, "password": {testPassword}}, "", "")
		if c := sessionCookie(rec); c == nil || !c.Secure {
			t.Fatalf("cookie over HTTPS: %+v", c)
		}
	}
}

func TestLoginFailureIsGenericAndAudited(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, _ := e.structure("AI du Bocage", "Normandie")
	e.user("claire@bocage.test", accounts.RoleStructureAdmin, st.ID, "")
	wrongPassword := e.login("claire@bocage.test", "pas-le-bon-mot-de-passe")
	unknownEmail := e.login("inconnu@bocage.test", testPassword)
	for _, rec := range []*struct {
		name string
		code int
		body string
		set  bool
	}{
		{"wrong password", wrongPassword.Code, wrongPassword.Body.String(), sessionCookie(wrongPassword) != nil},
		{"unknown e-mail", unknownEmail.Code, unknownEmail.Body.String(), sessionCookie(unknownEmail) != nil},
	} {
		if rec.code != http.StatusUnauthorized || rec.set || !strings.Contains(rec.body, msgBadCredentials) {
			t.Errorf("%s: %d cookie %v", rec.name, rec.code, rec.set)
		}
	}
	log, err := e.store.AuditLog(context.Background(), st.ID, 10)
	if err != nil || len(log) != 1 || log[0].Action != accounts.AuditLoginFailure || log[0].Actor != "claire@bocage.test" || log[0].IP != "192.0.2.1" {
		t.Fatalf("audit: %+v %v", log, err)
	}
	e.signedIn("claire@bocage.test")
	log, _ = e.store.AuditLog(context.Background(), st.ID, 10)
	if len(log) != 2 || log[0].Action != accounts.AuditLoginSuccess {
		t.Fatalf("audit after success: %+v", log)
	}
}

func TestLoginRenewsTheSessionAndLogoutEndsIt(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("fede@coorace.test", accounts.RoleFederation, "", "")
	first := e.signedIn("fede@coorace.test")
	rec := postForm(e.router, loginPath, url.Values{"email": {"fede@coorace.test"}, "password": {testPassword}}, first, "")
	second := sessionCookie(rec)
	if second == nil || second.Value == first {
		t.Fatalf("no new token at login: %+v", second)
	}
	if rec := getWithCookie(e.router, homePath, first); rec.Code != http.StatusSeeOther {
		t.Fatalf("old session after a new login: %d", rec.Code)
	}
	if rec := getWithCookie(e.router, homePath, second.Value); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "fede@coorace.test") {
		t.Fatalf("account page: %d", rec.Code)
	}
	if rec := postForm(e.router, "/deconnexion", url.Values{}, second.Value, ""); rec.Code != http.StatusForbidden {
		t.Fatalf("logout without CSRF token: %d", rec.Code)
	}
	rec = postForm(e.router, "/deconnexion", url.Values{csrfField: {e.csrfOf(second.Value)}}, second.Value, "")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != loginPath {
		t.Fatalf("logout: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if c := sessionCookie(rec); c == nil || c.MaxAge >= 0 {
		t.Fatalf("cookie not cleared: %+v", c)
	}
	if rec := getWithCookie(e.router, homePath, second.Value); rec.Code != http.StatusSeeOther {
		t.Fatalf("session after logout: %d", rec.Code)
	}
}

func TestSessionExpiresAfterTwoIdleHours(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("fede@coorace.test", accounts.RoleFederation, "", "")
	token := e.signedIn("fede@coorace.test")
	e.clock.Advance(2*time.Hour - time.Minute)
	if rec := getWithCookie(e.router, homePath, token); rec.Code != http.StatusOK {
		t.Fatalf("after 1h59 idle: %d", rec.Code)
	}
	e.clock.Advance(2 * time.Hour)
	rec := getWithCookie(e.router, homePath, token)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != loginPath+"?next=%2Fcompte" {
		t.Fatalf("after 2 h idle: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	// The API treats the stale cookie as no credentials.
	if rec := getWithCookie(e.router, "/api/v1/structures", token); rec.Code != http.StatusUnauthorized {
		t.Fatalf("API with an expired cookie: %d", rec.Code)
	}
}

func TestCSRFTokenRequiredForCookieChangesOnly(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	e.user("claire@bocage.test", accounts.RoleStructureMember, st.ID, "")
	token := e.signedIn("claire@bocage.test")
	csrf := e.csrfOf(token)
	order := func(ref, csrfValue, bearer string, withCookie bool) int {
		body := `{"reference":"` + ref + `","service_type":"mise_a_contrat","client":{"company":"Mairie"},"job_title":"Agent","start_date":"2026-03-02","end_date":"2026-03-02","hours":7}`
		req := newJSONRequest(http.MethodPost, "/api/v1/structures/"+st.ID+"/orders", body)
		if withCookie {
			req.AddCookie(&http.Cookie{Name: sessionCookieName, Value: token})
		}
		if csrfValue != "" {
			req.Header.Set(csrfHeader, csrfValue)
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		return e.serve(req).Code
	}
	cases := []struct {
		name           string
		ref, csrf, key string
		cookie         bool
		want           int
	}{
		{"cookie without token", "R1", "", "", true, http.StatusForbidden},
		{"cookie with a wrong token", "R2", strings.Repeat("x", len(csrf)), "", true, http.StatusForbidden},
		{"cookie with another session's token", "R3", e.csrfOf(e.signedIn("claire@bocage.test")), "", true, http.StatusForbidden},
		{"cookie with its token", "R4", csrf, "", true, http.StatusCreated},
		{"API key needs no token", "R5", "", key, false, http.StatusCreated},
	}
	for _, tc := range cases {
		if got := order(tc.ref, tc.csrf, tc.key, tc.cookie); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if rec := getWithCookie(e.router, "/api/v1/structures/"+st.ID, token); rec.Code != http.StatusOK {
		t.Fatalf("GET with a cookie needs no token: %d", rec.Code)
	}
	rec := postForm(e.router, "/compte/mot-de-passe", url.Values{csrfField: {"faux"}, "current_password": {testPassword}, "new_password": {"un-nouveau-mot-de-passe"}, "confirm_password": {"un-nouveau-mot-de-passe"}}, token, "")
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "Formulaire expiré") {
		t.Fatalf("form with a wrong token: %d", rec.Code)
	}
}

func TestLoginIsRateLimitedPerAccountAcrossInstancesAndPerIP(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("claire@bocage.test", accounts.RoleFederation, "", "")
	limits := func(c *config.Config) { c.LoginAccountLimit, c.LoginIPLimit = 3, 5 }
	one, two := e.routerWith(limits), e.routerWith(limits)
	attempt := func(r http.Handler, email, password, ip string) (int, string) {
		rec := postForm(r, loginPath, url.Values{"email": {email}, "password": {password}}, "", ip)
		return rec.Code, rec.Body.String()
	}
	for i := 0; i < 3; i++ {
		if code, _ := attempt(one, "claire@bocage.test", "mauvais-mot-de-passe", "198.51.100."+string(rune('1'+i))); code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, code)
		}
	}
	// The right password from a fresh IP, on the other instance: still refused.
	code, body := attempt(two, "claire@bocage.test", testPassword, "198.51.100.9")
	if code != http.StatusTooManyRequests || !strings.Contains(body, msgTooManyLogins) || strings.Contains(body, msgBadCredentials) {
		t.Fatalf("after 3 failures: %d", code)
	}
	e.clock.Advance(loginWindow)
	if code, _ := attempt(two, "claire@bocage.test", testPassword, "198.51.100.9"); code != http.StatusSeeOther {
		t.Fatalf("after the window: %d", code)
	}
	// Per IP: five attempts on five accounts, then the sixth is refused.
	for i := 0; i < 5; i++ {
		e.user("compte"+string(rune('a'+i))+"@bocage.test", accounts.RoleFederation, "", "")
	}
	for i := 0; i < 5; i++ {
		if code, _ := attempt(one, "compte"+string(rune('a'+i))+"@bocage.test", "mauvais-mot-de-passe", "203.0.113.7"); code != http.StatusUnauthorized {
			t.Fatalf("IP attempt %d: %d", i+1, code)
		}
	}
	if code, _ := attempt(one, "claire@bocage.test", testPassword, "203.0.113.7"); code != http.StatusTooManyRequests {
		t.Fatalf("sixth attempt from one IP: %d", code)
	}
	if code, _ := attempt(one, "claire@bocage.test", testPassword, "203.0.113.8"); code != http.StatusSeeOther {
		t.Fatalf("another IP: %d", code)
	}
}

func TestPasswordChange(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, _ := e.structure("AI du Bocage", "Normandie")
	e.user("claire@bocage.test", accounts.RoleStructureAdmin, st.ID, "")
	token := e.signedIn("claire@bocage.test")
	other := e.signedIn("claire@bocage.test") // another browser
	page := getWithCookie(e.router, "/compte/mot-de-passe", token)
	csrf := e.csrfOf(token)
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `name="csrf_token" value="`+csrf+`"`) {
		t.Fatalf("form: %d", page.Code)
	}
	form := func(current, next, confirm string) url.Values {
		return url.Values{csrfField: {csrf}, "current_password": {current}, "new_password": {next}, "confirm_password": {confirm}}
	}
	for name, tc := range map[string]struct {
		form url.Values
		want string
	}{
		"wrong current": {form("mauvais-mot-de-passe", "un-nouveau-mot-de-passe", "un-nouveau-mot-de-passe"), "Le mot de passe actuel est incorrect."},
		"mismatch":      {form(testPassword, "un-nouveau-mot-de-passe", "un-autre-mot-de-passe"), "La confirmation ne correspond pas"},
		"too short":     {form(testPassword, "court", "court"), "au moins 12 caractères"},
	} {
		rec := postForm(e.router, "/compte/mot-de-passe", tc.form, token, "")
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s: %d", name, rec.Code)
		}
	}
	rec := postForm(e.router, "/compte/mot-de-passe", form(testPassword, "un-nouveau-mot-de-passe", "un-nouveau-mot-de-passe"), token, "")
	renewed := sessionCookie(rec)
	if rec.Code != http.StatusSeeOther || renewed == nil || renewed.Value == token {
		t.Fatalf("change: %d %+v", rec.Code, renewed)
	}
	for _, old := range []string{token, other} {
		if rec := getWithCookie(e.router, homePath, old); rec.Code != http.StatusSeeOther {
			t.Errorf("session from before the change: %d", rec.Code)
		}
	}
	if rec := getWithCookie(e.router, rec.Header().Get("Location"), renewed.Value); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "a été modifié") {
		t.Fatalf("renewed session: %d", rec.Code)
	}
	if rec := e.login("claire@bocage.test", "un-nouveau-mot-de-passe"); rec.Code != http.StatusSeeOther {
		t.Fatalf("login with the new password: %d", rec.Code)
	}
	log, _ := e.store.AuditLog(context.Background(), st.ID, 10)
	if len(log) == 0 || log[1].Action != accounts.AuditPasswordChange || log[1].Actor != "claire@bocage.test" {
		t.Fatalf("audit: %+v", log)
	}
}

func TestAccountPagesNeedASignedInPerson(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	rec := e.do(http.MethodGet, homePath, "", "")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/connexion?next=%2Fcompte" {
		t.Fatalf("anonymous: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if rec := e.do(http.MethodGet, homePath, "", e.federationKey()); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "Accès refusé") {
		t.Fatalf("API key on a page: %d", rec.Code)
	}
	login := e.do(http.MethodGet, "/connexion?next=%2Fcompte%2Fmot-de-passe", "", "")
	if login.Code != http.StatusOK || !strings.Contains(login.Body.String(), `value="/compte/mot-de-passe"`) {
		t.Fatalf("login page: %d", login.Code)
	}
}

func TestLoginPageEscapesTheTypedEmail(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	rec := e.login(`"><script>alert(1)</script>@x.fr`, "mot-de-passe-quelconque")
	body := rec.Body.String()
	if strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;") {
		t.Fatalf("typed e-mail not escaped: %s", body)
	}
}

// newJSONRequest builds a request with a JSON body.
func newJSONRequest(method, path, body string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestLoginFromAnotherSiteIsRefused(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("fede@coorace.test", accounts.RoleFederation, "", "")
	for site, want := range map[string]int{"cross-site": http.StatusForbidden, "same-origin": http.StatusSeeOther, "": http.StatusSeeOther} {
		req := httptest.NewRequest(http.MethodPost, loginPath, strings.NewReader(url.Values{"email": {"fede@coorace.test"}, "password": {testPassword}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		if rec := e.serve(req); rec.Code != want || (want == http.StatusForbidden && sessionCookie(rec) != nil) {
			t.Errorf("Sec-Fetch-Site %q: %d, want %d", site, rec.Code, want)
		}
	}
}

func TestForgedForwardedForDoesNotEscapeTheIPLimit(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("x@y.fr", accounts.RoleFederation, "", "")
	r := e.routerWith(func(c *config.Config) { c.LoginIPLimit = 2 })
	codes := []int{}
	for i := 0; i < 3; i++ {
		req := httptest.NewRequest(http.MethodPost, loginPath, strings.NewReader(url.Values{"email": {"x@y.fr"}, "password": {"mauvais-mot-de-passe"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "198.51.100."+string(rune('1'+i)))
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		codes = append(codes, rec.Code)
	}
	if codes[2] != http.StatusTooManyRequests {
		t.Fatalf("codes %v: a forged X-Forwarded-For escaped the per-IP limit", codes)
	}
	trusting := e.routerWith(func(c *config.Config) { c.LoginIPLimit = 2; c.TrustedProxies = "192.0.2.0/24" })
	req := httptest.NewRequest(http.MethodPost, loginPath, strings.NewReader(url.Values{"email": {"x@y.fr"}, "password": {"mauvais-mot-de-passe"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "198.51.100.77")
	rec := httptest.NewRecorder()
	trusting.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("behind a trusted proxy: %d", rec.Code)
	}
}

// TestGuessablePasswordsAreRefused: the password page and the users API
// refuse white space, a repeated character, a run of digits and a common
// word followed by digits, with a French message beside the field.
func TestGuessablePasswordsAreRefused(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, admin := e.structure("AI du Bocage", "Normandie")
	u := e.user("claire@bocage.test", accounts.RoleStructureMember, st.ID, "")
	token, csrf := e.session(u.ID)
	cases := []struct{ password, code, message string }{
		{"            ", "too_predictable", "trop prévisible"},
		{"aaaaaaaaaaaa", "too_predictable", "trop prévisible"},
		{"123456789012", "too_predictable", "trop prévisible"},
		{"password1234", "too_common", "l&#39;un des plus courants"},
		{"Soleil2024!!", "too_common", "l&#39;un des plus courants"},
	}
	for _, tc := range cases {
		rec := postForm(e.router, "/compte/mot-de-passe", url.Values{csrfField: {csrf}, "current_password": {testPassword},
			"new_password": {tc.password}, "confirm_password": {tc.password}}, token, "")
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="new_password-error">Ce mot de passe`) ||
			!strings.Contains(rec.Body.String(), tc.message) {
			t.Errorf("password page, %q: %d %s", tc.password, rec.Code, rec.Body)
		}
		body := `{"email":"nouveau@bocage.test","password":"` + tc.password + `"}`
		rec = e.do(http.MethodPost, "/api/v1/structures/"+st.ID+"/users", body, admin)
		if b := decode[apiError](t, rec); rec.Code != http.StatusUnprocessableEntity || b.Codes["password"] != tc.code {
			t.Errorf("users API, %q: %d %v", tc.password, rec.Code, b)
		}
	}
	if _, err := e.store.CheckPassword(context.Background(), "claire@bocage.test", testPassword); err != nil {
		t.Errorf("the password changed: %v", err)
	}
}
