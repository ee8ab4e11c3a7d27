package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"capsat/survey"
)

func TestWalkingSkeletonOrderToSurveyLink(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	other, otherKey := e.structure("AI Voisine", "Normandie")
	_ = other
	body := `{"reference":"BC-2026-001","service_type":"mise_a_disposition","client":{"company":"Mairie de Vire","siret":"","contact_name":"Mme Durand","email":"durand@vire.fr","phone":"0231000000"},"job_title":"Agent d'entretien","start_date":"2026-03-03","end_date":"2026-03-14","hours":35}`
	rec := e.do(http.MethodPost, "/api/v1/structures/"+st.ID+"/orders", body, key)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create order: %d %s", rec.Code, rec.Body)
	}
	order := decode[map[string]any](t, rec)
	oid := order["id"].(string)

	rec = e.do(http.MethodPost, "/api/v1/structures/"+st.ID+"/orders/"+oid+"/survey", "", key)
	if rec.Code != http.StatusOK {
		t.Fatalf("issue survey: %d %s", rec.Code, rec.Body)
	}
	link := decode[map[string]string](t, rec)
	if !strings.HasPrefix(link["url"], "http://capsat.test/s/") || link["expires_at"] == "" {
		t.Fatalf("link: %v", link)
	}
	// Another structure's key sees nothing; no key is refused.
	if rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/orders/"+oid, "", otherKey); rec.Code != http.StatusNotFound {
		t.Fatalf("other structure: %d", rec.Code)
	}
	if rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/orders/"+oid, "", ""); rec.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", rec.Code)
	}
}

func TestBadJSONIsA400WithFields(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Bretagne")
	cases := []struct{ name, body string }{
		{"malformed", `{"reference":`},
		{"wrong type", `{"reference":12}`},
		{"empty", ``},
	}
	for _, tc := range cases {
		rec := e.do(http.MethodPost, "/api/v1/structures/"+st.ID+"/orders", tc.body, key)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d %s", tc.name, rec.Code, rec.Body)
		}
		if b := decode[map[string]any](t, rec); b["error"] == nil || b["fields"] == nil {
			t.Errorf("%s: body %v", tc.name, b)
		}
	}
	rec := e.do(http.MethodPost, "/api/v1/structures/"+st.ID+"/orders", `{"reference":"X","service_type":"autre","client":{"company":"C","siret":"12345678901234"},"start_date":"2026-03-10","end_date":"2026-03-01"}`, key)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid: %d %s", rec.Code, rec.Body)
	}
	b := decode[apiError](t, rec)
	for _, f := range []string{"service_type", "client.siret", "end_date"} {
		if b.Fields[f] == "" || b.Codes[f] == "" {
			t.Errorf("no message for %s: %v", f, b)
		}
	}
}

// orderBody is a valid order as JSON, changed by edit.
func orderBody(ref string, edit func(o map[string]any)) string {
	o := map[string]any{
		"reference": ref, "service_type": "mise_a_disposition",
		"client":    map[string]any{"company": "Mairie de Vire", "siret": "73282932000074", "contact_name": "Mme Durand", "email": "durand@vire.fr", "phone": "02 31 00 00 00"},
		"job_title": "Agent d'entretien", "start_date": "2026-03-03", "end_date": "2026-03-14", "hours": 35,
	}
	if edit != nil {
		edit(o)
	}
	b, _ := json.Marshal(o)
	return string(b)
}

func client(o map[string]any) map[string]any { return o["client"].(map[string]any) }

// mustCreateOrder creates an order through the API and returns its id.
func (e *testEnv) mustCreateOrder(sid, key, body string) string {
	e.t.Helper()
	rec := e.do(http.MethodPost, "/api/v1/structures/"+sid+"/orders", body, key)
	if rec.Code != http.StatusCreated {
		e.t.Fatalf("create order: %d %s", rec.Code, rec.Body)
	}
	return decode[map[string]any](e.t, rec)["id"].(string)
}

// orderCount counts the structure's orders through the list route.
func (e *testEnv) orderCount(sid, key string) int {
	e.t.Helper()
	rec := e.do(http.MethodGet, "/api/v1/structures/"+sid+"/orders", "", key)
	if rec.Code != http.StatusOK {
		e.t.Fatalf("list: %d %s", rec.Code, rec.Body)
	}
	return decode[orderListJSON](e.t, rec).Total
}

