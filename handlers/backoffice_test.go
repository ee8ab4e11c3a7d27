package handlers

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
)

// backofficeEnv is a structure with a signed-in member and one answered,
// dissatisfied order whose comment holds markup.
type backofficeEnv struct {
	*testEnv
	st      *survey.Structure
	key     string
	session string
	csrf    string
	orderID string
}

const hostileComment = `<script>alert("x")</script> Intérimaire absent`

func newBackofficeEnv(t *testing.T) *backofficeEnv {
	t.Helper()
	e := newTestEnv(t)
	st, key := e.structure("AI <du> Bocage", "Normandie")
	u := e.user("charge@bocage.fr", accounts.RoleStructureMember, st.ID, "")
	token, csrf := e.session(u.ID)
	oid, link := e.exportOrder(st.ID, key, "BC-<1>", survey.ServiceMAD, e.clock.T)
	e.exportAnswer(link, e.clock.T, "pas_du_tout_satisfait", "3", hostileComment, survey.ServiceMAD)
	return &backofficeEnv{testEnv: e, st: st, key: key, session: token, csrf: csrf, orderID: oid}
}

func (b *backofficeEnv) get(path string) *httptest.ResponseRecorder {
	b.t.Helper()
	return getWithCookie(b.router, path, b.session)
}

func (b *backofficeEnv) post(path string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	if form.Get(csrfField) == "" {
		form.Set(csrfField, b.csrf)
	}
	return postForm(b.router, path, form, b.session, "")
}

