package handlers

import (
	"net/http"
	"strings"
	"testing"
)

// TestUnknownJSONFieldsAreRefused: a JSON body with a field its route does
// not know is a 400 naming the field, rather than the field being dropped
// silently.
func TestUnknownJSONFieldsAreRefused(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	sapi := "/api/v1/structures/" + st.ID
	cases := []struct {
		name, method, path, body string
		status                   int
		unknown                  string
	}{
		{"misspelt order field", http.MethodPost, sapi + "/orders", orderBody("BC-1", func(o map[string]any) { o["referense"] = "BC-2" }), 400, "referense"},
		{"misspelt client field", http.MethodPost, sapi + "/orders", orderBody("BC-1", func(o map[string]any) { client(o)["compagny"] = "Mairie" }), 400, "compagny"},
		{"read-only field sent back", http.MethodPost, sapi + "/orders", orderBody("BC-1", func(o map[string]any) { o["survey_status"] = "answered" }), 400, "survey_status"},
		{"structure patch", http.MethodPatch, sapi, `{"nom":"AI du Bocage"}`, 400, "nom"},
		{"question field", http.MethodPost, sapi + "/questionnaires", questionnaireBody(func(q map[string]any) { question(q, 0)["lable"] = "x" }), 400, "lable"},
		{"API key", http.MethodPost, sapi + "/api-keys", `{"name":"comptabilité","expires":"2027-01-01"}`, 400, "expires"},
		{"user", http.MethodPost, sapi + "/users", `{"email":"agent@bocage.test","admin":true}`, 400, "admin"},
		{"batch filter", http.MethodPost, sapi + "/surveys/batch", `{"status":"not_issued","statut":"issued"}`, 400, "statut"},
		{"known fields only", http.MethodPost, sapi + "/orders", orderBody("BC-1", nil), 201, ""},
	}
	for _, tc := range cases {
		rec := e.do(tc.method, tc.path, tc.body, key)
		if rec.Code != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, rec.Code, rec.Body, tc.status)
			continue
		}
		if tc.unknown != "" {
			if b := decode[apiError](t, rec); b.Fields[tc.unknown] == "" || !strings.Contains(b.Error, tc.unknown) {
				t.Errorf("%s: %+v does not name %s", tc.name, b, tc.unknown)
			}
		}
	}
}
