package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"capsat/config"
	"capsat/handlers"
	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/embedded"
	"capsat/survey/readmodel"
	"capsat/survey/store"
)

// TestSeedIsCoherent seeds a small store as the command does (bulk-load
// stores, the order catalogue and summaries built at the end), then opens
// it as `capsat serve` would and checks that it is what the store's own
// calls keep: the order catalogue matches the order documents, lists from
// the catalogue match the filtered queries MongoDB runs, and the orders
// list (API and page), the dashboard and the indicators API count the
// orders, links and responses the seeding reported.
func TestSeedIsCoherent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if err := run(ctx, []string{"--data", dir, "--responses", "48", "--seed-only"}, &out, &errs); err != nil {
		t.Fatalf("seed: %v\n%s", err, errs.String())
	}
	var seed seedState
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &seed); err != nil {
		t.Fatal(err)
	}
	c := seed.Counts
	if c.Responses != 48 || c.Orders < c.Issued || c.Issued < c.Responses || c.Flagged == 0 {
		t.Fatalf("seeded %+v", c)
	}
	if !strings.Contains(out.String(), fmt.Sprintf("responses %d\n", c.Responses)) {
		t.Errorf("--seed-only printed:\n%s", out.String())
	}

	srv, err := embedded.Start(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	client, err := store.Connect(ctx, store.ConnectOptions{URI: srv.URI(), Timeout: 30 * time.Second, Embedded: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	db := client.Database(database)
	st := store.NewStore(db, store.Options{Embedded: true})
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	figures := readmodel.New(st, db, readmodel.Options{Embedded: true})
	if err := figures.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	sid := seed.Structure

	// The catalogue, entry by entry, and every list it answers.
	drift, err := st.OrderCatalogueDrift(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) > 0 {
		t.Fatalf("order catalogue differs from the orders: %v", drift)
	}
	byQuery := store.NewStore(db, store.Options{}) // lists by filtered queries, as on MongoDB
	filters := []survey.OrderFilter{{}, {Page: 2, PerPage: 25}, {Q: "mairie"}, {ServiceType: survey.ServiceMAC}}
	for _, s := range []survey.SurveyStatus{survey.SurveyNotIssued, survey.SurveyIssued, survey.SurveyExpired, survey.SurveyAnswered, survey.SurveyCancelled} {
		filters = append(filters, survey.OrderFilter{Status: s})
	}
	for _, f := range filters {
		got, err := st.ListOrders(ctx, sid, f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := byQuery.ListOrders(ctx, sid, f)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := refs(got), refs(want); g != w {
			t.Errorf("%+v: catalogue lists\n%s\nqueries list\n%s", f, g, w)
		}
	}

	cfg := config.Default()
	cfg.BaseURL = "http://capsat.test"
	cfg.PublicRateLimit = 0
	router, err := handlers.NewRouter(handlers.Deps{Store: st, ReadModel: figures, Config: cfg, Logger: slog.New(slog.DiscardHandler), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := st.CreateAPIKey(ctx, accounts.APIKeyInput{Name: "test", Role: accounts.RoleStructureAdmin, StructureID: sid})
	if err != nil {
		t.Fatal(err)
	}
	api := func(path string, v any) {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, "/api/v1/structures/"+sid+path, nil)
		r.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
		}
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	total := func(query string) int {
		var page struct {
			Total int `json:"total"`
		}
		api("/orders"+query, &page)
		return page.Total
	}
	if got := total(""); got != c.Orders {
		t.Errorf("API orders: total %d, seeded %d", got, c.Orders)
	}
	if got := total("?status=answered"); got != c.Responses {
		t.Errorf("API answered orders: %d, seeded %d responses", got, c.Responses)
	}
	if got := total("?status=not_issued"); got != c.Orders-c.Issued {
		t.Errorf("API orders without a link: %d, seeded %d orders and %d links", got, c.Orders, c.Issued)
	}
	if got := total("?status=issued") + total("?status=expired"); got != c.Issued-c.Responses {
		t.Errorf("API orders with an unanswered link: %d, seeded %d links and %d responses", got, c.Issued, c.Responses)
	}

	// The seeded months: the 24 before the current one (issued on the
	// 20th), then today.
	now := time.Now().In(survey.IndicatorLocation())
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()).AddDate(0, -seedMonths-1, 0).Format(time.DateOnly)
	to := now.Format(time.DateOnly)
	var in survey.Indicators
	api("/indicators?by=year&from="+from+"&to="+to, &in)
	figure := func(code string) int {
		for _, f := range in.Figures {
			if f.Code == code && f.Period == "Total" && f.Service == survey.AllServices {
				return int(f.Numerator)
			}
		}
		t.Fatalf("indicators: no %s figure for the total", code)
		return 0
	}
	if got := figure(survey.CodeResponses); got != c.Responses {
		t.Errorf("indicators: %d responses, seeded %d", got, c.Responses)
	}
	if got := figure(survey.CodeSent); got != c.Issued {
		t.Errorf("indicators: %d questionnaires sent, seeded %d links", got, c.Issued)
	}

	// Pages, as a structure member signed in through the login form sees them.
	cookie := signIn(t, st, router, sid)
	page := func(path string) string {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.AddCookie(&http.Cookie{Name: "capsat_session", Value: cookie})
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		return strings.NewReplacer("\u00a0", " ", "\u202f", "").Replace(rec.Body.String())
	}
	list := page("/app/structures/" + sid + "/commandes")
	if want := fmt.Sprintf("<caption>%d bons de commande", c.Orders); !strings.Contains(list, want) {
		t.Errorf("orders page: no %q", want)
	}
	dash := page("/app/structures/" + sid + "?from=" + from + "&to=" + to)
	if got := trendResponses(t, dash); got != c.Responses {
		t.Errorf("dashboard: %d responses by month, seeded %d", got, c.Responses)
	}
}

func refs(p *survey.OrderPage) string {
	out := fmt.Sprintf("total=%d", p.Total)
	for _, o := range p.Orders {
		out += " " + o.Reference
	}
	return out
}

// trendResponses sums the responses column of the dashboard's month table.
func trendResponses(t *testing.T, html string) int {
	t.Helper()
	_, table, ok := strings.Cut(html, "<caption>Satisfaction globale et réponses par mois</caption>")
	if !ok {
		t.Fatal("dashboard: no month table")
	}
	table, _, _ = strings.Cut(table, "</tbody>")
	sum := 0
	for _, m := range regexp.MustCompile(`<td>(\d+)</td></tr>`).FindAllStringSubmatch(table, -1) {
		n, _ := strconv.Atoi(m[1])
		sum += n
	}
	return sum
}

// signIn creates a structure member and signs them in through the login
// form, returning the session cookie.
func signIn(t *testing.T, st *store.Store, router http.Handler, sid string) string {
	t.Helper()
	const email, password = "membre@seed.capsat.test", "seed-capsat-2026-mot-de-passe"
	if _, err := st.CreateUser(context.Background(), accounts.UserInput{Email: email, Password: password, Role: accounts.RoleStructureMember, StructureID: sid}); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"email": {email}, "password": {password}}
	r := httptest.NewRequest(http.MethodPost, "/connexion", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, r)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "capsat_session" && c.Value != "" {
			return c.Value
		}
	}
	body, _ := io.ReadAll(rec.Body)
	t.Fatalf("sign in: %d %s", rec.Code, body)
	return ""
}
