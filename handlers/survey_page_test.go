package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"capsat/survey"
)

// surveyFixture is an issued survey link on a fresh structure and order.
type surveyFixture struct {
	structure *survey.Structure
	order     *survey.Order
	token     string
}

// issueSurvey creates a structure, a staff-provision order and its link.
func (e *testEnv) issueSurvey(structureName, jobTitle string) surveyFixture {
	e.t.Helper()
	ctx := context.Background()
	st, _ := e.structure(structureName, "Normandie")
	o, err := e.store.CreateOrder(ctx, st.ID, survey.OrderInput{
		Reference: "BC-1", ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "Mairie de Vire", ContactName: "Mme Durand"},
		JobTitle: jobTitle, StartDate: "2026-03-03", EndDate: "2026-03-14", Hours: 35, Notes: "Salarié : Jean Dupont",
	})
	if err != nil {
		e.t.Fatalf("create order: %v", err)
	}
	l, err := e.store.IssueSurvey(ctx, st.ID, o.ID)
	if err != nil {
		e.t.Fatalf("issue survey: %v", err)
	}
	return surveyFixture{structure: st, order: o, token: l.Token}
}

var formTokenRE = regexp.MustCompile(`name="_form" value="([^"]+)"`)

// openSurvey GETs the page and returns it with the form cookie and token.
func (e *testEnv) openSurvey(token string) (*httptest.ResponseRecorder, *http.Cookie, string) {
	e.t.Helper()
	rec := e.do(http.MethodGet, "/s/"+token, "", "")
	if rec.Code != http.StatusOK {
		e.t.Fatalf("open survey: %d %s", rec.Code, rec.Body)
	}
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == formTokenCookie {
			cookie = c
		}
	}
	m := formTokenRE.FindStringSubmatch(rec.Body.String())
	if cookie == nil || m == nil || m[1] != cookie.Value {
		e.t.Fatalf("form token: cookie %v, field %v", cookie, m)
	}
	return rec, cookie, m[1]
}

// postSurvey posts form values with the cookie (when not nil).
func (e *testEnv) postSurvey(token string, cookie *http.Cookie, form url.Values) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/s/"+token, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return e.serve(req)
}

// fullAnswers answers every question of the default staff-provision questionnaire.
func fullAnswers(formToken string) url.Values {
	v := url.Values{formTokenField: {formToken}}
	for _, q := range survey.DefaultMADQuestions() {
		switch q.Type {
		case survey.QuestionScale:
			v.Set(q.Code, "satisfait")
		case survey.QuestionYesNo:
			v.Set(q.Code, survey.YesAnswer)
		case survey.QuestionNPS:
			v.Set(q.Code, "9")
		case survey.QuestionText:
			v.Set(q.Code, "Très bon travail.")
		}
	}
	return v
}

// responseCount counts stored responses in the test's database.
func (e *testEnv) responseCount() int64 {
	e.t.Helper()
	n, err := e.store.DB().Collection("responses").CountDocuments(context.Background(), map[string]any{})
	if err != nil {
		e.t.Fatalf("count responses: %v", err)
	}
	return n
}

