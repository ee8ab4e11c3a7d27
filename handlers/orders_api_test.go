package handlers

import (
	"net/http"
	"strings"
	"testing"
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