// answerOrder issues the order's link and submits a complete answer.
func (e *testEnv) answerOrder(sid, oid string) {
	e.t.Helper()
	ctx := context.Background()
	l, err := e.store.IssueSurvey(ctx, sid, oid)
	if err != nil {
		e.t.Fatal(err)
	}
	sc, err := e.store.ResolveToken(ctx, l.Token)
	if err != nil {
		e.t.Fatal(err)
	}
	answers := map[string]string{}
	for _, q := range sc.Questionnaire.Questions {
		switch q.Type {
		case survey.QuestionScale:
			answers[q.Code] = "satisfait"
		case survey.QuestionYesNo:
			answers[q.Code] = survey.YesAnswer
		case survey.QuestionNPS:
			answers[q.Code] = "10"
		}
	}
	if _, err := e.store.SubmitResponse(ctx, l.Token, answers); err != nil {
		e.t.Fatal(err)
	}
}

func TestCreateOrderBadInputs(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	e.mustCreateOrder(st.ID, key, orderBody("BC-1", nil))
	path := "/api/v1/structures/" + st.ID + "/orders"
	cases := []struct {
		name        string
		body        string
		status      int
		field, code string
	}{
		{"malformed JSON", `{"reference":"BC-2",`, 400, "body", ""},
		{"not an object", `[1,2]`, 400, "body", ""},
		{"trailing data", orderBody("BC-2", nil) + `{}`, 400, "body", ""},
		{"empty body", ``, 400, "body", ""},
		{"reference as a number", orderBody("BC-2", func(o map[string]any) { o["reference"] = 12 }), 400, "reference", ""},
		{"hours as text", orderBody("BC-2", func(o map[string]any) { o["hours"] = "35" }), 400, "hours", ""},
		{"siret as a number", orderBody("BC-2", func(o map[string]any) { client(o)["siret"] = 73282932000074 }), 400, "client.siret", ""},
		{"unknown service type", orderBody("BC-2", func(o map[string]any) { o["service_type"] = "interim" }), 422, "service_type", "enum"},
		{"invalid SIRET", orderBody("BC-2", func(o map[string]any) { client(o)["siret"] = "73282932000075" }), 422, "client.siret", "siret"},
		{"end before start", orderBody("BC-2", func(o map[string]any) { o["end_date"] = "2026-03-01" }), 422, "end_date", "end_before_start"},
		{"French date", orderBody("BC-2", func(o map[string]any) { o["start_date"] = "03/03/2026" }), 422, "start_date", "date"},
		{"bad e-mail", orderBody("BC-2", func(o map[string]any) { client(o)["email"] = "durand.vire.fr" }), 422, "client.email", "email"},
		{"foreign phone", orderBody("BC-2", func(o map[string]any) { client(o)["phone"] = "+44 20 7946 0958" }), 422, "client.phone", "phone"},
		{"no company", orderBody("BC-2", func(o map[string]any) { client(o)["company"] = " " }), 422, "client.company", "required"},
		{"duplicate reference", orderBody("BC-1", nil), 409, "reference", "duplicate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do(http.MethodPost, path, tc.body, key)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			b := decode[apiError](t, rec)
			if b.Error == "" || b.Fields[tc.field] == "" {
				t.Fatalf("want a message for %s: %+v", tc.field, b)
			}
			if tc.code != "" && b.Codes[tc.field] != tc.code {
				t.Fatalf("code %q, want %q: %+v", b.Codes[tc.field], tc.code, b)
			}
		})
	}
	if n := e.orderCount(st.ID, key); n != 1 {
		t.Fatalf("refused orders were written: %d orders", n)
	}
}

