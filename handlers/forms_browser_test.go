package handlers

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/store"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// Every form of the back-office, for every role, in a real browser.
//
// TestBrowserEveryFormOfEveryRole signs in as each role, crawls the pages
// the role reaches from its home (links of the navigation and of the
// pages, over HTTP with the role's session) and lists every <form> by
// method and action pattern (formKey). Each form found must have a line
// in formCases for that role, and each line must be found: a form added
// without a line, or a line whose form is gone, fails the test. Then, in
// Chromium, each line fills and submits its form with valid input and
// checks the page and the stored result, then with invalid input and
// checks the French message beside the field.
//
// To cover a new form: add a formCase with its key (as the failure message
// prints it), the roles that see it, the page that holds it (open), what
// valid input does (valid) and what invalid input says (invalid), or why
// the form takes no input to get wrong (noInput).

// formRoles are the roles the test signs in as, in order.
var formRoles = []accounts.Role{accounts.RoleStructureAdmin, accounts.RoleStructureMember, accounts.RoleRegionViewer, accounts.RoleFederation}

// formsFx is the network the forms are submitted against.
type formsFx struct {
	e     *testEnv
	srv   *httptest.Server
	st    *survey.Structure
	key   string
	users map[accounts.Role]*accounts.User
	n     int // orders created so far, for unique references
}

// formCase is one form of the back-office and how to use it.
type formCase struct {
	key   string // formKey: "POST /app/structures/:sid/commandes/:id/lien"
	roles []accounts.Role
	// open prepares what the form needs and returns the path of its page
	// and the CSS selector of the form on it.
	open    func(t *testing.T, f *formsFx, role accounts.Role) (path, form string)
	valid   func(t *testing.T, f *formsFx, tab context.Context, role accounts.Role, form string)
	invalid func(t *testing.T, f *formsFx, tab context.Context, role accounts.Role, form string)
	noInput string // why the form has no invalid input (a button alone)
}

var (
	hexID      = regexp.MustCompile(`/[0-9a-f]{24}(/|$)`)
	regionPath = regexp.MustCompile(`^/app/regions/[^/]+`)
	formTag    = regexp.MustCompile(`(?is)<form\b[^>]*>`)
	attrRe     = func(name string) *regexp.Regexp { return regexp.MustCompile(`(?i)\b` + name + `="([^"]*)"`) }
	methodAttr = attrRe("method")
	actionAttr = attrRe("action")
	hrefAttr   = regexp.MustCompile(`(?i)<a\b[^>]*\bhref="([^"]*)"`)
)

// formKey is a form's method and action with ids made patterns.
func formKey(method, action, sid string) string {
	p := strings.ReplaceAll(action, sid, ":sid")
	for hexID.MatchString(p) {
		p = hexID.ReplaceAllString(p, "/:id$1")
	}
	p = regionPath.ReplaceAllString(p, "/app/regions/:region")
	return strings.ToUpper(method) + " " + p
}

// crawlForms follows the links a role's pages offer, from its home, and
// returns each form key with the first page it was found on.
func crawlForms(t *testing.T, f *formsFx, session string) map[string]string {
	t.Helper()
	found := map[string]string{}
	seen := map[string]bool{}
	queue := []string{"/tableau-de-bord", homePath}
	for len(queue) > 0 && len(seen) < 300 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		rec := getWithCookie(f.e.router, path, session)
		for hop := 0; hop < 3 && (rec.Code == http.StatusSeeOther || rec.Code == http.StatusFound); hop++ {
			loc, _ := url.Parse(rec.Header().Get("Location"))
			path = loc.Path
			seen[path] = true
			rec = getWithCookie(f.e.router, path, session)
		}
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			continue
		}
		body := rec.Body.String()
		for _, tag := range formTag.FindAllString(body, -1) {
			method, action := "get", path
			if m := methodAttr.FindStringSubmatch(tag); m != nil {
				method = m[1]
			}
			if m := actionAttr.FindStringSubmatch(tag); m != nil && m[1] != "" {
				action = html.UnescapeString(m[1])
			}
			if k := formKey(method, action, f.st.ID); found[k] == "" {
				found[k] = path
			}
		}
		for _, m := range hrefAttr.FindAllStringSubmatch(body, -1) {
			u, err := url.Parse(html.UnescapeString(m[1]))
			if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") {
				continue
			}
			p := u.Path
			if strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/s/") || strings.HasPrefix(p, "/api/") ||
				strings.HasSuffix(p, ".png") || strings.HasSuffix(p, ".svg") || strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, "/exports/classeur") {
				continue
			}
			if !seen[p] {
				queue = append(queue, p)
			}
		}
	}
	return found
}

func newFormsFx(t *testing.T) *formsFx {
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	f := &formsFx{e: e, st: st, key: key, users: map[accounts.Role]*accounts.User{}}
	f.users[accounts.RoleStructureAdmin] = e.user("admin@bocage.fr", accounts.RoleStructureAdmin, st.ID, "")
	f.users[accounts.RoleStructureMember] = e.user("membre@bocage.fr", accounts.RoleStructureMember, st.ID, "")
	f.users[accounts.RoleRegionViewer] = e.user("region@normandie.fr", accounts.RoleRegionViewer, "", "Normandie")
	f.users[accounts.RoleFederation] = e.user("federation@reseau.fr", accounts.RoleFederation, "", "")
	// An answered, dissatisfied order: the follow-up list has a form.
	oid, tok := e.exportOrder(st.ID, key, "BC-REPONDU", survey.ServiceMAD, e.clock.T)
	e.exportAnswer(tok, e.clock.T, "pas_du_tout_satisfait", "2", "Retard", survey.ServiceMAD)
	_ = oid
	// A draft, so that the publish form shows.
	f.ensureDraft(t)
	// Orders in every state, so that every order form shows somewhere.
	f.order(t, true)
	f.order(t, false)
	// An order with the client's e-mail: the order page offers to send it.
	f.orderWithEmail(t)
	f.srv = httptest.NewServer(e.router)
	t.Cleanup(f.srv.Close)
	return f
}

