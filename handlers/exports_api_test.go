package handlers

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// exportOrder creates an order, issues its link at the clock's time and
// returns the order id and the link token.
func (e *testEnv) exportOrder(sid, key, ref string, st survey.ServiceType, issuedAt time.Time) (string, string) {
	e.t.Helper()
	e.clock.T = issuedAt
	body := fmt.Sprintf(`{"reference":%q,"service_type":%q,"client":{"company":"Client %s"},"start_date":"2025-12-01","end_date":"2025-12-31","hours":10}`, ref, st, ref)
	rec := e.do(http.MethodPost, "/api/v1/structures/"+sid+"/orders", body, key)
	if rec.Code != http.StatusCreated {
		e.t.Fatalf("create order: %d %s", rec.Code, rec.Body)
	}
	oid := decode[map[string]any](e.t, rec)["id"].(string)
	rec = e.do(http.MethodPost, "/api/v1/structures/"+sid+"/orders/"+oid+"/survey", "", key)
	if rec.Code != http.StatusOK {
		e.t.Fatalf("issue survey: %d %s", rec.Code, rec.Body)
	}
	url := decode[map[string]string](e.t, rec)["url"]
	return oid, url[strings.LastIndex(url, "/")+1:]
}

// exportAnswer submits a response through the store at time at.
func (e *testEnv) exportAnswer(token string, at time.Time, overall, nps, comment string, st survey.ServiceType) {
	e.t.Helper()
	e.clock.T = at
	qs := survey.DefaultMADQuestions()
	if st == survey.ServiceMAC {
		qs = survey.DefaultMACQuestions()
	}
	answers := map[string]string{}
	for _, q := range qs {
		switch q.Type {
		case survey.QuestionScale:
			answers[q.Code] = "satisfait"
		case survey.QuestionYesNo:
			answers[q.Code] = "oui"
		}
	}
	answers["satisfaction_globale"], answers["recommandation"], answers["commentaire"] = overall, nps, comment
	if _, err := e.store.SubmitResponse(context.Background(), token, answers); err != nil {
		e.t.Fatalf("submit: %v", err)
	}
}

func exportDay(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 10, 0, 0, 0, survey.IndicatorLocation())
}

// exportFixture: in January 2026, two MAD answered (one in February), one
// MAC answered with a formula-like comment, one MAD unanswered, one MAD
// cancelled; in February one MAD cancelled then re-issued (counted once).
func exportFixture(t *testing.T) (*testEnv, *survey.Structure, string) {
	e := newTestEnv(t)
	st, key := e.structure("AI d'Évreux & Co", "Normandie")
	_, t1 := e.exportOrder(st.ID, key, "BC-1", survey.ServiceMAD, exportDay(2026, 1, 5))
	e.exportAnswer(t1, exportDay(2026, 1, 6), "tres_satisfait", "10", "Très réactifs", survey.ServiceMAD)
	_, t2 := e.exportOrder(st.ID, key, "BC-2", survey.ServiceMAD, exportDay(2026, 1, 20))
	e.exportAnswer(t2, exportDay(2026, 2, 10), "peu_satisfait", "5", "", survey.ServiceMAD) // answered after January ended
	_, t3 := e.exportOrder(st.ID, key, "BC-3", survey.ServiceMAC, exportDay(2026, 1, 25))
	e.exportAnswer(t3, exportDay(2026, 1, 26), "satisfait", "8", `=HYPERLINK("http://x","y")`, survey.ServiceMAC)
	e.exportOrder(st.ID, key, "BC-4", survey.ServiceMAD, exportDay(2026, 1, 28))
	cancelled, _ := e.exportOrder(st.ID, key, "BC-5", survey.ServiceMAD, exportDay(2026, 1, 29))
	if rec := e.do(http.MethodDelete, "/api/v1/structures/"+st.ID+"/orders/"+cancelled+"/survey", "", key); rec.Code != http.StatusNoContent {
		t.Fatalf("cancel: %d", rec.Code)
	}
	reissued, _ := e.exportOrder(st.ID, key, "BC-6", survey.ServiceMAD, exportDay(2026, 2, 2))
	e.do(http.MethodDelete, "/api/v1/structures/"+st.ID+"/orders/"+reissued+"/survey", "", key)
	e.clock.T = exportDay(2026, 2, 3)
	if rec := e.do(http.MethodPost, "/api/v1/structures/"+st.ID+"/orders/"+reissued+"/survey", "", key); rec.Code != http.StatusOK {
		t.Fatalf("re-issue: %d %s", rec.Code, rec.Body)
	}
	e.clock.T = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return e, st, key
}

