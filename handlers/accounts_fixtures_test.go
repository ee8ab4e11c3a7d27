package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"capsat/config"
	"capsat/survey"
	"capsat/survey/accounts"
)

// Client details seeded in the fixtures: no response of a region or
// federation caller may contain any of them.
var seededClientData = []string{
	"Boulangerie Zéphyrine", "Ophélie Quarantaine", "ophelie.quarantaine@zephyrine.test", "0611223344",
	"Garage Hippolyte", "Timothée Brassens", "t.brassens@hippolyte.test", "0799887766",
	"Le chef d'équipe Anatole était formidable", // a verbatim comment
}

// testPassword is the password of every fixture account.
const testPassword = "mot-de-passe-de-test"

// caller is one way of calling the API in the route walk.
type caller struct {
	name    string
	role    accounts.Role // "" for anonymous
	inA     bool          // member or admin of the fixture structure A
	region  string        // region of a region caller
	session bool          // signed in with a cookie rather than a key
	key     string
	userID  string
}

// accountFixtures are two structures in two regions with orders, a survey
// link, a response, spare keys and users, and callers of every kind.
type accountFixtures struct {
	a, b          *survey.Structure
	orderA        string // order of A with a live survey link
	orderB        string // order of B
	tokenA        string // survey token of orderA
	spareKeyA     string // key id of A, revoked by the walk
	spareKeyB     string
	spareUserA    string // user id of A, deleted by the walk
	spareUserB    string
	callers       []caller
	adminAKey     string
	adminASession caller
}

func newAccountFixtures(t *testing.T, e *testEnv) *accountFixtures {
	t.Helper()
	ctx := context.Background()
	f := &accountFixtures{}
	var keyA, keyB string
	f.a, keyA = e.structure("AI du Bocage", "Normandie")
	f.b, keyB = e.structure("AI de Cornouaille", "Bretagne")
	f.adminAKey = keyA
	f.orderA = e.seedOrder(f.a.ID, keyA, "BC-A-1", "Boulangerie Zéphyrine", "Ophélie Quarantaine", "ophelie.quarantaine@zephyrine.test", "0611223344")
	f.tokenA = e.issueSurveyToken(f.a.ID, f.orderA, keyA)
	answered := e.seedOrder(f.a.ID, keyA, "BC-A-2", "Garage Hippolyte", "Timothée Brassens", "t.brassens@hippolyte.test", "0799887766")
	if _, err := e.store.SubmitResponse(ctx, e.issueSurveyToken(f.a.ID, answered, keyA), map[string]string{
		"reactivite": "tres_satisfait", "adequation_profil": "satisfait", "qualite_travail": "satisfait", "ponctualite": "satisfait",
		"suivi_mission": "peu_satisfait", "clarte_administratif": "satisfait", "satisfaction_globale": "satisfait",
		"reutiliser": survey.YesAnswer, "recommandation": "9", "commentaire": "Le chef d'équipe Anatole était formidable",
	}); err != nil {
		t.Fatalf("seed response: %v", err)
	}
	f.orderB = e.seedOrder(f.b.ID, keyB, "BC-B-1", "Boulangerie Zéphyrine", "Ophélie Quarantaine", "ophelie.quarantaine@zephyrine.test", "0611223344")
	spare := func(sid string) string {
		k, _, err := e.store.CreateAPIKey(ctx, accounts.APIKeyInput{Name: "à révoquer", Role: accounts.RoleStructureMember, StructureID: sid})
		if err != nil {
			t.Fatal(err)
		}
		return k.ID
	}
	f.spareKeyA, f.spareKeyB = spare(f.a.ID), spare(f.b.ID)
	f.spareUserA = e.user("partant@bocage.test", accounts.RoleStructureMember, f.a.ID, "").ID
	f.spareUserB = e.user("partant@cornouaille.test", accounts.RoleStructureMember, f.b.ID, "").ID

	kinds := []struct {
		name        string
		role        accounts.Role
		sid, region string
		inA         bool
	}{
		{"admin A", accounts.RoleStructureAdmin, f.a.ID, "", true},
		{"member A", accounts.RoleStructureMember, f.a.ID, "", true},
		{"admin B (another structure)", accounts.RoleStructureAdmin, f.b.ID, "", false},
		{"region Normandie", accounts.RoleRegionViewer, "", "Normandie", false},
		{"region Bretagne", accounts.RoleRegionViewer, "", "Bretagne", false},
		{"federation", accounts.RoleFederation, "", "", false},
	}
	f.callers = []caller{{name: "anonymous"}}
	for i, k := range kinds {
		key := e.key(accounts.APIKeyInput{Name: k.name, Role: k.role, StructureID: k.sid, Region: k.region})
		f.callers = append(f.callers, caller{name: k.name + " (API key)", role: k.role, inA: k.inA, region: k.region, key: key})
		u := e.user("compte"+string(rune('a'+i))+"@capsat.test", k.role, k.sid, k.region)
		c := caller{name: k.name + " (session)", role: k.role, inA: k.inA, region: k.region, session: true, userID: u.ID}
		f.callers = append(f.callers, c)
		if i == 0 {
			f.adminASession = c
		}
	}
	return f
}