func TestOversizedBodiesAre413(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Bretagne")
	huge := orderBody("BC-big", func(o map[string]any) { o["notes"] = strings.Repeat("x", int(e.cfg.MaxBodyBytes)) })
	for _, chunked := range []bool{false, true} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/structures/"+st.ID+"/orders", strings.NewReader(huge))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		if chunked { // no Content-Length: the limit is met while reading
			req.ContentLength = -1
		}
		if rec := e.serve(req); rec.Code != http.StatusRequestEntityTooLarge || decode[apiError](t, rec).Error == "" {
			t.Fatalf("chunked=%v: %d %s", chunked, rec.Code, rec.Body)
		}
	}
	if n := e.orderCount(st.ID, key); n != 0 {
		t.Fatalf("oversized order written: %d", n)
	}
}

func TestOrderReadUpdateDelete(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	other, otherKey := e.structure("AI Voisine", "Normandie")
	base := "/api/v1/structures/" + st.ID + "/orders/"
	oid := e.mustCreateOrder(st.ID, key, orderBody("BC-1", nil))
	e.mustCreateOrder(st.ID, key, orderBody("BC-2", nil))
	otherOrder := e.mustCreateOrder(other.ID, otherKey, orderBody("BC-9", nil))

	rec := e.do(http.MethodGet, base+oid, "", key)
	got := decode[map[string]any](t, rec)
	if rec.Code != 200 || got["survey_status"] != "not_issued" || got["survey_url"] != nil || got["link_tokens"] != nil {
		t.Fatalf("get: %d %v", rec.Code, got)
	}

	notFound := []struct{ name, method, path, key string }{
		{"another structure's order under my structure", http.MethodGet, base + otherOrder, key},
		{"my structure with another's key", http.MethodGet, base + oid, otherKey},
		{"malformed id", http.MethodGet, base + "nope", key},
		{"unknown id", http.MethodGet, base + "0123456789abcdef01234567", key},
		{"update another's order", http.MethodPut, base + otherOrder, key},
		{"delete another's order", http.MethodDelete, base + otherOrder, key},
		{"delete with another's key", http.MethodDelete, base + oid, otherKey},
	}
	for _, tc := range notFound {
		body := ""
		if tc.method == http.MethodPut {
			body = orderBody("BC-x", nil)
		}
		if rec := e.do(tc.method, tc.path, body, tc.key); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
	}

	update := []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"valid", orderBody("BC-1b", func(o map[string]any) { o["hours"] = 12; client(o)["phone"] = "+33 6 12 34 56 78" }), 200, ""},
		{"taken reference", orderBody("BC-2", nil), 409, "reference"},
		{"end before start", orderBody("BC-1b", func(o map[string]any) { o["end_date"] = "2026-01-01" }), 422, "end_date"},
		{"wrong type", orderBody("BC-1b", func(o map[string]any) { o["client"] = "Mairie" }), 400, "client"},
	}
	for _, tc := range update {
		rec := e.do(http.MethodPut, base+oid, tc.body, key)
		if rec.Code != tc.status {
			t.Fatalf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
		if tc.field != "" && decode[apiError](t, rec).Fields[tc.field] == "" {
			t.Fatalf("%s: no message for %s: %s", tc.name, tc.field, rec.Body)
		}
	}
	got = decode[map[string]any](t, e.do(http.MethodGet, base+oid, "", key))
	if got["reference"] != "BC-1b" || got["hours"] != 12.0 || client(got)["phone"] != "06 12 34 56 78" || got["end_date"] != "2026-03-14" {
		t.Fatalf("after updates: %v", got)
	}

	// A live link shows its URL; an answer freezes the order.
	rec = e.do(http.MethodPost, base+oid+"/survey", "", key)
	link := decode[map[string]string](t, rec)
	got = decode[map[string]any](t, e.do(http.MethodGet, base+oid, "", key))
	if got["survey_status"] != "issued" || got["survey_url"] != link["url"] {
		t.Fatalf("issued order: %v vs %v", got, link)
	}
	e.answerOrder(st.ID, oid)
	for _, tc := range []struct{ method, body string }{{http.MethodPut, orderBody("BC-1c", nil)}, {http.MethodDelete, ""}} {
		rec := e.do(tc.method, base+oid, tc.body, key)
		if rec.Code != http.StatusConflict || !strings.Contains(decode[apiError](t, rec).Error, "réponse") {
			t.Fatalf("%s on an answered order: %d %s", tc.method, rec.Code, rec.Body)
		}
	}
	if got := decode[map[string]any](t, e.do(http.MethodGet, base+oid, "", key)); got["reference"] != "BC-1b" || got["survey_status"] != "answered" {
		t.Fatalf("answered order changed: %v", got)
	}

	// Deleting an unanswered order removes it and its links.
	del := e.mustCreateOrder(st.ID, key, orderBody("BC-del", nil))
	link = decode[map[string]string](t, e.do(http.MethodPost, base+del+"/survey", "", key))
	if rec := e.do(http.MethodDelete, base+del, "", key); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(http.MethodGet, base+del, "", key); rec.Code != http.StatusNotFound {
		t.Fatalf("deleted order still readable: %d", rec.Code)
	}
	token := link["url"][strings.LastIndex(link["url"], "/")+1:]
	if _, err := e.store.ResolveToken(context.Background(), token); err != survey.ErrNotFound {
		t.Fatalf("deleted order's link still resolves: %v", err)
	}
}