func exportFigure(t *testing.T, in map[string]any, code, period, service string) map[string]any {
	t.Helper()
	for _, f := range in["figures"].([]any) {
		m := f.(map[string]any)
		if m["code"] == code && m["period"] == period && m["service"] == service {
			return m
		}
	}
	t.Fatalf("no figure %s %s %s", code, period, service)
	return nil
}

func TestIndicatorsAPI(t *testing.T) {
	t.Parallel()
	e, st, key := exportFixture(t)
	rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/indicators?from=2026-01-01&to=2026-02-28&by=month", "", key)
	if rec.Code != http.StatusOK {
		t.Fatalf("indicators: %d %s", rec.Code, rec.Body)
	}
	in := decode[map[string]any](t, rec)
	checks := []struct {
		code, period, service string
		value, num, den       any
	}{
		{"QUESTIONNAIRES_ENVOYES", "2026-01", "all", 4.0, 4.0, 0.0}, // BC-5 cancelled
		{"REPONSES", "2026-01", "all", 3.0, 3.0, 0.0},
		{"TAUX_REPONSE", "2026-01", "mise_a_disposition", 2.0 / 3, 2.0, 3.0},
		{"TAUX_REPONSE", "2026-02", "all", 0.0, 0.0, 1.0}, // BC-6 re-issued: once, in February
		{"SAT_GLOBALE", "Total", "all", 2.0 / 3, 2.0, 3.0},
		{"NPS", "Total", "all", 0.0, 0.0, 3.0}, // 10, 5, 8
		{"NPS", "2026-02", "all", nil, 0.0, 0.0},
	}
	for _, c := range checks {
		f := exportFigure(t, in, c.code, c.period, c.service)
		if f["value"] != c.value || f["numerator"] != c.num || f["denominator"] != c.den {
			t.Errorf("%s %s %s: %v", c.code, c.period, c.service, f)
		}
	}
	if vs := in["verbatims"].([]any); len(vs) != 2 {
		t.Errorf("verbatims %v", vs)
	}
	rec = e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/indicators?from=2026-01-01&to=2026-03-31&by=quarter&service=mise_a_contrat", "", key)
	in = decode[map[string]any](t, rec)
	if f := exportFigure(t, in, "REPONSES", "2026-T1", "mise_a_contrat"); f["value"] != 1.0 {
		t.Errorf("quarter: %v", f)
	}
	// No dates: the last 12 full months before the clock (1 March 2026).
	in = decode[map[string]any](t, e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/indicators", "", key))
	if in["from"] != "2025-03-01" || in["to"] != "2026-02-28" {
		t.Errorf("default range %v – %v", in["from"], in["to"])
	}
	if f := exportFigure(t, in, "REPONSES", "Total", "all"); f["value"] != 3.0 {
		t.Errorf("default range total %v", f)
	}
}

func TestIndicatorsAPIRefusesBadParams(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Bretagne")
	_, otherKey := e.structure("Autre AI", "Bretagne")
	for _, path := range []string{"/indicators", "/exports/satisfaction.xlsx"} {
		rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID+path+"?from=2026-13-01&to=2026-01-01&service=autre&by=week", "", key)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		b := decode[apiError](t, rec)
		for _, f := range []string{"from", "service", "by"} {
			if path == "/exports/satisfaction.xlsx" && f == "by" {
				continue
			}
			if b.Fields[f] == "" {
				t.Errorf("%s: no message for %s: %v", path, f, b)
			}
		}
		rec = e.do(http.MethodGet, "/api/v1/structures/"+st.ID+path+"?from=2026-03-01&to=2026-01-01", "", key)
		if b := decode[apiError](t, rec); rec.Code != http.StatusUnprocessableEntity || b.Codes["to"] != "end_before_start" {
			t.Errorf("%s: reversed range %d %v", path, rec.Code, b)
		}
		if rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID+path, "", otherKey); rec.Code != http.StatusNotFound {
			t.Errorf("%s: another structure's key: %d", path, rec.Code)
		}
	}
}

