package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestUnknownQueryParametersAreRefused: an API route answers 400 naming a
// query parameter it does not accept (?survey_status=answered returned
// every order); the parameters it documents still work, and pages, which
// browsers and e-mail links reach with parameters of their own, ignore
// unknown ones.
func TestUnknownQueryParametersAreRefused(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	fed := e.federationKey()
	e.mustCreateOrder(st.ID, key, orderBody("BC-1", nil))
	sapi := "/api/v1/structures/" + st.ID
	cases := []struct {
		name, method, path, key string
		status                  int
		unknown                 string // the parameter named in the answer
	}{
		{"misspelt filter", http.MethodGet, sapi + "/orders?survey_status=answered", key, 400, "survey_status"},
		{"misspelt filter, HEAD", http.MethodHead, sapi + "/orders?survey_status=answered", key, 400, ""},
		{"known filters", http.MethodGet, sapi + "/orders?status=answered&service_type=mise_a_disposition&q=bc&page=1&per_page=10", key, 200, ""},
		{"misspelt period", http.MethodGet, sapi + "/indicators?form=2026-01-01&to=2026-02-28", key, 400, "form"},
		{"route without parameters", http.MethodGet, sapi + "?expand=orders", key, 400, "expand"},
		{"import's own parameter misspelt", http.MethodPost, sapi + "/orders/import?dryrun=true", key, 400, "dryrun"},
		{"federation figures by an unknown region filter", http.MethodGet, "/api/v1/federation/indicators?region=Normandie", fed, 400, "region"},
		{"known period", http.MethodGet, "/api/v1/federation/indicators?from=2026-01-01&to=2026-02-28", fed, 200, ""},
		{"anonymous: authentication first", http.MethodGet, sapi + "/orders?survey_status=answered", "", 401, ""},
	}
	for _, tc := range cases {
		rec := e.do(tc.method, tc.path, "", tc.key)
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
	rec := e.do(http.MethodGet, sapi+"?expand=orders", "", key)
	if b := decode[apiError](t, rec); b.Fields["expand"] != "Cette adresse n'accepte aucun paramètre." {
		t.Errorf("route without parameters: %+v", b)
	}
	rec = e.do(http.MethodGet, sapi+"/orders?survey_status=answered", "", key)
	if b := decode[apiError](t, rec); !strings.Contains(b.Fields["survey_status"], "status") {
		t.Errorf("the accepted parameters are not listed: %+v", b)
	}
	for _, path := range []string{loginPath + "?utm_source=courriel", "/healthz?probe=1"} {
		rec := httptest.NewRecorder()
		e.router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s: %d", path, rec.Code)
		}
	}
}
