package handlers

import (
	"capsat/survey/accounts"
	"net/http"
	"testing"
)

func TestStructureAdminsReadOnlyTheirAuditLog(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, admin := e.structure("AI du Bocage", "Normandie")
	other, otherAdmin := e.structure("AI de Cornouaille", "Bretagne")
	for _, tc := range []struct{ sid, key string }{{st.ID, admin}, {other.ID, otherAdmin}} {
		if rec := e.do(http.MethodPost, "/api/v1/structures/"+tc.sid+"/api-keys", `{"name":"k"}`, tc.key); rec.Code != http.StatusCreated {
			t.Fatalf("create key: %d", rec.Code)
		}
	}
	rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/audit", "", admin)
	entries := decode[struct {
		Entries []accounts.AuditEntry `json:"entries"`
	}](t, rec).Entries
	if rec.Code != http.StatusOK || len(entries) != 1 || entries[0].StructureID != st.ID || entries[0].Action != accounts.AuditAPIKeyCreate || entries[0].IP == "" {
		t.Fatalf("log: %d %+v", rec.Code, entries)
	}
	if rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/audit", "", otherAdmin); rec.Code != http.StatusNotFound {
		t.Fatalf("another structure's admin: %d", rec.Code)
	}
	if rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID+"/audit?limit=0", "", admin); rec.Code != http.StatusBadRequest {
		t.Fatalf("bad limit: %d", rec.Code)
	}
}
