package handlers

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/xuri/excelize/v2"
)

var formActionRE = regexp.MustCompile(`<form method="post" action="([^"]+)"`)

// answerThrough opens the survey page at path (the link with or without
// its channel) and posts the answers to the form's own action.
func (e *testEnv) answerThrough(path string) {
	e.t.Helper()
	rec := e.do(http.MethodGet, path, "", "")
	if rec.Code != http.StatusOK {
		e.t.Fatalf("open %s: %d", path, rec.Code)
	}
	m := formActionRE.FindStringSubmatch(rec.Body.String())
	cookie := rec.Result().Cookies()[0]
	ft := formTokenRE.FindStringSubmatch(rec.Body.String())
	if m == nil || ft == nil {
		e.t.Fatalf("no form on %s", path)
	}
	action := strings.ReplaceAll(m[1], "&amp;", "&")
	req := newFormRequest(action, fullAnswers(ft[1]))
	req.AddCookie(cookie)
	if rec := e.serve(req); rec.Code != http.StatusSeeOther {
		e.t.Fatalf("answer %s: %d %s", action, rec.Code, rec.Body)
	}
}

func newFormRequest(path string, form url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// TestResponseRateByChannel answers surveys through the e-mail, QR and
// plain links and reads the rates by channel in the JSON indicators, the
// workbook's Canaux sheet and the dashboard; another structure's answers
// never count.
func TestResponseRateByChannel(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	other, otherKey := e.structure("AI des Causses", "Occitanie")
	at := exportDay(2026, 2, 10)
	var tokens []string
	for _, ref := range []string{"BC-1", "BC-2", "BC-3", "BC-4", "BC-5"} {
		_, tok := e.exportOrder(st.ID, key, ref, survey.ServiceMAD, at)
		tokens = append(tokens, tok)
	}
	_, otherTok := e.exportOrder(other.ID, otherKey, "BC-1", survey.ServiceMAD, at)
	e.clock.T = at.Add(24 * 60 * 60 * 1e9)

	// The QR code encodes the ?c=qr variant of the order's link.
	e.answerThrough("/s/" + tokens[0] + "?c=mail")
	e.answerThrough("/s/" + tokens[1] + "?c=mail")
	e.answerThrough("/s/" + tokens[2] + "?c=qr")
	e.answerThrough("/s/" + tokens[3])
	e.answerThrough("/s/" + otherTok + "?c=qr")

	rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/indicators?from=2026-02-01&to=2026-02-28", "", key)
	if rec.Code != http.StatusOK {
		t.Fatalf("indicators: %d %s", rec.Code, rec.Body)
	}
	in := decode[map[string]any](t, rec)
	for code, want := range map[string][2]float64{
		"REPONSES_MAIL": {2, 0}, "REPONSES_QR": {1, 0}, "REPONSES_LIEN": {1, 0},
		"TAUX_REPONSE_MAIL": {2, 5}, "TAUX_REPONSE_QR": {1, 5}, "TAUX_REPONSE_LIEN": {1, 5}, "TAUX_REPONSE": {4, 5},
	} {
		f := exportFigure(t, in, code, "Total", "all")
		if f["numerator"] != want[0] || f["denominator"] != want[1] {
			t.Errorf("%s: %v/%v, want %v", code, f["numerator"], f["denominator"], want)
		}
	}

	rec = e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/exports/satisfaction.xlsx?from=2026-02-01&to=2026-02-28", "", key)
	if rec.Code != http.StatusOK {
		t.Fatalf("export: %d", rec.Code)
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Canaux")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if len(r) >= 7 && r[1] == "TAUX_REPONSE_MAIL" && r[2] == "Total" && r[3] == "Toutes" {
			found = r[5] == "2" && r[6] == "5"
		}
	}
	if !found {
		t.Errorf("Canaux sheet lacks TAUX_REPONSE_MAIL Total 2/5: %v", rows)
	}

	u := e.user("charge@bocage.fr", accounts.RoleStructureMember, st.ID, "")
	session, _ := e.session(u.ID)
	rec = getWithCookie(e.router, structurePagesPath(st.ID)+"?from=2026-02-01&to=2026-02-28", session)
	if rec.Code != http.StatusOK {
		t.Fatalf("dashboard: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`<tr data-code="TAUX_REPONSE_MAIL"><th scope="row">Lien envoyé par e-mail</th><td>2</td><td>40 %</td></tr>`,
		`<tr data-code="TAUX_REPONSE_LIEN"><th scope="row">Lien copié</th><td>1</td><td>20 %</td></tr>`,
		`<tr data-code="TAUX_REPONSE_QR"><th scope="row">QR code</th><td>1</td><td>20 %</td></tr>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}

	// The other structure: its one QR answer, none of the first's.
	rec = e.do(http.MethodGet, "/api/v1/structures/"+other.ID+"/indicators?from=2026-02-01&to=2026-02-28", "", otherKey)
	in = decode[map[string]any](t, rec)
	if f := exportFigure(t, in, "REPONSES_QR", "Total", "all"); f["numerator"] != 1.0 {
		t.Errorf("other structure REPONSES_QR %v", f["numerator"])
	}
	if f := exportFigure(t, in, "REPONSES_MAIL", "Total", "all"); f["numerator"] != 0.0 {
		t.Errorf("other structure REPONSES_MAIL %v", f["numerator"])
	}
}