func (b *backofficeEnv) root() string { return structurePagesPath(b.st.ID) }

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func TestDashboardShowsFiguresTrendAndOpenFollowUps(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	rec := b.get(b.root())
	if rec.Code != http.StatusOK {
		t.Fatalf("dashboard: %d %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	mustContain(t, body,
		"Taux de réponse", "100 %", "n = 1 questionnaires envoyés",
		"Satisfaction globale", "0 %", "NPS (recommandation)", "-100",
		`<polyline class="trend-line"`, `<svg class="bar stacked"`,
		"1 insatisfaction à traiter", "Intérimaire absent", `<table id="comparaison">`, "la région Normandie",
		`value="2025-04-01"`, `value="2026-03-01"`)
	if strings.Contains(body, "<script>alert") {
		t.Error("comment not escaped")
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
}

func TestDashboardPeriodErrorsBesideFields(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	rec := b.get(b.root() + "?from=2026-13-01&to=2026-02-01&service=plomberie")
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", rec.Code)
	}
	mustContain(t, rec.Body.String(),
		`<p class="field-error" id="from-error">Date de début invalide (AAAA-MM-JJ).</p>`,
		`<p class="field-error" id="service-error">Type de prestation inconnu.</p>`,
		`value="2026-13-01"`, `href="#from"`, `aria-invalid="true"`)
}

func TestFollowUpRecordAndClose(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	list := b.root() + "/suivi"
	body := b.get(list).Body.String()
	mustContain(t, body, "À traiter (1)", "BC-&lt;1&gt;", "Pas du tout satisfait", "3 / 10")
	if strings.Contains(body, "<script>alert") {
		t.Error("comment not escaped")
	}

	// An empty action is refused beside its field; the checkbox stays ticked.
	rec := b.post(list+"/"+b.orderID, url.Values{"action": {"  "}, "close": {"1"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("empty action: %d", rec.Code)
	}
	mustContain(t, rec.Body.String(), `id="action-`+b.orderID+`-error">Décrivez l&#39;action menée auprès du client.</p>`,
		`href="#action-`+b.orderID+`"`, `name="close" value="1" checked`)

	// Typed text is kept when too long.
	long := strings.Repeat("é", survey.FollowUpActionMaxLen+1)
	rec = b.post(list+"/"+b.orderID, url.Values{"action": {long}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), long) {
		t.Fatalf("long action: %d, typed text kept %v", rec.Code, strings.Contains(rec.Body.String(), long))
	}

	// Without the CSRF token the form is refused.
	rec = postForm(b.router, list+"/"+b.orderID, url.Values{"action": {"Appel"}, "close": {"1"}}, b.session, "")
	if rec.Code != http.StatusForbidden {
		t.Fatalf("without CSRF: %d", rec.Code)
	}

	rec = b.post(list+"/"+b.orderID, url.Values{"action": {"Appel du client <b>le 2 mars</b>"}, "close": {"1"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("close: %d %s", rec.Code, rec.Body)
	}
	body = b.get(rec.Header().Get("Location")).Body.String()
	mustContain(t, body, "le suivi clôturé", "À traiter (0)", "Clôturées (1)", "Appel du client &lt;b&gt;le 2 mars&lt;/b&gt;", "charge@bocage.fr")
	mustContain(t, b.get(b.root()).Body.String(), "0 insatisfaction à traiter sur la période")
}

// TestFollowUpsArePagedWithinAPeriod: "Suivi" shows a period's items a page
// at a time, open ones first, so that a page costs what it shows.
func TestFollowUpsArePagedWithinAPeriod(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t) // one open item, BC-<1>
	start := b.clock.T
	for i := range FollowUpsPerPage + 4 {
		_, link := b.exportOrder(b.st.ID, b.key, fmt.Sprintf("BC-P%02d", i), survey.ServiceMAD, start.Add(time.Duration(i+1)*time.Minute))
		b.exportAnswer(link, b.clock.T.Add(time.Minute), "pas_du_tout_satisfait", "2", "", survey.ServiceMAD)
	}
	list := b.root() + "/suivi"
	first := b.get(list).Body.String()
	mustContain(t, first, "À traiter (25)", "Page 1 sur 2", `rel="next"`)
	if n := strings.Count(first, `<li class="followup">`); n != FollowUpsPerPage {
		t.Fatalf("page 1 shows %d items, want %d", n, FollowUpsPerPage)
	}
	second := b.get(list + "?page=2").Body.String()
	if n := strings.Count(second, `<li class="followup">`); n != 5 {
		t.Fatalf("page 2 shows %d items, want 5", n)
	}
	mustContain(t, second, "Page 2 sur 2", `rel="prev"`)
	// A period before any survey holds nothing; a bad date is refused beside its field.
	mustContain(t, b.get(list+"?from=2020-01-01&to=2020-12-31").Body.String(), "À traiter (0)")
	rec := b.get(list + "?from=2026-13-01")
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad date: %d", rec.Code)
	}
	mustContain(t, rec.Body.String(), `id="from-error"`)
}

func TestFollowUpOfAnotherStructureIs404(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	other, otherKey := b.structure("ETTI du Port", "Bretagne")
	oid, _ := b.exportOrder(other.ID, otherKey, "BC-9", survey.ServiceMAD, b.clock.T)
	if rec := b.post(b.root()+"/suivi/"+oid, url.Values{"action": {"x"}}); rec.Code != http.StatusNotFound {
		t.Fatalf("other structure's order: %d", rec.Code)
	}
	if rec := b.get(structurePagesPath(other.ID)); rec.Code != http.StatusNotFound {
		t.Fatalf("other structure's dashboard: %d", rec.Code)
	}
}

func TestExportsPageDownloadsTheWorkbookWithFollowUps(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	mustContain(t, b.get(b.root()+"/exports").Body.String(), `action="/app/structures/`+b.st.ID+`/exports/classeur"`, `value="2025-04-01"`)

	rec := b.get(b.root() + "/exports/classeur?from=2026-03-01&to=2026-02-01&service=")
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad period: %d", rec.Code)
	}
	mustContain(t, rec.Body.String(), `id="to-error">La date de fin ne peut pas précéder la date de début.</p>`, `value="2026-03-01"`)

	rec = b.get(b.root() + "/exports/classeur?from=2026-03-01&to=2026-03-31&service=")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != xlsxContentType {
		t.Fatalf("download: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	text := responseText(t, rec.Body.Bytes())
	mustContain(t, text, "Suivi des insatisfactions", "BC-&lt;1&gt;", "Intérimaire absent")
}

func TestExportsPageDashboardUploadErrorsBesideTheFileField(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField(csrfField, b.csrf)
	_ = w.WriteField("from", "2026-03-01")
	_ = w.WriteField("to", "2026-03-31")
	part, _ := w.CreateFormFile("file", "tableau.csv")
	_, _ = part.Write([]byte("a;b"))
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, b.root()+"/exports/tableau-de-bord", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: sessionCookieName, Value: b.session})
	rec := b.serve(req)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("csv upload: %d %s", rec.Code, rec.Body)
	}
	mustContain(t, rec.Body.String(), `id="file-error">Le tableau de bord doit être un classeur Excel .xlsx.</p>`, `value="2026-03-31"`)
}

// TestBackofficePagesEscapeUserText opens every back-office page of the
// structure with markup in the structure's name, the order and the answer:
// none of it may come out as markup.
func TestBackofficePagesEscapeUserText(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	admin := b.user("direction@bocage.fr", accounts.RoleStructureAdmin, b.st.ID, "")
	token, _ := b.testEnv.session(admin.ID)
	fed := b.user("federation@reseau.fr", accounts.RoleFederation, "", "")
	fedToken, _ := b.testEnv.session(fed.ID)
	root := b.root()
	pages := map[string]string{
		root: token, root + "/suivi": token, root + "/commandes": token, root + "/commandes/nouvelle": token,
		root + "/commandes/" + b.orderID: token, root + "/reponses": token, root + "/reponses/" + b.orderID: token,
		root + "/commandes/import": token, root + "/exports": token, root + "/questionnaires": token,
		root + "/administration": token, "/app/reseau": fedToken, "/app/reseau/structures": fedToken,
		"/app/regions/Normandie": fedToken,
	}
	for path, tok := range pages {
		rec := getWithCookie(b.router, path, tok)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: %d", path, rec.Code)
			continue
		}
		body := rec.Body.String()
		for _, raw := range []string{"<du>", "BC-<1>", "<script>alert"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s shows %q unescaped", path, raw)
			}
		}
		if !strings.Contains(body, "&lt;du&gt;") && !strings.HasPrefix(path, "/app/reseau/structures") {
			t.Errorf("%s does not name the structure", path)
		}
		if rec.Header().Get("X-Frame-Options") != "DENY" || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("%s lacks the page security headers", path)
		}
	}
}