// order creates an order, with a live link when issued, and returns its id.
func (f *formsFx) order(t *testing.T, issued bool) string {
	t.Helper()
	f.n++
	oid := f.e.seedOrder(f.st.ID, f.key, fmt.Sprintf("BC-F%03d", f.n), "Mairie de Vire", "Mme Durand", "", "")
	if issued {
		f.e.issueSurveyToken(f.st.ID, oid, f.key)
	}
	return oid
}

// orderWithEmail creates an order, no link yet, whose client has an
// e-mail address, and returns its id and reference.
func (f *formsFx) orderWithEmail(t *testing.T) (oid, ref string) {
	t.Helper()
	f.n++
	ref = fmt.Sprintf("BC-F%03d", f.n)
	return f.e.seedOrder(f.st.ID, f.key, ref, "Mairie de Vire", "Mme Durand", "durand@vire.fr", ""), ref
}

// ensureDraft makes sure the structure has a draft questionnaire.
func (f *formsFx) ensureDraft(t *testing.T) {
	t.Helper()
	qs, err := f.e.store.ListQuestionnaires(t.Context(), f.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if q.Status == survey.StatusDraft {
			return
		}
	}
	for _, q := range qs {
		if q.Status == survey.StatusPublished {
			if _, err := f.e.store.NewQuestionnaireVersion(t.Context(), f.st.ID, q.ID); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
}

// publishDrafts publishes every draft, so that any version can be copied.
func (f *formsFx) publishDrafts(t *testing.T) {
	t.Helper()
	qs, _ := f.e.store.ListQuestionnaires(t.Context(), f.st.ID)
	for _, q := range qs {
		if q.Status == survey.StatusDraft {
			if _, err := f.e.store.PublishQuestionnaire(t.Context(), f.st.ID, q.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func (f *formsFx) root() string { return structurePagesPath(f.st.ID) }

func (f *formsFx) storedOrder(t *testing.T, oid string) *survey.Order {
	t.Helper()
	o, err := f.e.store.Order(t.Context(), f.st.ID, oid)
	if err != nil {
		t.Fatalf("read order %s: %v", oid, err)
	}
	return o
}

// submitIn clicks the submit button of form and waits for the next page.
func submitIn(t *testing.T, tab context.Context, form string) {
	t.Helper()
	clickAndLoad(t, tab, "submit "+form, form+" button[type=submit]")
}

// fieldMessage is the message shown beside field id: the element its
// aria-describedby names, or the field's "-error" element in the same
// group; the test fails when there is none beside the field.
func fieldMessage(t *testing.T, tab context.Context, id string) string {
	t.Helper()
	js := fmt.Sprintf(`(() => {
  const f = document.getElementById(%q), e = document.getElementById(%q + "-error");
  if (!f) return "NO FIELD";
  if (!e) return "NO MESSAGE";
  const linked = (f.getAttribute("aria-describedby") || "").split(" ").includes(e.id);
  const group = f.closest("fieldset, .filter, .field, form");
  return (linked || (group && group.contains(e)) ? "" : "NOT BESIDE ") + e.textContent.trim();
})()`, id, id)
	msg := read(t, tab, chromedp.Evaluate[string](js))
	if msg == "" || strings.HasPrefix(msg, "NO ") || strings.HasPrefix(msg, "NOT BESIDE") {
		t.Fatalf("message beside #%s: %q on %s", id, msg, read(t, tab, chromedp.Location()))
	}
	return msg
}

// pageText is the visible text of the main content.
func pageText(t *testing.T, tab context.Context) string {
	t.Helper()
	return strings.Join(strings.Fields(textOf(t, tab, "main")), " ")
}

func mustSay(t *testing.T, tab context.Context, what string, wants ...string) {
	t.Helper()
	text := pageText(t, tab)
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s: the page does not say %q: %.400s", what, w, text)
		}
	}
}

// formValues are the string fields the form would post, as the page has them.
func formValues(t *testing.T, tab context.Context, form string) url.Values {
	t.Helper()
	pairs := read(t, tab, chromedp.Evaluate[[][2]string](fmt.Sprintf(`[...new FormData(document.querySelector(%q))].filter(p => typeof p[1] === "string")`, form)))
	v := url.Values{}
	for _, p := range pairs {
		v.Add(p[0], p[1])
	}
	return v
}

// browserRequest sends a request with the tab's cookies: downloads, which
// a headless page does not load, are fetched this way with what the form holds.
func browserRequest(t *testing.T, f *formsFx, tab context.Context, req *http.Request) *http.Response {
	t.Helper()
	cookies, err := chromedp.Call(tab, network.GetCookies, network.GetCookiesParams{URLs: []string{f.srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// multipartOf builds a multipart body of values and one file.
func multipartOf(values url.Values, field, name string, file []byte) (*bytes.Buffer, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range values {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	part, _ := w.CreateFormFile(field, name)
	_, _ = part.Write(file)
	_ = w.Close()
	return &body, w.FormDataContentType()
}

func emptyWorkbook(t *testing.T) []byte {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	var buf bytes.Buffer
	if _, err := wb.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	structureRoles = []accounts.Role{accounts.RoleStructureAdmin, accounts.RoleStructureMember}
	adminOnly      = []accounts.Role{accounts.RoleStructureAdmin}
	everyRole      = formRoles
)

// formCases is the table of covered forms, in the order they run for a
// role (the logout last).
func formCases() []formCase {
	sel := func(action string) string { return `form[action="` + action + `"]` }
	return []formCase{
		{
			key: "GET /app/structures/:sid", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root(), sel(f.root())
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "period", chromedp.SetValue(chromedp.ID("from"), "2026-01-01"), chromedp.SetValue(chromedp.ID("to"), "2026-03-31"))
				submitIn(t, tab, form)
				mustSay(t, tab, "dashboard period", "Période affichée : du 01/01/2026 au 31/03/2026", "Pas du tout satisfait : 1")
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "bad period", chromedp.SetValue(chromedp.ID("from"), "2026-03-31"), chromedp.SetValue(chromedp.ID("to"), "2026-01-01"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "to"); !strings.Contains(msg, "ne peut pas précéder") {
					t.Errorf("dashboard period message %q", msg)
				}
			},
		},
		{
			key: "POST /app/structures/:sid/suivi/:id", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/suivi", "li.followup form"
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, role accounts.Role, form string) {
				action := "Appel du client par " + string(role)
				browse(t, tab, "action", chromedp.SetValue(chromedp.CSS(form+" textarea"), action))
				submitIn(t, tab, form)
				mustSay(t, tab, "follow-up", "L'action a été enregistrée")
				src, err := f.e.figures.IndicatorSource(t.Context(), f.st.ID, survey.DateRange{From: f.e.clock.T.AddDate(-1, 0, 0), To: f.e.clock.T.AddDate(0, 0, 1)})
				if err != nil || len(src.FollowUps) == 0 {
					t.Fatalf("follow-ups: %+v (%v)", src, err)
				}
				r, err := f.e.store.Response(t.Context(), f.st.ID, src.FollowUps[0].OrderID)
				if err != nil || r.FollowUp == nil || r.FollowUp.Action != action {
					t.Errorf("stored follow-up %+v (%v)", r, err)
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				id := read(t, tab, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).id`, form+" textarea")))
				browse(t, tab, "too long an action", chromedp.SetValue(chromedp.CSS(form+" textarea"), strings.Repeat("a", 2001)))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, id); !strings.Contains(msg, "caract") {
					t.Errorf("follow-up message %q", msg)
				}
			},
		},
		{
			key: "GET /app/structures/:sid/suivi", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/suivi", sel(f.root() + "/suivi")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "period", chromedp.SetValue(chromedp.ID("from"), "2026-01-01"), chromedp.SetValue(chromedp.ID("to"), "2026-03-31"))
				submitIn(t, tab, form)
				mustSay(t, tab, "follow-ups of a period", "BC-REPONDU")
				if got := read(t, tab, chromedp.Value(chromedp.ID("from"))); got != "2026-01-01" {
					t.Errorf("the period's start is not kept: %q", got)
				}
				browse(t, tab, "an earlier period", chromedp.SetValue(chromedp.ID("from"), "2025-01-01"), chromedp.SetValue(chromedp.ID("to"), "2025-03-31"))
				submitIn(t, tab, form)
				mustSay(t, tab, "follow-ups of an empty period", "Aucune insatisfaction à traiter.", "Aucune insatisfaction clôturée.")
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "bad period", chromedp.SetValue(chromedp.ID("from"), "2026-03-31"), chromedp.SetValue(chromedp.ID("to"), "2026-01-01"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "to"); !strings.Contains(msg, "précéder") {
					t.Errorf("follow-ups period message %q", msg)
				}
			},
		},
		{
			key: "GET /app/structures/:sid/commandes", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/commandes", `form.filters`
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "search", chromedp.SetValue(chromedp.ID("q"), "BC-REPONDU"))
				submitIn(t, tab, form)
				mustSay(t, tab, "orders search", "1 bon de commande", "BC-REPONDU")
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "bad dates", chromedp.SetValue(chromedp.ID("start_from"), "2026-03-31"), chromedp.SetValue(chromedp.ID("start_to"), "2026-01-01"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "start_to"); !strings.Contains(msg, "précéder") {
					t.Errorf("orders filter message %q", msg)
				}
			},
		},
		{
			key: "POST /app/structures/:sid/commandes/liens", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				f.order(t, false)
				return f.root() + "/commandes?status=not_issued", sel(f.root() + "/commandes/liens")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				oid := read(t, tab, chromedp.Value(chromedp.CSS(form+` input[name="oid"]`)))
				browse(t, tab, "check an order", chromedp.Click(chromedp.CSS(form+` input[name="oid"]`)))
				submitIn(t, tab, form)
				mustSay(t, tab, "links of a selection", "1 lien créé", "http://capsat.test/s/")
				if f.storedOrder(t, oid).Survey == nil {
					t.Error("the checked order has no link")
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form) // nothing checked
				if msg := fieldMessage(t, tab, "oid"); !strings.Contains(msg, "Cochez au moins un bon de commande") {
					t.Errorf("selection message %q", msg)
				}
			},
		},
		{
			key: "POST /app/structures/:sid/commandes", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/commandes/nouvelle", "form.edit"
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, role accounts.Role, form string) {
				ref := "BC-NOUVEAU-" + strings.ToUpper(string(role[len(role)-3:]))
				browse(t, tab, "new order", chromedp.SetValue(chromedp.ID("reference"), ref), chromedp.SetValue(chromedp.ID("client-company"), "Mairie de Vire"),
					chromedp.SetValue(chromedp.ID("start_date"), "2026-03-02"), chromedp.SetValue(chromedp.ID("hours"), "7,5"))
				submitIn(t, tab, form)
				mustSay(t, tab, "new order", "Le bon de commande a été enregistré.", ref)
				res, err := f.e.store.ListOrders(t.Context(), f.st.ID, survey.OrderFilter{Q: ref})
				if err != nil || res.Total != 1 || res.Orders[0].Hours != 7.5 {
					t.Errorf("stored order %+v (%v)", res, err)
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "bad order", chromedp.SetValue(chromedp.ID("reference"), "BC-X"), chromedp.SetValue(chromedp.ID("client-company"), "Mairie"),
					chromedp.SetValue(chromedp.ID("start_date"), "2026-03-02"), chromedp.SetValue(chromedp.ID("hours"), "trente"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "hours"); !strings.Contains(msg, "Nombre d'heures invalide") {
					t.Errorf("order message %q", msg)
				}
			},
		},
		{
			key: "POST /app/structures/:sid/commandes/:id", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				oid := f.order(t, false)
				return f.root() + "/commandes/" + oid + "/modifier", "form.edit"
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "edit", chromedp.SetValue(chromedp.ID("job_title"), "Agent polyvalent"))
				submitIn(t, tab, form)
				mustSay(t, tab, "edited order", "Le bon de commande a été enregistré.", "Agent polyvalent")
				loc, _ := url.Parse(read(t, tab, chromedp.Location()))
				if o := f.storedOrder(t, filepath.Base(loc.Path)); o.JobTitle != "Agent polyvalent" {
					t.Errorf("stored job title %q", o.JobTitle)
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "bad siret", chromedp.SetValue(chromedp.ID("client-siret"), "123"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "client-siret"); !strings.Contains(msg, "SIRET") {
					t.Errorf("edit message %q", msg)
				}
			},
		},
		{
			key: "POST /app/structures/:sid/commandes/:id/lien", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				oid := f.order(t, false)
				return f.root() + "/commandes/" + oid, sel(f.root() + "/commandes/" + oid + "/lien")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form)
				mustSay(t, tab, "issue", "Le lien du questionnaire est prêt", "Historique du lien", "Lien du questionnaire créé")
				loc, _ := url.Parse(read(t, tab, chromedp.Location()))
				if o := f.storedOrder(t, filepath.Base(loc.Path)); o.Survey == nil {
					t.Error("no link stored")
				}
			},
			noInput: "a button alone: the order's state decides, refusals are tested in page_errors_test.go",
		},
		{
			key: "POST /app/structures/:sid/commandes/:id/lien/annulation", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				oid := f.order(t, true)
				return f.root() + "/commandes/" + oid + "/lien/annulation", sel(f.root() + "/commandes/" + oid + "/lien/annulation")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form)
				mustSay(t, tab, "cancel", "Le lien du questionnaire a été annulé.", "Lien annulé")
				loc, _ := url.Parse(read(t, tab, chromedp.Location()))
				if o := f.storedOrder(t, filepath.Base(loc.Path)); o.SurveyStatusAt(f.e.clock.Now()) != survey.SurveyCancelled {
					t.Error("link not cancelled in the store")
				}
			},
			noInput: "the confirmation step itself: a post without it asks again (TestOrderPageIsTheHubOfItsSurvey)",
		},
		{
			// No SMTP server in tests: the message waits in the outbox, and
			// the pages say so.
			key: "POST /app/structures/:sid/commandes/:id/envoi", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				oid, _ := f.orderWithEmail(t)
				return f.root() + "/commandes/" + oid, sel(f.root() + "/commandes/" + oid + "/envoi")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form)
				mustSay(t, tab, "send by e-mail", "Le questionnaire a été mis dans la file d’envoi",
					"Aucun serveur d’envoi d’e-mails n’est configuré", "Historique des messages", "durand@vire.fr", "Planifié")
				loc, _ := url.Parse(read(t, tab, chromedp.Location()))
				oid := filepath.Base(loc.Path)
				msgs, err := f.e.store.OrderMessages(t.Context(), f.st.ID, oid)
				if err != nil || len(msgs) != 1 || msgs[0].Kind != survey.KindInvitation || msgs[0].Status != survey.MessageQueued ||
					msgs[0].To != "durand@vire.fr" || !msgs[0].Manual {
					t.Errorf("queued messages of the order: %+v (%v)", msgs, err)
				}
				if f.storedOrder(t, oid).Survey == nil {
					t.Error("sending by e-mail issued no link")
				}
			},
			noInput: "a button alone, shown only for an order with the client's e-mail; refusals (no e-mail, answered, opted out) are tested in mail_api_test.go",
		},
		{
			key: "GET /app/structures/:sid/envois", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/envois", sel(f.root() + "/envois")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				mustSay(t, tab, "outbox", "Aucun serveur d’envoi d’e-mails n’est configuré")
				browse(t, tab, "sent only", chromedp.SetValue(chromedp.ID("statut"), string(survey.MessageSent)))
				submitIn(t, tab, form)
				mustSay(t, tab, "outbox, sent", "Aucun message.")
				browse(t, tab, "queued invitations", chromedp.SetValue(chromedp.ID("statut"), string(survey.MessageQueued)),
					chromedp.SetValue(chromedp.ID("type"), string(survey.KindInvitation)))
				submitIn(t, tab, form)
				mustSay(t, tab, "outbox, queued", "durand@vire.fr", "Planifié")
				page, err := f.e.store.StructureMessages(t.Context(), f.st.ID, store.MessageFilter{Status: survey.MessageQueued, Kind: survey.KindInvitation, PerPage: 50})
				rows := read(t, tab, chromedp.Evaluate[int](`document.querySelectorAll("#envois tbody tr[data-status]").length`))
				if err != nil || len(page.Messages) == 0 || rows != len(page.Messages) {
					t.Errorf("outbox rows %d, stored queued invitations %d (%v)", rows, len(page.Messages), err)
				}
			},
			noInput: "two lists of fixed choices; an unknown value is ignored (every message is listed)",
		},
		{
			key: "GET /app/structures/:sid/reponses", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/reponses", sel(f.root() + "/reponses")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "dissatisfied only", chromedp.Click(chromedp.CSS(`label[for="insatisfaits"]`)))
				submitIn(t, tab, form)
				mustSay(t, tab, "responses", "1 réponse", "BC-REPONDU")
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "13 months", chromedp.SetValue(chromedp.ID("from"), "2025-01-01"), chromedp.SetValue(chromedp.ID("to"), "2026-03-31"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "to"); !strings.Contains(msg, "12 mois") {
					t.Errorf("responses message %q", msg)
				}
			},
		},
		{
			key: "GET /app/structures/:sid/exports/classeur", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/exports", sel(f.root() + "/exports/classeur")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "period", chromedp.SetValue(chromedp.CSS(form+" #from"), "2026-01-01"), chromedp.SetValue(chromedp.CSS(form+" #to"), "2026-03-31"))
				req, _ := http.NewRequest(http.MethodGet, f.srv.URL+f.root()+"/exports/classeur?"+formValues(t, tab, form).Encode(), nil)
				resp := browserRequest(t, f, tab, req)
				data, _ := io.ReadAll(resp.Body)
				wb, err := excelize.OpenReader(bytes.NewReader(data))
				if resp.StatusCode != http.StatusOK || err != nil {
					t.Fatalf("workbook: %d %v", resp.StatusCode, err)
				}
				defer wb.Close()
				if rows, _ := wb.GetRows("Verbatims"); len(rows) != 2 {
					t.Errorf("verbatims of the workbook: %v", rows)
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "bad period", chromedp.SetValue(chromedp.CSS(form+" #from"), "2026-03-31"), chromedp.SetValue(chromedp.CSS(form+" #to"), "2026-01-01"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "to"); !strings.Contains(msg, "précéder") {
					t.Errorf("export message %q", msg)
				}
			},
		},
		{
			key: "POST /app/structures/:sid/exports/tableau-de-bord", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/exports", sel(f.root() + "/exports/tableau-de-bord")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				body, ctype := multipartOf(formValues(t, tab, form), "file", "tableau.xlsx", emptyWorkbook(t))
				req, _ := http.NewRequest(http.MethodPost, f.srv.URL+f.root()+"/exports/tableau-de-bord", body)
				req.Header.Set("Content-Type", ctype)
				resp := browserRequest(t, f, tab, req)
				data, _ := io.ReadAll(resp.Body)
				wb, err := excelize.OpenReader(bytes.NewReader(data))
				if resp.StatusCode != http.StatusOK || err != nil {
					t.Fatalf("filled dashboard: %d %v", resp.StatusCode, err)
				}
				defer wb.Close()
				if !slices.Contains(wb.GetSheetList(), "Satisfaction clients") {
					t.Errorf("filled dashboard sheets %v", wb.GetSheetList())
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "a csv", chromedp.SetUploadFiles(chromedp.CSS(form+` input[type=file]`), []string{writeTemp(t, "tableau.csv", []byte("a;b"))}))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "file"); !strings.Contains(msg, ".xlsx") {
					t.Errorf("dashboard fill message %q", msg)
				}
			},
		},
		{
			key: "POST /app/structures/:sid/commandes/import", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/commandes/import", "form.edit"
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				absolute, _ := filepath.Abs(filepath.Join("testdata", "import", "commandes.csv"))
				browse(t, tab, "the file", chromedp.SetUploadFiles(chromedp.CSS(form+` input[type=file]`), []string{absolute}))
				submitIn(t, tab, form)
				submitIn(t, tab, `form.actions`) // the preview's confirmation: the same action
				mustSay(t, tab, "import", "Import terminé")
				res, err := f.e.store.ListOrders(t.Context(), f.st.ID, survey.OrderFilter{Q: "BC-2026-0101"})
				if err != nil || res.Total != 1 {
					t.Errorf("imported order: %+v (%v)", res, err)
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form) // no file
				if msg := fieldMessage(t, tab, "file"); msg == "" {
					t.Error("no message beside the file field")
				}
			},
		},
		{
			key: "POST /app/structures/:sid/questionnaires/:id/version", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				f.publishDrafts(t)
				return f.root() + "/questionnaires", `form[action$="/version"]`
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form)
				mustSay(t, tab, "new version", "La nouvelle version a été créée en brouillon")
				qs, _ := f.e.store.ListQuestionnaires(t.Context(), f.st.ID)
				if !slices.ContainsFunc(qs, func(q survey.Questionnaire) bool { return q.Status == survey.StatusDraft }) {
					t.Error("no draft stored")
				}
			},
			noInput: "a button alone; a second draft of a family is a conflict (questionnaires_pages_test.go)",
		},
		{
			key: "POST /app/structures/:sid/questionnaires/:id/publication", roles: adminOnly,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				f.ensureDraft(t)
				return f.root() + "/questionnaires", `form[action$="/publication"]`
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form)
				mustSay(t, tab, "publish", "La version a été publiée")
				qs, _ := f.e.store.ListQuestionnaires(t.Context(), f.st.ID)
				if slices.ContainsFunc(qs, func(q survey.Questionnaire) bool { return q.Status == survey.StatusDraft }) {
					t.Error("the draft is still a draft")
				}
			},
			noInput: "a button alone",
		},
		{
			// bo_editor_browser_test.go: formQuestionnaireEditor.
			key: "POST /app/structures/:sid/questionnaires/:id/modifier", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				f.ensureDraft(t)
				return f.root() + "/questionnaires", `form[action$="/suppression"]`
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, _ string) {
				formQuestionnaireEditor(t, tab, f.e, f.srv.URL, f.st.ID, true)
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, _ string) {
				formQuestionnaireEditor(t, tab, f.e, f.srv.URL, f.st.ID, false)
			},
		},
		{
			key: "POST /app/structures/:sid/questionnaires/:id/suppression", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				f.ensureDraft(t)
				return f.root() + "/questionnaires", `form[action$="/suppression"]`
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form)
				mustSay(t, tab, "delete draft", "Le brouillon a été supprimé")
				qs, _ := f.e.store.ListQuestionnaires(t.Context(), f.st.ID)
				if slices.ContainsFunc(qs, func(q survey.Questionnaire) bool { return q.Status == survey.StatusDraft }) {
					t.Error("the draft is still stored")
				}
				f.ensureDraft(t) // the next role's pages show the draft's forms too
			},
			noInput: "a button alone; a published version is refused with a 409 (questionnaire_editor_test.go)",
		},
		{
			// The questionnaire preview shows the client's form as it is, its
			// send button disabled: it has no link, nothing to record.
			key: "POST /app/structures/:sid/questionnaires/:id/apercu", roles: structureRoles,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				qs, _ := f.e.store.ListQuestionnaires(t.Context(), f.st.ID)
				return f.root() + "/questionnaires/" + qs[0].ID + "/apercu", `form[method="post"].form`
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				mustSay(t, tab, "preview", "Rien n’est envoyé depuis l’aperçu")
				disabled := read(t, tab, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector(%q)`, form+" button[disabled]")))
				sends := read(t, tab, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector(%q)`, form+` button[type="submit"]`)))
				if !disabled || sends {
					t.Errorf("the preview's send button: disabled %v, a submit button %v", disabled, sends)
				}
			},
			noInput: "a preview: nothing it sends is recorded",
		},
		{
			key: "POST /app/structures/:sid/administration/utilisateurs", roles: adminOnly,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/administration", sel(f.root() + "/administration/utilisateurs")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "e-mail", chromedp.SetValue(chromedp.ID("user-email"), "nouvelle@bocage.fr"))
				submitIn(t, tab, form)
				mustSay(t, tab, "new account", "Le compte nouvelle@bocage.fr a été créé.")
				users, _ := f.e.store.ListUsers(t.Context(), f.st.ID)
				if !slices.ContainsFunc(users, func(u accounts.User) bool { return u.Email == "nouvelle@bocage.fr" }) {
					t.Error("account not stored")
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "bad e-mail", chromedp.SetValue(chromedp.ID("user-email"), "pas-une-adresse"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "user-email"); !strings.Contains(msg, "e-mail") {
					t.Errorf("account message %q", msg)
				}
			},
		},
		{
			key: "POST /app/structures/:sid/administration/utilisateurs/:id/suppression", roles: adminOnly,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				u := f.e.user("a-supprimer@bocage.fr", accounts.RoleStructureMember, f.st.ID, "")
				return f.root() + "/administration", sel(f.root() + "/administration/utilisateurs/" + u.ID + "/suppression")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form)
				users, _ := f.e.store.ListUsers(t.Context(), f.st.ID)
				if slices.ContainsFunc(users, func(u accounts.User) bool { return u.Email == "a-supprimer@bocage.fr" }) {
					t.Error("account still stored")
				}
			},
			noInput: "a button alone",
		},
		{
			key: "POST /app/structures/:sid/administration/cles", roles: adminOnly,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/administration", sel(f.root() + "/administration/cles")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "name", chromedp.SetValue(chromedp.ID("key-name"), "Logiciel de paie"))
				submitIn(t, tab, form)
				mustSay(t, tab, "new key", "La clé « Logiciel de paie » a été créée.", "capsat_")
				keys, _ := f.e.store.ListAPIKeys(t.Context(), f.st.ID)
				if !slices.ContainsFunc(keys, func(k accounts.APIKey) bool { return k.Name == "Logiciel de paie" }) {
					t.Error("key not stored")
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form) // no name
				if msg := fieldMessage(t, tab, "key-name"); !strings.Contains(msg, "obligatoire") {
					t.Errorf("key message %q", msg)
				}
			},
		},
		{
			key: "POST /app/structures/:sid/administration/cles/:id/revocation", roles: adminOnly,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				k, _, err := f.e.store.CreateAPIKey(t.Context(), accounts.APIKeyInput{Name: "à révoquer", Role: accounts.RoleStructureMember, StructureID: f.st.ID})
				if err != nil {
					t.Fatal(err)
				}
				return f.root() + "/administration", sel(f.root() + "/administration/cles/" + k.ID + "/revocation")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form)
				keys, _ := f.e.store.ListAPIKeys(t.Context(), f.st.ID)
				if !slices.ContainsFunc(keys, func(k accounts.APIKey) bool { return k.Name == "à révoquer" && k.RevokedAt != nil }) {
					t.Error("key not revoked in the store")
				}
			},
			noInput: "a button alone",
		},
		{
			key: "POST /app/structures/:sid/administration/reglages", roles: adminOnly,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/administration", sel(f.root() + "/administration/reglages")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "days", chromedp.SetValue(chromedp.ID("survey_expiry_days"), "45"))
				submitIn(t, tab, form)
				mustSay(t, tab, "settings", "La durée de validité des liens a été enregistrée.")
				if st, _ := f.e.store.Structure(t.Context(), f.st.ID); st.Settings.SurveyExpiryDays != 45 {
					t.Errorf("stored expiry %d", st.Settings.SurveyExpiryDays)
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "bad days", chromedp.SetValue(chromedp.ID("survey_expiry_days"), "400"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "survey_expiry_days"); msg == "" {
					t.Error("no message beside the expiry")
				}
			},
		},
		{
			key: "POST /app/structures/:sid/reglages-email", roles: adminOnly,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return f.root() + "/reglages-email", sel(f.root() + "/reglages-email")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "settings", chromedp.SetValue(chromedp.ID("reminder_after_days"), "10"), chromedp.SetValue(chromedp.ID("reminders"), "1"),
					chromedp.SetValue(chromedp.ID("reply_to"), "contact@bocage.fr"), chromedp.SetValue(chromedp.ID("signature"), "L’équipe du Bocage"))
				submitIn(t, tab, form)
				mustSay(t, tab, "e-mail settings", "Les réglages ont été enregistrés.", "L’équipe du Bocage")
				s, err := f.e.store.EmailSettings(t.Context(), f.st.ID)
				if err != nil || s.ReminderAfterDays != 10 || s.Reminders != 1 || s.ReplyTo != "contact@bocage.fr" || s.Signature != "L’équipe du Bocage" || s.AutoSend {
					t.Errorf("stored e-mail settings %+v (%v)", s, err)
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "too many reminders", chromedp.SetValue(chromedp.ID("reminders"), "9"), chromedp.SetValue(chromedp.ID("reply_to"), "pas-une-adresse"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "reminders"); !strings.Contains(msg, "compris entre 0 et 5") {
					t.Errorf("e-mail settings message %q", msg)
				}
				if msg := fieldMessage(t, tab, "reply_to"); !strings.Contains(msg, "Adresse e-mail de réponse invalide") {
					t.Errorf("e-mail settings message %q", msg)
				}
				if s, _ := f.e.store.EmailSettings(t.Context(), f.st.ID); s.ReplyTo != "contact@bocage.fr" {
					t.Errorf("a refused form changed the settings: %+v", s)
				}
			},
		},
		{
			key: "GET /app/reseau", roles: []accounts.Role{accounts.RoleFederation},
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) { return "/app/reseau", "form.filters" },
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "period", chromedp.SetValue(chromedp.ID("from"), "2026-01-01"), chromedp.SetValue(chromedp.ID("to"), "2026-03-31"))
				submitIn(t, tab, form)
				mustSay(t, tab, "network figures", "AI du Bocage")
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "bad period", chromedp.SetValue(chromedp.ID("from"), "2026-03-31"), chromedp.SetValue(chromedp.ID("to"), "2026-01-01"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "to"); !strings.Contains(msg, "précéder") {
					t.Errorf("network message %q", msg)
				}
			},
		},
		{
			key: "GET /app/regions/:region", roles: []accounts.Role{accounts.RoleRegionViewer, accounts.RoleFederation},
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return "/app/regions/Normandie", "form.filters"
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "period", chromedp.SetValue(chromedp.ID("from"), "2026-01-01"), chromedp.SetValue(chromedp.ID("to"), "2026-03-31"))
				submitIn(t, tab, form)
				mustSay(t, tab, "region figures", "Normandie")
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "bad period", chromedp.SetValue(chromedp.ID("from"), "2026-03-31"), chromedp.SetValue(chromedp.ID("to"), "2026-01-01"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "to"); !strings.Contains(msg, "précéder") {
					t.Errorf("region message %q", msg)
				}
			},
		},
		{
			key: "GET /app/regions/:region/structures/:sid", roles: []accounts.Role{accounts.RoleRegionViewer, accounts.RoleFederation},
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return structurePagePath("Normandie", f.st.ID), "form.filters"
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "period", chromedp.SetValue(chromedp.ID("from"), "2026-01"), chromedp.SetValue(chromedp.ID("to"), "2026-03"))
				submitIn(t, tab, form)
				mustSay(t, tab, "structure figures", "AI du Bocage", "Région Normandie", "Réseau national")
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "bad period", chromedp.SetValue(chromedp.ID("from"), "2026-03"), chromedp.SetValue(chromedp.ID("to"), "2026-01"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "to"); !strings.Contains(msg, "précéder") {
					t.Errorf("structure page message %q", msg)
				}
			},
		},
		{
			key: "POST /app/reseau/structures", roles: []accounts.Role{accounts.RoleFederation},
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return "/app/reseau/structures", sel("/app/reseau/structures")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "structure", chromedp.SetValue(chromedp.ID("name"), "ACI des Marais"), chromedp.SetValue(chromedp.ID("siret"), "44201234500017"),
					chromedp.SetValue(chromedp.ID("region"), "Normandie"), chromedp.SetValue(chromedp.ID("type"), "ACI"),
					chromedp.SetValue(chromedp.ID("admin_email"), "direction@marais.fr"))
				submitIn(t, tab, form)
				mustSay(t, tab, "new structure", "La structure « ACI des Marais » a été créée")
				sts, _ := f.e.store.ListStructures(t.Context(), survey.StructureFilter{})
				if !slices.ContainsFunc(sts, func(s survey.Structure) bool { return s.Name == "ACI des Marais" }) {
					t.Error("structure not stored")
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "bad siret", chromedp.SetValue(chromedp.ID("name"), "ACI"), chromedp.SetValue(chromedp.ID("siret"), "12345678901234"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "siret"); !strings.Contains(msg, "SIRET") {
					t.Errorf("structure message %q", msg)
				}
			},
		},
		{
			key: "POST /app/reseau/classeurs", roles: []accounts.Role{accounts.RoleFederation},
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return "/app/reseau/structures", sel("/app/reseau/classeurs")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				file := writeTemp(t, "classeur.xlsx", indicatorsWorkbook(t, header, monthRows("2026-01", 10, 8)))
				browse(t, tab, "workbook", chromedp.SetValue(chromedp.ID("structure_id"), f.st.ID),
					chromedp.SetUploadFiles(chromedp.CSS(form+` input[type=file]`), []string{file}))
				submitIn(t, tab, form)
				mustSay(t, tab, "workbook upload", "Classeur de AI du Bocage importé : 1 mois (2026-01).")
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form) // no structure chosen
				if msg := fieldMessage(t, tab, "structure_id"); !strings.Contains(msg, "Choisissez la structure") {
					t.Errorf("workbook message %q", msg)
				}
			},
		},
		{
			key: "POST /compte/mot-de-passe", roles: everyRole,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return "/compte/mot-de-passe", sel("/compte/mot-de-passe")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, role accounts.Role, form string) {
				next := "Bocage-Nouveau-Secret-" + string(role[:4]) + "-2026"
				browse(t, tab, "passwords", chromedp.SetValue(chromedp.ID("current_password"), testPassword),
					chromedp.SetValue(chromedp.ID("new_password"), next), chromedp.SetValue(chromedp.ID("confirm_password"), next))
				submitIn(t, tab, form)
				mustSay(t, tab, "password", "Votre mot de passe a été modifié.")
				if rec := f.e.login(f.users[role].Email, next); rec.Code != http.StatusSeeOther {
					t.Errorf("sign-in with the new password: %d", rec.Code)
				}
			},
			invalid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				browse(t, tab, "mismatch", chromedp.SetValue(chromedp.ID("current_password"), "faux"),
					chromedp.SetValue(chromedp.ID("new_password"), "Bocage-Secret-Long-2026"), chromedp.SetValue(chromedp.ID("confirm_password"), "autre chose"))
				submitIn(t, tab, form)
				if msg := fieldMessage(t, tab, "confirm_password"); !strings.Contains(msg, "confirmation") {
					t.Errorf("password message %q", msg)
				}
			},
		},
		{
			key: "POST /compte/e-mails", roles: everyRole,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return homePath, sel("/compte/e-mails")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, role accounts.Role, form string) {
				if !read(t, tab, chromedp.Evaluate[bool](`document.getElementById("alerts").checked && document.getElementById("digest").checked`)) {
					t.Error("a new account does not get every e-mail")
				}
				browse(t, tab, "no digest", chromedp.Click(chromedp.ID("digest")))
				submitIn(t, tab, form)
				mustSay(t, tab, "mail preferences", "Vos choix d’e-mails sont enregistrés.")
				if read(t, tab, chromedp.Evaluate[bool](`document.getElementById("digest").checked || !document.getElementById("alerts").checked`)) {
					t.Error("the page does not show the saved choices")
				}
				u, err := f.e.store.User(t.Context(), f.users[role].ID)
				if err != nil || !u.MailOff.Digest || u.MailOff.Alerts {
					t.Errorf("stored mail preferences %+v (%v)", u.MailOff, err)
				}
			},
			noInput: "two check boxes: every combination is a valid choice",
		},
		{
			key: "POST /deconnexion", roles: everyRole,
			open: func(t *testing.T, f *formsFx, _ accounts.Role) (string, string) {
				return homePath, sel("/deconnexion")
			},
			valid: func(t *testing.T, f *formsFx, tab context.Context, _ accounts.Role, form string) {
				submitIn(t, tab, form)
				if h1 := textOf(t, tab, "h1"); h1 != "Connexion" {
					t.Errorf("after logout: %q", h1)
				}
			},
			noInput: "a button alone",
		},
	}
}

// TestBrowserEveryFormOfEveryRole: see the comment at the top of the file.
func TestBrowserEveryFormOfEveryRole(t *testing.T) {
	f := newFormsFx(t)
	browser := newBrowserFor(t, 8*time.Minute)
	cases := formCases()
	byKey := map[string]*formCase{}
	for i := range cases {
		if byKey[cases[i].key] != nil {
			t.Fatalf("formCases lists %s twice", cases[i].key)
		}
		if cases[i].invalid == nil && cases[i].noInput == "" {
			t.Fatalf("%s: no invalid input and no reason why", cases[i].key)
		}
		byKey[cases[i].key] = &cases[i]
	}
	for _, role := range formRoles {
		t.Run(string(role), func(t *testing.T) {
			token, _ := f.e.session(f.users[role].ID)
			found := crawlForms(t, f, token)
			var missing []string
			for key, page := range found {
				if c := byKey[key]; c == nil || !slices.Contains(c.roles, role) {
					missing = append(missing, key+" (on "+page+")")
				}
			}
			sort.Strings(missing)
			for _, m := range missing {
				t.Errorf("form not covered by formCases for %s: %s", role, m)
			}
			tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
			defer cancel()
			browse(t, tab, "viewport", chromedp.EmulateViewport(1280, 900))
			signIn(t, tab, f.srv.URL, f.users[role].Email)
			for _, c := range cases {
				if !slices.Contains(c.roles, role) {
					continue
				}
				if _, ok := found[c.key]; !ok {
					t.Errorf("formCases lists %s for %s, but no page of that role has it", c.key, role)
					continue
				}
				t.Run(strings.ReplaceAll(c.key, "/", "_"), func(t *testing.T) {
					path, form := c.open(t, f, role)
					browse(t, tab, "open "+path, chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(form)))
					c.valid(t, f, tab, role, form)
					if c.invalid != nil {
						path, form = c.open(t, f, role)
						browse(t, tab, "open "+path, chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(form)))
						c.invalid(t, f, tab, role, form)
					}
				})
			}
		})
	}
	// The login form, posted without a session, is the way in of every
	// role above; its refusal is a message on the page.
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer cancel()
	browse(t, tab, "login page", chromedp.Navigate(f.srv.URL+loginPath), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SetValue(chromedp.ID("email"), "admin@bocage.fr"), chromedp.SetValue(chromedp.ID("password"), "mauvais mot de passe"))
	submitIn(t, tab, `form[action="/connexion"]`)
	mustSay(t, tab, "refused login", "incorrect")
}