// seedOrder creates an order through the API and returns its id.
func (e *testEnv) seedOrder(sid, key, ref, company, contact, email, phone string) string {
	e.t.Helper()
	body := `{"reference":"` + ref + `","service_type":"mise_a_disposition","client":{"company":"` + company + `","siret":"","contact_name":"` + contact + `","email":"` + email + `","phone":"` + phone + `"},"job_title":"Agent d'entretien","start_date":"2026-02-02","end_date":"2026-02-13","hours":35}`
	rec := e.do(http.MethodPost, "/api/v1/structures/"+sid+"/orders", body, key)
	if rec.Code != http.StatusCreated {
		e.t.Fatalf("seed order: %d %s", rec.Code, rec.Body)
	}
	return decode[map[string]any](e.t, rec)["id"].(string)
}

// issueSurveyToken issues an order's survey link through the API and returns its token.
func (e *testEnv) issueSurveyToken(sid, oid, key string) string {
	e.t.Helper()
	rec := e.do(http.MethodPost, "/api/v1/structures/"+sid+"/orders/"+oid+"/survey", "", key)
	if rec.Code != http.StatusOK {
		e.t.Fatalf("issue survey: %d %s", rec.Code, rec.Body)
	}
	link := decode[map[string]string](e.t, rec)
	return link["url"][strings.LastIndex(link["url"], "/")+1:]
}

// cheapHashes keep fixture accounts fast to create and to sign in; the
// default cost is tested in survey.
var cheapHashes = accounts.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// user creates an account with testPassword (hashed at a low cost).
func (e *testEnv) user(email string, role accounts.Role, sid, region string) *accounts.User {
	e.t.Helper()
	e.store.SetPasswordParams(cheapHashes)
	u, err := e.store.CreateUser(context.Background(), accounts.UserInput{Email: email, Password: testPassword, Role: role, StructureID: sid, Region: region})
	if err != nil {
		e.t.Fatalf("create user: %v", err)
	}
	return u
}

// session starts a session for a user directly in the store and returns
// its cookie token and CSRF token.
func (e *testEnv) session(userID string) (token, csrf string) {
	e.t.Helper()
	sess, token, err := e.store.CreateSession(context.Background(), userID, "192.0.2.1",
		accounts.SessionLimits{Idle: e.cfg.SessionIdleTimeout, Absolute: e.cfg.SessionMaxAge})
	if err != nil {
		e.t.Fatalf("create session: %v", err)
	}
	return token, sess.CSRFToken
}

// routerWith builds another router (another "instance") on the same store
// and clock, with a changed configuration.
func (e *testEnv) routerWith(change func(*config.Config)) *Router {
	e.t.Helper()
	cfg := e.cfg
	change(&cfg)
	r, err := NewRouter(Deps{Store: e.store, ReadModel: e.figures, Config: cfg, Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now})
	if err != nil {
		e.t.Fatalf("router: %v", err)
	}
	return r
}

// postForm sends a form through a router, with a session cookie when set.
func postForm(r http.Handler, path string, form url.Values, cookie, ip string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookieName, Value: cookie})
	}
	if ip != "" {
		req.RemoteAddr = ip + ":40000"
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	return rec
}

// getWithCookie sends a GET with a session cookie.
func getWithCookie(r http.Handler, path, cookie string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookieName, Value: cookie})
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	return rec
}

// sessionCookie returns the session cookie a response sets, if any.
func sessionCookie(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookieName {
			return c
		}
	}
	return nil
}

// login posts the login form and returns the response.
func (e *testEnv) login(email, password string) *httptest.ResponseRecorder {
	e.t.Helper()
	return postForm(e.router, loginPath, url.Values{"email": {email}, "password": {password}}, "", "")
}
