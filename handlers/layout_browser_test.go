package handlers

import (
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core (npm pack axe-core, MPL 2.0, testdata/axe/LICENSE),
// injected into each page: no CDN when the test runs.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// layoutNotPages are the GET routes outside /api/ that answer something
// other than a page, with what they answer. Every other GET route is a page
// that TestBrowserLayoutAndAccessibility loads.
var layoutNotPages = map[string]string{
	"/healthz":          "probe",
	"/readyz":           "probe",
	"/static/*filepath": "stylesheet, scripts, icons",
	"/favicon.ico":      "icon",
	"/":                 "redirect to the sign-in page or the home page",
	"/app/structures/:sid/commandes/:oid/qr.png":        "image",
	"/app/structures/:sid/commandes/:oid/qr.svg":        "image",
	"/app/structures/:sid/exports/classeur":             "workbook download",
	"/app/structures/:sid/commandes/import/modele.csv":  "import template download",
	"/app/structures/:sid/commandes/import/modele.xlsx": "import template download",
	"/app/structures/:sid/commandes/liens.csv":          "links download",
}

// layoutFixtures are the data of the layout test: a structure with orders
// in every state, answers (some dissatisfied, with comments), its users.
type layoutFixtures struct {
	*accountFixtures
	params map[string][]string // route parameter -> the values loaded
}

func newLayoutFixtures(t *testing.T, e *testEnv) *layoutFixtures {
	t.Helper()
	f := &layoutFixtures{accountFixtures: newAccountFixtures(t, e)}
	e.seedAnswered(f.a, 6, survey.ServiceMAD, "pas_du_tout_satisfait")
	e.seedAnswered(f.a, 6, survey.ServiceMAC, "tres_satisfait")
	ctx := context.Background()
	qs, err := e.store.ListQuestionnaires(ctx, f.a.ID)
	if err != nil || len(qs) == 0 {
		t.Fatalf("questionnaires: %v", err)
	}
	orders, err := e.store.ListOrders(ctx, f.a.ID, survey.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var answered string
	for _, o := range orders.Orders {
		if o.Survey != nil && o.Survey.AnsweredAt != nil {
			answered = o.ID
		}
	}
	f.params = map[string][]string{
		// An order with a live link and an answered one.
		"sid":       {f.a.ID},
		"oid":       {f.orderA, answered},
		"qid":       {qs[0].ID},
		"region":    {"Normandie"},
		"structure": {f.a.ID},
		"token":     {f.tokenA},
	}
	return f
}

// layoutPageURLs expands every page route of the router with the fixtures'
// parameters. A page route with a parameter lacking a fixture fails the
// test: a new page must be loaded, not skipped.
func layoutPageURLs(t *testing.T, r *Router, params map[string][]string) []string {
	t.Helper()
	var urls []string
	routes := map[string]bool{}
	for _, route := range r.Routes() {
		routes[route.Path] = true
	}
	for path := range layoutNotPages {
		if !routes[path] {
			t.Errorf("layoutNotPages names %s, which the router no longer has", path)
		}
	}
	for _, route := range r.Routes() {
		if route.Method != http.MethodGet || isAPIPath(route.Path) {
			continue
		}
		if _, ok := layoutNotPages[route.Path]; ok {
			continue
		}
		expanded := []string{""}
		for _, part := range strings.Split(strings.TrimPrefix(route.Path, "/"), "/") {
			values := []string{part}
			if strings.HasPrefix(part, ":") || strings.HasPrefix(part, "*") {
				values = params[part[1:]]
				if len(values) == 0 {
					t.Errorf("page %s: no fixture for %s: add one to newLayoutFixtures (or the route to layoutNotPages if it is not a page)", route.Path, part)
				}
			}
			var next []string
			for _, prefix := range expanded {
				for _, v := range values {
					next = append(next, prefix+"/"+v)
				}
			}
			expanded = next
		}
		urls = append(urls, expanded...)
	}
	slices.Sort(urls)
	return slices.Compact(urls)
}

// axeViolation is what the test reports of an axe-core violation.
type axeViolation struct {
	ID    string   `json:"id"`
	Help  string   `json:"help"`
	Nodes []string `json:"nodes"`
}

// axeRun runs axe-core in the page on the WCAG 2.1 A and AA rules and
// returns the violations.
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]})
  .then(r => JSON.stringify(r.violations.map(v => ({id: v.id, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + n.failureSummary.replace(/\s+/g, " "))}))))`

// pageWidthCheck reports how wide the page is and which elements stick out.
const pageWidthCheck = `JSON.stringify({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth,
  smallest: Math.min(999, ...[...document.querySelectorAll("svg text")].map(e => parseFloat(getComputedStyle(e).fontSize) * e.getScreenCTM().a)),
  wide: [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".table-wrap, figure.trend"))
    .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : ""))})`

// TestBrowserLayoutAndAccessibility loads every page of the router (every
// GET route but layoutNotPages, with the fixtures' parameters) as each role
// and anonymously, at 375 and 1280 px: the page never scrolls sideways (a
// table may, inside its own box) and axe-core finds no WCAG 2.1 A or AA
// violation. What a role may not open is its refusal page, checked too.
func TestBrowserLayoutAndAccessibility(t *testing.T) {
	e := newTestEnv(t)
	f := newLayoutFixtures(t, e)
	urls := layoutPageURLs(t, e.router, f.params)
	if t.Failed() {
		t.FailNow()
	}
	roles := []struct {
		name  string
		email string
		role  accounts.Role
		sid   string
		reg   string
	}{
		{name: "anonymous"},
		{name: "structure admin", email: "mise-en-page-admin@bocage.test", role: accounts.RoleStructureAdmin, sid: f.a.ID},
		{name: "structure member", email: "mise-en-page-membre@bocage.test", role: accounts.RoleStructureMember, sid: f.a.ID},
		{name: "region", email: "mise-en-page-region@normandie.test", role: accounts.RoleRegionViewer, reg: "Normandie"},
		{name: "federation", email: "mise-en-page-federation@reseau.test", role: accounts.RoleFederation},
	}
	srv := httptest.NewServer(e.router)
	t.Cleanup(srv.Close)
	browser := newBrowserFor(t, 20*time.Minute)
	for _, role := range roles {
		t.Run(role.name, func(t *testing.T) {
			tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
			defer cancel()
			if _, err := chromedp.Call(tab, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
				t.Fatal(err)
			}
			if role.email != "" {
				e.user(role.email, role.role, role.sid, role.reg)
				signIn(t, tab, srv.URL, role.email)
			}
			for _, width := range []int64{375, 1280} {
				t.Run(strconv.FormatInt(width, 10), func(t *testing.T) {
					browse(t, tab, "viewport", chromedp.EmulateViewport(width, 900))
					seen := map[string]bool{} // pages reached through a redirect are checked once
					for _, u := range urls {
						checkLayout(t, tab, width, srv.URL+u, seen)
					}
				})
			}
		})
	}
}

// checkLayout loads one page and checks its width and axe-core's verdict.
func checkLayout(t *testing.T, tab context.Context, width int64, url string, seen map[string]bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Errorf("%s: %v", url, err)
		return
	}
	landed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil || seen[landed] {
		return
	}
	seen[landed] = true
	what := url[strings.Index(url[len("http://"):], "/")+len("http://"):]
	if landed != what {
		what += " → " + landed
	}
	var w struct {
		Scroll, Inner int
		Smallest      float64 // px: the smallest chart label as drawn
		Wide          []string
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](pageWidthCheck))
	if err == nil {
		err = json.Unmarshal([]byte(raw), &w)
	}
	if err != nil {
		t.Errorf("%s: width: %v", what, err)
		return
	}
	if w.Scroll > w.Inner || int64(w.Inner) != width {
		t.Errorf("%s: page %d px wide in a %d px window; too wide: %v", what, w.Scroll, w.Inner, w.Wide)
	}
	if w.Smallest < 11 {
		t.Errorf("%s: a chart label is drawn %.1f px tall, under 11 px", what, w.Smallest)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
		t.Errorf("%s: inject axe: %v", what, err)
		return
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Errorf("%s: axe: %v", what, err)
		return
	}
	var violations []axeViolation
	if err := json.Unmarshal([]byte(out), &violations); err != nil {
		t.Errorf("%s: axe answered %s", what, out)
		return
	}
	for _, v := range violations {
		t.Errorf("%s: axe %s (%s): %s", what, v.ID, v.Help, strings.Join(v.Nodes, " | "))
	}
}
