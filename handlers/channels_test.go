package handlers

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

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

// TestResponseRateByChannel hands links out through every channel the
// back-office and the API have (e-mail send, QR code downloads from the
// order page and the API, the copy beacon, the API issue), answers some,
// and reads each channel's rate over its own links in the JSON indicators
// (with its n), the workbook's Canaux sheet and the dashboard; the order
// page's preview of the QR code hands nothing out, a later hand-out never
// changes the first channel, and another structure's links never count.
func TestResponseRateByChannel(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	other, otherKey := e.structure("AI des Causses", "Occitanie")
	u := e.user("charge@bocage.fr", accounts.RoleStructureMember, st.ID, "")
	session, csrf := e.session(u.ID)
	e.clock.T = exportDay(2026, 2, 10)
	api := "/api/v1/structures/" + st.ID + "/orders/"
	pages := structurePagesPath(st.ID) + "/commandes/"
	order := func(ref string) string {
		return e.seedOrder(st.ID, key, ref, "Mairie de Vire", "Mme Durand", "durand@vire.fr", "")
	}
	// issueOnPage creates the link from the order page: nothing handed out yet.
	issueOnPage := func(oid string) string {
		t.Helper()
		if rec := postForm(e.router, pages+oid+"/lien", url.Values{csrfField: {csrf}}, session, ""); rec.Code != http.StatusSeeOther {
			t.Fatalf("issue on the page: %d %s", rec.Code, rec.Body)
		}
		o, err := e.store.Order(t.Context(), st.ID, oid)
		if err != nil {
			t.Fatal(err)
		}
		return o.Survey.Token
	}
	tokenOf := func(oid string) string {
		t.Helper()
		o, err := e.store.Order(t.Context(), st.ID, oid)
		if err != nil || o.Survey == nil {
			t.Fatalf("order %s: %v", oid, err)
		}
		return o.Survey.Token
	}
	status := func(what string, rec *httptest.ResponseRecorder, want int) {
		t.Helper()
		if rec.Code != want {
			t.Fatalf("%s: %d, want %d: %s", what, rec.Code, want, rec.Body)
		}
	}
	beacon := func(oid, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, pages+oid+"/lien/copie", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookieName, Value: session})
		if token != "" {
			req.Header.Set(csrfHeader, token)
		}
		return e.serve(req)
	}

	// E-mail: two links sent from capsat, one answered (from the mail's URL).
	mail1, mail2 := order("BC-M1"), order("BC-M2")
	status("send by e-mail", e.do(http.MethodPost, api+mail1+"/survey/email", "", key), http.StatusAccepted)
	status("send by e-mail", e.do(http.MethodPost, api+mail2+"/survey/email", "", key), http.StatusAccepted)
	// QR: one downloaded from the order page, one from the API; the first
	// answered through the printed code.
	qr1, qr2 := order("BC-Q1"), order("BC-Q2")
	issueOnPage(qr1)
	issueOnPage(qr2)
	status("order page QR", getWithCookie(e.router, pages+qr1+"/qr.png", session), http.StatusOK)
	status("API QR", e.do(http.MethodGet, api+qr2+"/survey/qr.svg", "", key), http.StatusOK)
	// The link copied: the beacon (refused without its CSRF token), then a
	// QR preview, a QR download and an e-mail that change nothing.
	copied := order("BC-L1")
	issueOnPage(copied)
	status("beacon without CSRF token", beacon(copied, ""), http.StatusForbidden)
	status("order page's QR preview", getWithCookie(e.router, pages+copied+"/qr.svg?apercu=1", session), http.StatusOK)
	status("copy beacon", beacon(copied, csrf), http.StatusNoContent)
	status("later QR", getWithCookie(e.router, pages+copied+"/qr.png", session), http.StatusOK)
	status("later e-mail", e.do(http.MethodPost, api+copied+"/survey/email", "", key), http.StatusAccepted)
	// The API's issue hands the link out as it is.
	byAPI := order("BC-L2")
	e.issueSurveyToken(st.ID, byAPI, key)
	// Issued on the page and never handed out: one answered (by hand,
	// counted as the link), one not (in no channel).
	byHand, never := order("BC-H1"), order("BC-H2")
	issueOnPage(byHand)
	issueOnPage(never)
	// A beacon for another structure's order is refused.
	otherOrder := e.seedOrder(other.ID, otherKey, "BC-X", "Mairie", "", "", "")
	e.issueSurveyToken(other.ID, otherOrder, otherKey)
	if rec := beacon(otherOrder, csrf); rec.Code != http.StatusNotFound && rec.Code != http.StatusForbidden {
		t.Fatalf("beacon on another structure's order: %d", rec.Code)
	}

	e.clock.T = e.clock.T.Add(24 * time.Hour)
	e.answerThrough("/s/" + tokenOf(mail1) + "?c=mail")
	e.answerThrough("/s/" + tokenOf(qr1) + "?c=qr")
	e.answerThrough("/s/" + tokenOf(copied) + "?c=qr") // copied first: stays the link
	e.answerThrough("/s/" + tokenOf(byHand))
	e.answerThrough("/s/" + e.issueSurveyToken(other.ID, otherOrder, otherKey) + "?c=qr")

	rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/indicators?from=2026-02-01&to=2026-02-28", "", key)
	status("indicators", rec, http.StatusOK)
	in := decode[map[string]any](t, rec)
	for code, want := range map[string][3]float64{ // numerator, denominator, n
		"REPONSES_MAIL": {1, 0, 1}, "REPONSES_QR": {1, 0, 1}, "REPONSES_LIEN": {2, 0, 2},
		"TAUX_REPONSE_MAIL": {1, 2, 2}, "TAUX_REPONSE_QR": {1, 2, 2}, "TAUX_REPONSE_LIEN": {2, 3, 3},
		"TAUX_REPONSE": {4, 8, 8},
	} {
		f := exportFigure(t, in, code, "Total", "all")
		if f["numerator"] != want[0] || f["denominator"] != want[1] || f["n"] != want[2] {
			t.Errorf("%s: %v/%v n=%v, want %v", code, f["numerator"], f["denominator"], f["n"], want)
		}
	}

	rec = e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/exports/satisfaction.xlsx?from=2026-02-01&to=2026-02-28", "", key)
	status("export", rec, http.StatusOK)
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Canaux")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, r := range rows {
		if len(r) >= 8 && r[2] == "Total" && r[3] == "Toutes" {
			switch {
			case r[1] == "TAUX_REPONSE_MAIL" && r[5] == "1" && r[6] == "2" && r[7] == "2",
				r[1] == "TAUX_REPONSE_LIEN" && r[5] == "2" && r[6] == "3" && r[7] == "3":
				found++
			}
		}
	}
	if found != 2 {
		t.Errorf("Canaux sheet lacks TAUX_REPONSE_MAIL 1/2 n=2 or TAUX_REPONSE_LIEN 2/3 n=3: %v", rows)
	}

	rec = getWithCookie(e.router, structurePagesPath(st.ID)+"?from=2026-02-01&to=2026-02-28", session)
	status("dashboard", rec, http.StatusOK)
	body := rec.Body.String()
	for _, want := range []string{
		`<tr data-code="TAUX_REPONSE_MAIL"><th scope="row">Lien envoyé par e-mail</th><td>2</td><td>1</td><td>` + frPercent(0.5) + `</td></tr>`,
		`<tr data-code="TAUX_REPONSE_LIEN"><th scope="row">Lien copié</th><td>3</td><td>2</td><td>` + frPercent(2.0/3) + `</td></tr>`,
		`<tr data-code="TAUX_REPONSE_QR"><th scope="row">QR code</th><td>2</td><td>1</td><td>` + frPercent(0.5) + `</td></tr>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}

	// The other structure: its one answer, handed out by its API issue.
	rec = e.do(http.MethodGet, "/api/v1/structures/"+other.ID+"/indicators?from=2026-02-01&to=2026-02-28", "", otherKey)
	in = decode[map[string]any](t, rec)
	if f := exportFigure(t, in, "TAUX_REPONSE_LIEN", "Total", "all"); f["numerator"] != 1.0 || f["denominator"] != 1.0 {
		t.Errorf("other structure TAUX_REPONSE_LIEN %v/%v", f["numerator"], f["denominator"])
	}
	if f := exportFigure(t, in, "TAUX_REPONSE_QR", "Total", "all"); f["denominator"] != 0.0 {
		t.Errorf("other structure TAUX_REPONSE_QR over %v links", f["denominator"])
	}
}

// TestLinkOpenedInTheOrderHistory: opening the survey page (not answering)
// shows in the order's messages JSON (opened_at) and its page's history,
// the first opening only.
func TestLinkOpenedInTheOrderHistory(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	u := e.user("charge@bocage.fr", accounts.RoleStructureMember, st.ID, "")
	oid := e.seedOrder(st.ID, key, "BC-1", "Mairie de Vire", "Mme Durand", "durand@vire.fr", "")
	token := e.issueSurveyToken(st.ID, oid, key)
	messages := "/api/v1/structures/" + st.ID + "/orders/" + oid + "/messages"
	if rec := e.do(http.MethodGet, messages, "", key); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"opened_at":null`) {
		t.Fatalf("before any opening: %d %s", rec.Code, rec.Body)
	}
	e.clock.T = time.Date(2026, 3, 2, 13, 5, 0, 0, time.UTC) // 14h05 in Paris
	if rec := e.do(http.MethodGet, "/s/"+token, "", ""); rec.Code != http.StatusOK {
		t.Fatalf("open: %d", rec.Code)
	}
	e.clock.T = e.clock.T.Add(48 * time.Hour)
	if rec := e.do(http.MethodGet, "/s/"+token+"?c=mail", "", ""); rec.Code != http.StatusOK {
		t.Fatalf("open again: %d", rec.Code)
	}
	rec := e.do(http.MethodGet, messages, "", key)
	got := decode[messagesJSON](t, rec)
	if got.OpenedAt == nil || !got.OpenedAt.Equal(time.Date(2026, 3, 2, 13, 5, 0, 0, time.UTC)) || got.Messages == nil {
		t.Fatalf("messages after opening: %s", rec.Body)
	}
	session, _ := e.session(u.ID)
	page := getWithCookie(e.router, structurePagesPath(st.ID)+"/commandes/"+oid, session)
	mustContain(t, page.Body.String(), `<tr data-status="opened" id="lien-ouvert">`, "Lien ouvert le 02/03/2026 à 14h05")
}