func TestIssueAndCancelSurveyRoutes(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Occitanie")
	oid := e.mustCreateOrder(st.ID, key, orderBody("BC-1", nil))
	path := "/api/v1/structures/" + st.ID + "/orders/" + oid + "/survey"
	if rec := e.do(http.MethodDelete, path, "", key); rec.Code != http.StatusConflict {
		t.Fatalf("cancel before issue: %d %s", rec.Code, rec.Body)
	}
	first := decode[map[string]string](t, e.do(http.MethodPost, path, "", key))
	again := decode[map[string]string](t, e.do(http.MethodPost, path, "", key))
	if first["url"] == "" || first["url"] != again["url"] || first["expires_at"] != "2026-04-30T09:00:00Z" {
		t.Fatalf("issue twice must give the live link expiring after 60 days: %v %v", first, again)
	}
	if rec := e.do(http.MethodDelete, path, "", key); rec.Code != http.StatusNoContent {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body)
	}
	got := decode[map[string]any](t, e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/orders/"+oid, "", key))
	if got["survey_status"] != "cancelled" || got["survey_url"] != nil {
		t.Fatalf("cancelled order: %v", got)
	}
	if next := decode[map[string]string](t, e.do(http.MethodPost, path, "", key)); next["url"] == first["url"] {
		t.Fatal("re-issue must make a new link")
	}
	e.answerOrder(st.ID, oid)
	if rec := e.do(http.MethodPost, path, "", key); rec.Code != http.StatusConflict {
		t.Fatalf("issue after answer: %d", rec.Code)
	}
}

