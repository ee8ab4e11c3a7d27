// Package daily is the list of requests people and clients make every day
// (issue 16), run through the real router: cmd/capsat-daily times them on a
// seeded store, and the MongoDB command-monitor test checks that every query
// they send uses a declared index. One table, so that both see the same
// requests.
package daily

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/store"
)

// Fixture is what the daily requests need: a router, a structure with its
// credentials, and a supply of fresh links and orders so that each run of
// a write (answer, issue) acts on an item of its own.
type Fixture struct {
	Router http.Handler
	SID    string
	Region string
	// API keys: the structure's (structure_admin), the federation's and
	// the structure's region's.
	Key, FederationKey, RegionKey string
	// Cookie is the session cookie of a structure member signed in
	// through the login form.
	Cookie string
	// OrderID is an order of the structure with an open link (OpenToken).
	OrderID   string
	OpenToken string
	// Search is a word of the structure's client names, for ?q=.
	Search string

	answerTokens []string // open links the answer POST takes one by one
	xlsxTokens   []string // open links answered just before each workbook
	issueOrders  []string // orders without a link, for the issue request
	created      int
}

// Request is one daily request. Prepare, when set, runs before the timed
// request (not timed: e.g. the answer that precedes the workbook).
type Request struct {
	Name    string
	Page    bool // an HTML page (held to the 1 MB limit)
	Want    int  // expected status
	Prepare func(f *Fixture, i int) error
	Build   func(f *Fixture, i int) *http.Request
}

// MemberEmail and MemberPassword are the structure member the fixture signs in.
const (
	MemberEmail    = "membre@daily.capsat.test"
	MemberPassword = "daily-capsat-2026-mot-de-passe"
)