func TestSatisfactionWorkbookAPI(t *testing.T) {
	t.Parallel()
	e, st, key := exportFixture(t)
	rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/exports/satisfaction.xlsx?from=2026-01-01&to=2026-02-28", "", key)
	if rec.Code != http.StatusOK {
		t.Fatalf("export: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != xlsxContentType {
		t.Errorf("content type %q", ct)
	}
	cd := rec.Header().Get("Content-Disposition")
	if !strings.Contains(cd, `filename="satisfaction-ai-d-evreux-co-2026-01_2026-02.xlsx"`) ||
		!strings.Contains(cd, "filename*=UTF-8''satisfaction-ai-d-%C3%A9vreux-co-2026-01_2026-02.xlsx") {
		t.Errorf("content disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if idx, err := f.GetSheetIndex("Comparaison"); err != nil || idx < 0 {
		t.Errorf("no Comparaison sheet: %v", f.GetSheetList())
	}
	rows, _ := f.GetRows("Indicateurs", excelize.Options{RawCellValue: true})
	found := 0
	for _, r := range rows {
		switch {
		case r[0] == "REPONSES" && r[1] == "Total" && r[2] == "Toutes":
			found++
			if r[3] != "3" {
				t.Errorf("REPONSES total %v", r)
			}
		case r[0] == "TAUX_REPONSE" && r[1] == "2026-01" && r[2] == "Mise à disposition":
			found++
			if v, _ := strconv.ParseFloat(r[3], 64); v < 0.666 || v > 0.667 || r[4] != "2" || r[5] != "3" {
				t.Errorf("TAUX_REPONSE January MAD %v", r)
			}
		}
	}
	if found != 2 {
		t.Errorf("rows not found (%d)", found)
	}
	vs, _ := f.GetRows("Verbatims")
	if len(vs) != 3 || vs[1][0] != `=HYPERLINK("http://x","y")` {
		t.Errorf("verbatims %v", vs)
	}
	if formula, _ := f.GetCellFormula("Verbatims", "A2"); formula != "" {
		t.Errorf("comment became formula %q", formula)
	}
	if rs, _ := f.GetRows("Réponses"); len(rs) != 4 {
		t.Errorf("%d response rows, want 3 + header", len(rs)-1)
	}
}

// dashboardUpload posts a workbook with the form fields.
func dashboardUpload(t *testing.T, e *testEnv, r http.Handler, sid, key, filename string, data []byte, fields map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(data)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/structures/"+sid+"/exports/dashboard", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	return rec
}

func smallDashboard(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetCellValue("Sheet1", "B2", 0)
	_ = f.SetDefinedName(&excelize.DefinedName{Name: "TAUX_REPONSE_2026_01_MAD", RefersTo: "Sheet1!$B$2"})
	_ = f.SetCellFormula("Sheet1", "C2", "TAUX_REPONSE_2026_01_MAD*100")
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDashboardAPI(t *testing.T) {
	t.Parallel()
	e, st, key := exportFixture(t)
	period := map[string]string{"from": "2026-01-01", "to": "2026-02-28"}
	rec := dashboardUpload(t, e, e.router, st.ID, key, "Tableau de bord CAP.xlsx", smallDashboard(t), period)
	if rec.Code != http.StatusOK {
		t.Fatalf("dashboard: %d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("X-Capsat-Names-Filled") != "1" || !strings.Contains(rec.Header().Get("Content-Disposition"), `filename="tableau-de-bord-cap.xlsx"`) {
		t.Errorf("headers %v", rec.Header())
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Sheet1", "B2", excelize.Options{RawCellValue: true}); !strings.HasPrefix(v, "0.666") {
		t.Errorf("named cell %q, want 2/3", v)
	}
	if formula, _ := f.GetCellFormula("Sheet1", "C2"); formula != "TAUX_REPONSE_2026_01_MAD*100" {
		t.Errorf("formula %q", formula)
	}
	if rows, _ := f.GetRows("Satisfaction clients"); len(rows) < 2 || rows[0][0] != "Code" {
		t.Errorf("indicators sheet missing")
	}

	rec = dashboardUpload(t, e, e.router, st.ID, key, "notes.xlsx", []byte("pas un classeur"), period)
	if b := decode[apiError](t, rec); rec.Code != http.StatusUnprocessableEntity || b.Codes["file"] != "not_xlsx" || !strings.Contains(b.Fields["file"], "Excel") {
		t.Errorf("not an xlsx: %d %v", rec.Code, b)
	}
	rec = dashboardUpload(t, e, e.router, st.ID, key, "tableau.csv", smallDashboard(t), period)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("csv name: %d", rec.Code)
	}
	rec = dashboardUpload(t, e, e.router, st.ID, key, "tableau.xlsx", smallDashboard(t), map[string]string{"from": "hier"})
	if b := decode[apiError](t, rec); rec.Code != http.StatusUnprocessableEntity || b.Fields["from"] == "" {
		t.Errorf("bad period: %d %v", rec.Code, b)
	}

	cfg := e.cfg
	cfg.MaxUploadBytes = 2048
	small, err := NewRouter(Deps{Store: e.store, ReadModel: e.figures, Config: cfg, Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{4096, 200 << 10} { // over the file limit; over the request limit
		rec = dashboardUpload(t, e, small, st.ID, key, "tableau.xlsx", bytes.Repeat([]byte("x"), size), period)
		if b := decode[apiError](t, rec); rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(b.Error, "volumineu") {
			t.Errorf("too large (%d): %d %v", size, rec.Code, b)
		}
	}
}