func TestListOrdersRoute(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Occitanie")
	_, otherKey := e.structure("Autre", "Occitanie")
	companies := []string{"École Jules-Ferry", "Boulangerie Crémieux", "SARL Dupont"}
	for i := range 6 {
		e.mustCreateOrder(st.ID, key, orderBody(fmt.Sprintf("BC-%d", i), func(o map[string]any) {
			client(o)["company"] = companies[i%3]
			o["start_date"] = fmt.Sprintf("2026-02-%02d", i+1)
			o["end_date"] = ""
			if i >= 4 {
				o["service_type"] = "mise_a_contrat"
			}
		}))
		e.clock.Advance(time.Minute)
	}
	base := "/api/v1/structures/" + st.ID + "/orders"
	issued := decode[orderListJSON](t, e.do(http.MethodGet, base+"?q=BC-3", "", key)).Orders[0]
	e.do(http.MethodPost, base+"/"+issued.ID+"/survey", "", key)

	refs := func(query string) string {
		t.Helper()
		rec := e.do(http.MethodGet, base+query, "", key)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", query, rec.Code, rec.Body)
		}
		l := decode[orderListJSON](t, rec)
		var out []string
		for _, o := range l.Orders {
			out = append(out, o.Reference)
		}
		return fmt.Sprintf("%v total=%d page=%d", out, l.Total, l.Page)
	}
	ok := []struct{ query, want string }{
		{"", "[BC-5 BC-4 BC-3 BC-2 BC-1 BC-0] total=6 page=1"},
		{"?per_page=2&page=2", "[BC-3 BC-2] total=6 page=2"},
		{"?service_type=mise_a_contrat", "[BC-5 BC-4] total=2 page=1"},
		{"?start_from=2026-02-02&start_to=2026-02-03", "[BC-2 BC-1] total=2 page=1"},
		{"?status=issued", "[BC-3] total=1 page=1"},
		{"?status=not_issued&per_page=1", "[BC-5] total=5 page=1"},
		{"?q=ECOLE", "[BC-3 BC-0] total=2 page=1"},
		{"?q=cremieux&service_type=mise_a_contrat", "[BC-4] total=1 page=1"},
	}
	for _, tc := range ok {
		if got := refs(tc.query); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.query, got, tc.want)
		}
	}
	l := decode[orderListJSON](t, e.do(http.MethodGet, base+"?status=issued", "", key))
	if l.Orders[0].SurveyURL == "" || l.Orders[0].SurveyStatus != survey.SurveyIssued {
		t.Fatalf("listed issued order lacks its URL: %+v", l.Orders[0])
	}
	bad := []struct {
		query  string
		status int
		field  string
	}{
		{"?page=abc", 400, "page"},
		{"?per_page=1.5", 400, "per_page"},
		{"?per_page=1000", 422, "per_page"},
		{"?status=done", 422, "status"},
		{"?service_type=interim", 422, "service_type"},
		{"?start_from=01/02/2026", 422, "start_from"},
		{"?start_from=2026-02-05&start_to=2026-02-01", 422, "start_to"},
	}
	for _, tc := range bad {
		rec := e.do(http.MethodGet, base+tc.query, "", key)
		if rec.Code != tc.status || decode[apiError](t, rec).Fields[tc.field] == "" {
			t.Errorf("%s: %d %s", tc.query, rec.Code, rec.Body)
		}
	}
	if rec := e.do(http.MethodGet, base, "", otherKey); rec.Code != http.StatusNotFound {
		t.Fatalf("another structure's list: %d", rec.Code)
	}
}

func TestBatchIssueRoute(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Occitanie")
	_, otherKey := e.structure("Autre", "Occitanie")
	for i := range 3 {
		e.mustCreateOrder(st.ID, key, orderBody(fmt.Sprintf("BC-%d", i), func(o map[string]any) {
			if i == 2 {
				o["service_type"] = "mise_a_contrat"
			}
		}))
	}
	path := "/api/v1/structures/" + st.ID + "/surveys/batch"
	rec := e.do(http.MethodPost, path, `{"service_type":"mise_a_disposition"}`, key)
	res := decode[batchIssueJSON](t, rec)
	if rec.Code != 200 || res.Matched != 2 || res.Issued != 2 || len(res.Links) != 2 || !strings.HasPrefix(res.Links[0].URL, "http://capsat.test/s/") || res.Links[0].Reference == "" {
		t.Fatalf("batch: %d %s", rec.Code, rec.Body)
	}
	rec = e.do(http.MethodPost, path, "", key) // empty body: every order never issued
	if res := decode[batchIssueJSON](t, rec); rec.Code != 200 || res.Matched != 1 || res.Issued != 1 {
		t.Fatalf("empty body batch: %d %s", rec.Code, rec.Body)
	}
	rec = e.do(http.MethodPost, path, `{"status":"issued"}`, key)
	if res := decode[batchIssueJSON](t, rec); res.Matched != 3 || res.Existing != 3 || res.Issued != 0 {
		t.Fatalf("issued batch: %s", rec.Body)
	}
	bad := []struct {
		body   string
		status int
		field  string
	}{
		{`{"status":"answered"}`, 422, "status"},
		{`{"status":"done"}`, 422, "status"},
		{`{"start_from":"hier"}`, 422, "start_from"},
		{`{"status":1}`, 400, "status"},
		{`{"status":`, 400, "body"},
	}
	for _, tc := range bad {
		rec := e.do(http.MethodPost, path, tc.body, key)
		if rec.Code != tc.status || decode[apiError](t, rec).Fields[tc.field] == "" {
			t.Errorf("%s: %d %s", tc.body, rec.Code, rec.Body)
		}
	}
	if rec := e.do(http.MethodPost, path, "", otherKey); rec.Code != http.StatusNotFound {
		t.Fatalf("another structure's batch: %d", rec.Code)
	}
}