// Requests is the table of daily requests; the first is the baseline (an
// order read by _id) that the others are compared with.
func Requests() []Request {
	api := func(f *Fixture, method, path, key, body string) *http.Request {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		r := httptest.NewRequest(method, path, rd)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		r.Header.Set("Authorization", "Bearer "+key)
		return r
	}
	page := func(f *Fixture, path string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.AddCookie(&http.Cookie{Name: "capsat_session", Value: f.Cookie})
		return r
	}
	sapi := func(f *Fixture) string { return "/api/v1/structures/" + f.SID }
	sapp := func(f *Fixture) string { return "/app/structures/" + f.SID }
	return []Request{
		{Name: "GET order by _id (API, baseline)", Want: http.StatusOK, Build: func(f *Fixture, _ int) *http.Request {
			return api(f, http.MethodGet, sapi(f)+"/orders/"+f.OrderID, f.Key, "")
		}},
		{Name: "orders list page", Page: true, Want: http.StatusOK, Build: func(f *Fixture, _ int) *http.Request {
			return page(f, sapp(f)+"/commandes")
		}},
		{Name: "API orders ?page=2", Want: http.StatusOK, Build: func(f *Fixture, _ int) *http.Request {
			return api(f, http.MethodGet, sapi(f)+"/orders?page=2", f.Key, "")
		}},
		{Name: "orders page ?q=", Page: true, Want: http.StatusOK, Build: func(f *Fixture, _ int) *http.Request {
			return page(f, sapp(f)+"/commandes?q="+url.QueryEscape(f.Search))
		}},
		{Name: "dashboard page", Page: true, Want: http.StatusOK, Build: func(f *Fixture, _ int) *http.Request {
			return page(f, sapp(f))
		}},
		{Name: "follow-ups page (/suivi)", Page: true, Want: http.StatusOK, Build: func(f *Fixture, _ int) *http.Request {
			return page(f, sapp(f)+"/suivi")
		}},
		{Name: "order page", Page: true, Want: http.StatusOK, Build: func(f *Fixture, _ int) *http.Request {
			return page(f, sapp(f)+"/commandes/"+f.OrderID)
		}},
		{Name: "GET /s/{token}", Page: true, Want: http.StatusOK, Build: func(f *Fixture, _ int) *http.Request {
			return httptest.NewRequest(http.MethodGet, "/s/"+f.OpenToken, nil)
		}},
		{Name: "answer POST /s/{token}", Want: http.StatusSeeOther, Build: func(f *Fixture, i int) *http.Request {
			return answerRequest(f.answerTokens[i%len(f.answerTokens)], i)
		}},
		{Name: "create order (API)", Want: http.StatusCreated, Build: func(f *Fixture, i int) *http.Request {
			f.created++
			body := fmt.Sprintf(`{"reference": "DAILY-%d-%d", "service_type": "mise_a_disposition", "client": {"company": "Mairie de Vire", "email": "accueil@mairie.example"}, "job_title": "Agent de propreté", "start_date": %q, "end_date": %q, "hours": 14}`,
				time.Now().UnixNano(), f.created, time.Now().Format(time.DateOnly), time.Now().AddDate(0, 0, 5).Format(time.DateOnly))
			return api(f, http.MethodPost, sapi(f)+"/orders", f.Key, body)
		}},
		{Name: "issue link (API)", Want: http.StatusOK, Build: func(f *Fixture, i int) *http.Request {
			return api(f, http.MethodPost, sapi(f)+"/orders/"+f.issueOrders[i%len(f.issueOrders)]+"/survey", f.Key, "")
		}},
		{Name: "satisfaction.xlsx, current month, after an answer", Want: http.StatusOK,
			Prepare: func(f *Fixture, i int) error {
				rec := httptest.NewRecorder()
				f.Router.ServeHTTP(rec, answerRequest(f.xlsxTokens[i%len(f.xlsxTokens)], i))
				if rec.Code != http.StatusSeeOther {
					return fmt.Errorf("answer before the workbook: status %d", rec.Code)
				}
				return nil
			},
			Build: func(f *Fixture, _ int) *http.Request {
				loc := survey.IndicatorLocation()
				now := time.Now().In(loc)
				from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
				return api(f, http.MethodGet, sapi(f)+"/exports/satisfaction.xlsx?from="+from.Format(time.DateOnly)+"&to="+now.Format(time.DateOnly), f.Key, "")
			}},
		{Name: "federation indicators (API)", Want: http.StatusOK, Build: func(f *Fixture, _ int) *http.Request {
			return api(f, http.MethodGet, "/api/v1/federation/indicators", f.FederationKey, "")
		}},
		{Name: "region indicators (API)", Want: http.StatusOK, Build: func(f *Fixture, _ int) *http.Request {
			return api(f, http.MethodGet, "/api/v1/regions/"+url.PathEscape(f.Region)+"/indicators", f.RegionKey, "")
		}},
	}
}

// answerRequest posts answers to the default staff-provision questionnaire,
// with a form token pair as the survey page sets it (double submit).
func answerRequest(token string, i int) *http.Request {
	v := url.Values{}
	for k, q := range survey.DefaultMADQuestions() {
		switch q.Type {
		case survey.QuestionScale:
			v.Set(q.Code, survey.ScaleLevels[(i+k)%len(survey.ScaleLevels)].Value)
		case survey.QuestionYesNo:
			v.Set(q.Code, []string{survey.YesAnswer, survey.NoAnswer}[(i+k)%2])
		case survey.QuestionNPS:
			v.Set(q.Code, strconv.Itoa((i*7+k)%11))
		case survey.QuestionText:
			v.Set(q.Code, "Intervention conforme, personne ponctuelle.")
		}
	}
	b := make([]byte, 18)
	_, _ = cryptorand.Read(b)
	ft := base64.RawURLEncoding.EncodeToString(b)
	v.Set("_form", ft)
	r := httptest.NewRequest(http.MethodPost, "/s/"+token, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: "capsat_form", Value: ft})
	return r
}