func TestSurveyPageNamesTheServiceAndNothingOfTheEmployee(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := e.issueSurvey("AI du Bocage", "Agent d'entretien")
	rec, cookie, _ := e.openSurvey(f.token)
	body := rec.Body.String()
	for _, want := range []string{
		`<html lang="fr">`, "AI du Bocage", "Mise à disposition — agent d&#39;entretien, du 3 au 14 mars 2026",
		"version 1", "<fieldset", "<legend", `<label for="q1-0">Très satisfait</label>`,
		"Pas du tout satisfait", "Sans objet", `<label for="q9-10">10</label>`, `maxlength="2000"`, `name="site_web"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, secret := range []string{"Jean Dupont", "Mme Durand", "BC-1"} {
		if strings.Contains(body, secret) {
			t.Errorf("page shows %q", secret)
		}
	}
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/s/" {
		t.Errorf("form cookie attributes: %+v", cookie)
	}
}

func TestSurveySubmitStoresOnceAndRedirects(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := e.issueSurvey("AI du Bocage", "Agent d'entretien")
	_, cookie, formToken := e.openSurvey(f.token)
	answers := fullAnswers(formToken)
	answers.Set("recommandation", "4") // a detractor: flagged for follow-up

	rec := e.postSurvey(f.token, cookie, answers)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/s/"+f.token+"/merci" {
		t.Fatalf("submit: %d %q %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	rec = e.do(http.MethodGet, "/s/"+f.token+"/merci", "", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Merci, votre réponse a bien été enregistrée") {
		t.Fatalf("thanks: %d %s", rec.Code, rec.Body)
	}
	// Replay, double click, second tab: the same post again.
	rec = e.postSurvey(f.token, cookie, answers)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Merci, votre réponse a déjà été enregistrée") {
		t.Fatalf("replay: %d %s", rec.Code, rec.Body)
	}
	if n := e.responseCount(); n != 1 {
		t.Fatalf("%d responses stored, want 1", n)
	}
	r, err := e.store.Response(context.Background(), f.structure.ID, f.order.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Flagged || r.Answers["commentaire"] != "Très bon travail." || r.QuestionnaireVersion != 1 {
		t.Fatalf("stored response: %+v", r)
	}
}

func TestSurveyThanksBeforeAnswerGoesBackToTheForm(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := e.issueSurvey("AI du Bocage", "Agent d'entretien")
	rec := e.do(http.MethodGet, "/s/"+f.token+"/merci", "", "")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/s/"+f.token {
		t.Fatalf("thanks before answering: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestSurveyInvalidAnswersKeepValuesAndNameErrors(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := e.issueSurvey("AI du Bocage", "Agent d'entretien")
	_, cookie, formToken := e.openSurvey(f.token)
	answers := fullAnswers(formToken)
	answers.Del("qualite_travail")          // required, question 3
	answers.Set("recommandation", "11")     // out of range, question 9
	answers.Set("commentaire", "À revoir.") // kept as typed
	answers.Set("reactivite", "tres_satisfait")
	rec := e.postSurvey(f.token, cookie, answers)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		"<title>Erreur\u00a0: ", `role="alert"`,
		`<a href="#q3-0">Question 3 : Merci de répondre à cette question.</a>`,
		`<p class="error-message" id="q3-erreur"><span class="visually-hidden">Erreur : </span>Merci de répondre à cette question.</p>`,
		`aria-describedby="q3-erreur"`, `id="q3-0" name="qualite_travail" value="tres_satisfait" aria-invalid="true"`,
		"Choisissez une note de 0 à 10.", `aria-describedby="q9-echelle q9-erreur"`,
		`id="q1-0" name="reactivite" value="tres_satisfait" checked>`, ">À revoir.</textarea>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := e.responseCount(); n != 0 {
		t.Fatalf("%d responses stored, want 0", n)
	}
}

func TestSurveyLinkStates(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ctx := context.Background()
	answered := e.issueSurvey("AI Répondue", "Jardinier")
	sc, err := e.store.ResolveToken(ctx, answered.token)
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]string{}
	for k, v := range fullAnswers("") {
		raw[k] = v[0]
	}
	if _, err := e.store.SubmitResponse(ctx, answered.token, raw); err != nil {
		t.Fatalf("submit %v (%s)", err, sc.Questionnaire.Title)
	}
	cancelled := e.issueSurvey("AI Annulée", "Jardinier")
	if err := e.store.CancelSurvey(ctx, cancelled.structure.ID, cancelled.order.ID); err != nil {
		t.Fatal(err)
	}
	expiring := e.issueSurvey("AI Expirée", "Jardinier")
	e.clock.Advance(61 * 24 * time.Hour)
	renewed := e.issueSurvey("AI Active", "Jardinier")

	tests := []struct {
		name, path string
		status     int
		want       string
	}{
		{"malformed", "/s/abc", 404, "Ce lien ne correspond à aucun questionnaire"},
		{"malformed thanks", "/s/abc%3Cx%3E/merci", 404, "Ce lien ne correspond à aucun questionnaire"},
		{"unknown", "/s/" + strings.Repeat("A", survey.TokenLen), 404, "Ce lien ne correspond à aucun questionnaire"},
		{"expired", "/s/" + expiring.token, 410, "Ce lien a expiré"},
		{"cancelled", "/s/" + cancelled.token, 410, "Ce questionnaire a été annulé"},
		{"cancelled thanks", "/s/" + cancelled.token + "/merci", 410, "Ce questionnaire a été annulé"},
		{"answered", "/s/" + answered.token, 200, "Merci, votre réponse a déjà été enregistrée"},
		{"answered thanks", "/s/" + answered.token + "/merci", 200, "Merci, votre réponse a bien été enregistrée"},
		{"open", "/s/" + renewed.token, 200, "Envoyer mes réponses"},
	}
	bodies := map[int]string{}
	for _, tt := range tests {
		rec := e.do(http.MethodGet, tt.path, "", "")
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s: %d, want %d with %q\n%s", tt.name, rec.Code, tt.status, tt.want, rec.Body)
		}
		if tt.status == 404 {
			if prev, ok := bodies[404]; ok && prev != rec.Body.String() {
				t.Errorf("%s: 404 page differs from another 404 page", tt.name)
			}
			bodies[404] = rec.Body.String()
		}
	}
	// Posting to a closed link stores nothing and shows the same states.
	for _, f := range []surveyFixture{expiring, cancelled} {
		if rec := e.postSurvey(f.token, nil, fullAnswers("")); rec.Code != http.StatusGone {
			t.Errorf("post to closed link: %d", rec.Code)
		}
	}
	if n := e.responseCount(); n != 1 {
		t.Fatalf("%d responses stored, want 1", n)
	}
}

func TestSurveyPagesCarrySecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := e.issueSurvey("AI du Bocage", "Agent d'entretien")
	for _, path := range []string{"/s/" + f.token, "/s/" + strings.Repeat("z", survey.TokenLen), "/s/" + f.token + "/merci"} {
		rec := e.do(http.MethodGet, path, "", "")
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "style-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows scripts: %q", path, csp)
		}
		for name, want := range map[string]string{
			"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
			"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", path, name, got, want)
			}
		}
		if strings.Contains(rec.Body.String(), "<script") {
			t.Errorf("%s: page has a script", path)
		}
	}
}

func TestSurveyCrossSitePostIsRefused(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := e.issueSurvey("AI du Bocage", "Agent d'entretien")
	_, cookie, formToken := e.openSurvey(f.token)
	forged := *cookie
	forged.Value = strings.Repeat("A", len(cookie.Value))
	for name, tc := range map[string]struct {
		cookie *http.Cookie
		field  string
	}{
		"no cookie":      {nil, formToken},
		"no field":       {cookie, ""},
		"other cookie":   {&forged, formToken},
		"malformed both": {&http.Cookie{Name: formTokenCookie, Value: "x"}, "x"},
	} {
		answers := fullAnswers(tc.field)
		rec := e.postSurvey(f.token, tc.cookie, answers)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "la page a expiré") {
			t.Errorf("%s: %d", name, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), `value="9" checked`) {
			t.Errorf("%s: answers not kept", name)
		}
	}
	if n := e.responseCount(); n != 0 {
		t.Fatalf("%d responses stored, want 0", n)
	}
}

func TestSurveyHoneypotStoresNothing(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := e.issueSurvey("AI du Bocage", "Agent d'entretien")
	_, cookie, formToken := e.openSurvey(f.token)
	answers := fullAnswers(formToken)
	answers.Set(honeypotField, "http://spam.example")
	rec := e.postSurvey(f.token, cookie, answers)
	if rec.Code != http.StatusBadRequest || strings.Contains(rec.Body.String(), "spam.example") {
		t.Fatalf("honeypot: %d", rec.Code)
	}
	if n := e.responseCount(); n != 0 {
		t.Fatalf("%d responses stored, want 0", n)
	}
	answers.Del(honeypotField)
	if rec := e.postSurvey(f.token, cookie, answers); rec.Code != http.StatusSeeOther {
		t.Fatalf("retry without honeypot: %d", rec.Code)
	}
}

func TestSurveyFormBodyLimit(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := e.issueSurvey("AI du Bocage", "Agent d'entretien")
	_, cookie, formToken := e.openSurvey(f.token)
	answers := fullAnswers(formToken)
	answers.Set("commentaire", strings.Repeat("é", maxSurveyFormBytes))
	rec := e.postSurvey(f.token, cookie, answers)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "trop volumineuse") {
		t.Fatalf("large body: %d", rec.Code)
	}
	// Within the limit but over the question's length: a field error.
	answers.Set("commentaire", strings.Repeat("é", survey.DefaultTextMaxLen+1))
	rec = e.postSurvey(f.token, cookie, answers)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Votre texte est trop long (2001 caractères, 2000 au plus).") {
		t.Fatalf("long comment: %d", rec.Code)
	}
}

func TestSurveyRateLimitPerIP(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := e.issueSurvey("AI du Bocage", "Agent d'entretien")
	cfg := e.cfg
	cfg.PublicRateLimit = 3
	r, err := NewRouter(Deps{Store: e.store, ReadModel: e.figures, Config: cfg, Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	get := func(ip string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/s/"+f.token, nil)
		req.RemoteAddr = ip + ":40000"
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec
	}
	for i := 0; i < 3; i++ {
		if rec := get("192.0.2.1"); rec.Code != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, rec.Code)
		}
	}
	rec := get("192.0.2.1")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" ||
		!strings.Contains(rec.Body.String(), "Trop de demandes") || rec.Header().Get("Content-Security-Policy") == "" {
		t.Fatalf("over the limit: %d %v", rec.Code, rec.Header())
	}
	if rec := get("192.0.2.2"); rec.Code != http.StatusOK {
		t.Fatalf("another IP: %d", rec.Code)
	}
	e.clock.Advance(time.Minute)
	if rec := get("192.0.2.1"); rec.Code != http.StatusOK {
		t.Fatalf("next minute: %d", rec.Code)
	}
}

func TestSurveyPagesEscapeUserText(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	const evil = `<script>alert(1)</script>`
	const escaped = `&lt;script&gt;alert(1)&lt;/script&gt;`
	open := e.issueSurvey("AI "+evil, "Agent "+evil)
	_, cookie, formToken := e.openSurvey(open.token)
	answers := fullAnswers(formToken)
	answers.Del("reactivite")
	answers.Set("commentaire", evil)
	answers.Set("satisfaction_globale", `"><script>alert(2)</script>`)
	pages := map[string]*httptest.ResponseRecorder{
		"form":   e.do(http.MethodGet, "/s/"+open.token, "", ""),
		"errors": e.postSurvey(open.token, cookie, answers),
	}
	answers.Set("reactivite", "satisfait")
	answers.Set("satisfaction_globale", "satisfait")
	if rec := e.postSurvey(open.token, cookie, answers); rec.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d", rec.Code)
	}
	pages["thanks"] = e.do(http.MethodGet, "/s/"+open.token+"/merci", "", "")
	pages["answered"] = e.do(http.MethodGet, "/s/"+open.token, "", "")
	cancelled := e.issueSurvey("AI2 "+evil, "Agent "+evil)
	if err := e.store.CancelSurvey(context.Background(), cancelled.structure.ID, cancelled.order.ID); err != nil {
		t.Fatal(err)
	}
	pages["cancelled"] = e.do(http.MethodGet, "/s/"+cancelled.token, "", "")
	expired := e.issueSurvey("AI3 "+evil, "Agent "+evil)
	e.clock.Advance(90 * 24 * time.Hour)
	pages["expired"] = e.do(http.MethodGet, "/s/"+expired.token, "", "")
	for name, rec := range pages {
		body := rec.Body.String()
		if strings.Contains(body, "<script") {
			t.Errorf("%s page (%d) has an unescaped script", name, rec.Code)
		}
		if !strings.Contains(body, escaped) {
			t.Errorf("%s page (%d) does not show the escaped name", name, rec.Code)
		}
	}
}

func TestFrenchPeriods(t *testing.T) {
	t.Parallel()
	tests := []struct{ start, end, want string }{
		{"2026-03-03", "2026-03-14", "du 3 au 14 mars 2026"},
		{"2026-02-28", "2026-03-01", "du 28 février au 1er mars 2026"},
		{"2025-12-15", "2026-01-09", "du 15 décembre 2025 au 9 janvier 2026"},
		{"2026-03-01", "2026-03-01", "le 1er mars 2026"},
		{"2026-03-03", "", "à partir du 3 mars 2026"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := frPeriod(tt.start, tt.end); got != tt.want {
			t.Errorf("frPeriod(%q, %q) = %q, want %q", tt.start, tt.end, got, tt.want)
		}
	}
	o := &survey.Order{ServiceType: survey.ServiceMAC, JobTitle: "ASH", StartDate: "2026-04-02"}
	if got := serviceSummary(o); got != "Mise à contrat — ASH, à partir du 2 avril 2026" {
		t.Errorf("serviceSummary = %q", got)
	}
}