// Do runs one request through the fixture's router and returns its status
// and body.
func (f *Fixture) Do(r *http.Request) (int, []byte) {
	rec := httptest.NewRecorder()
	f.Router.ServeHTTP(rec, r)
	return rec.Code, rec.Body.Bytes()
}

// Setup prepares a fixture on structure sid of st for runs requests of each
// kind: credentials, a member signed in through the login form, and as many
// fresh links and unissued orders as the writes will take. The store's
// clock dates what it creates.
func Setup(ctx context.Context, st *store.Store, router http.Handler, sid string, runs int) (*Fixture, error) {
	s, err := st.Structure(ctx, sid)
	if err != nil {
		return nil, err
	}
	f := &Fixture{Router: router, SID: sid, Region: s.Region, Search: "mairie"}
	keys := []struct {
		in  accounts.APIKeyInput
		out *string
	}{
		{accounts.APIKeyInput{Name: "daily", Role: accounts.RoleStructureAdmin, StructureID: sid}, &f.Key},
		{accounts.APIKeyInput{Name: "daily fédération", Role: accounts.RoleFederation}, &f.FederationKey},
		{accounts.APIKeyInput{Name: "daily région", Role: accounts.RoleRegionViewer, Region: s.Region}, &f.RegionKey},
	}
	for _, k := range keys {
		if _, *k.out, err = st.CreateAPIKey(ctx, k.in); err != nil {
			return nil, fmt.Errorf("api key %s: %w", k.in.Name, err)
		}
	}
	if _, err := st.UserByEmail(ctx, MemberEmail); err != nil {
		if _, err := st.CreateUser(ctx, accounts.UserInput{Email: MemberEmail, Password: MemberPassword, Role: accounts.RoleStructureMember, StructureID: sid}); err != nil {
			return nil, fmt.Errorf("member: %w", err)
		}
	}
	if f.Cookie, err = f.signIn(); err != nil {
		return nil, err
	}
	stamp := time.Now().UnixNano()
	order := func(n int, issue bool) (string, string, error) {
		today := st.Now().Format(time.DateOnly)
		o, err := st.CreateOrder(ctx, sid, survey.OrderInput{Reference: fmt.Sprintf("DAILY-FX-%d-%d", stamp, n), ServiceType: survey.ServiceMAD,
			Client: survey.Client{Company: "Mairie de Vire", Email: "accueil@mairie.example"}, JobTitle: "Agent de propreté",
			StartDate: today, EndDate: today, Hours: 7})
		if err != nil || !issue {
			return idOf(o), "", err
		}
		l, err := st.IssueSurvey(ctx, sid, o.ID)
		if err != nil {
			return "", "", err
		}
		return o.ID, l.Token, nil
	}
	n := 0
	if f.OrderID, f.OpenToken, err = order(n, true); err != nil {
		return nil, fmt.Errorf("fixture order: %w", err)
	}
	for range runs {
		for _, dst := range []*[]string{&f.answerTokens, &f.xlsxTokens} {
			n++
			_, tok, err := order(n, true)
			if err != nil {
				return nil, fmt.Errorf("fixture link: %w", err)
			}
			*dst = append(*dst, tok)
		}
		n++
		oid, _, err := order(n, false)
		if err != nil {
			return nil, fmt.Errorf("fixture order: %w", err)
		}
		f.issueOrders = append(f.issueOrders, oid)
	}
	return f, nil
}

func idOf(o *survey.Order) string {
	if o == nil {
		return ""
	}
	return o.ID
}

// signIn posts the login form as a browser would and returns the session cookie.
func (f *Fixture) signIn() (string, error) {
	form := url.Values{"email": {MemberEmail}, "password": {MemberPassword}}
	r := httptest.NewRequest(http.MethodPost, "/connexion", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.Router.ServeHTTP(rec, r)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "capsat_session" && c.Value != "" {
			return c.Value, nil
		}
	}
	return "", fmt.Errorf("sign in: status %d, no session cookie", rec.Code)
}
