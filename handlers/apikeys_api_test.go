package handlers

import (
	"capsat/survey/accounts"
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestAPIKeysAreShownOnceListedAndRevocable(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, admin := e.structure("AI du Bocage", "Normandie")
	other, otherAdmin := e.structure("AI de Cornouaille", "Bretagne")
	base := "/api/v1/structures/" + st.ID + "/api-keys"

	rec := e.do(http.MethodPost, base, `{"name":"logiciel de gestion"}`, admin)
	if rec.Code != http.StatusCreated || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	created := decode[map[string]any](t, rec)
	plain, _ := created["key"].(string)
	if !strings.HasPrefix(plain, accounts.APIKeyPrefix) || created["role"] != string(accounts.RoleStructureMember) {
		t.Fatalf("created: %v", created)
	}
	if rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID, "", plain); rec.Code != http.StatusOK {
		t.Fatalf("new key: %d", rec.Code)
	}

	list := e.do(http.MethodGet, base, "", admin)
	if list.Code != http.StatusOK || strings.Contains(list.Body.String(), plain) || strings.Contains(list.Body.String(), accounts.HashAPIKey(plain)) {
		t.Fatalf("list shows the key or its hash: %d %s", list.Code, list.Body)
	}
	keys := decode[struct {
		APIKeys []apiKeyJSON `json:"api_keys"`
	}](t, list).APIKeys
	var listed *apiKeyJSON
	for i := range keys {
		if keys[i].ID == created["id"] {
			listed = &keys[i]
		}
	}
	if listed == nil || listed.Name != "logiciel de gestion" || listed.LastUsedAt == nil || listed.RevokedAt != nil {
		t.Fatalf("listed: %+v", keys)
	}

	// Another structure's admin, on its own :sid, cannot revoke it.
	if rec := e.do(http.MethodDelete, "/api/v1/structures/"+other.ID+"/api-keys/"+listed.ID, "", otherAdmin); rec.Code != http.StatusNotFound {
		t.Fatalf("revoke by another structure: %d", rec.Code)
	}
	if rec := e.do(http.MethodDelete, base+"/"+listed.ID, "", admin); rec.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(http.MethodGet, "/api/v1/structures/"+st.ID, "", plain); rec.Code != http.StatusUnauthorized {
		t.Fatalf("revoked key: %d", rec.Code)
	}
	log, _ := e.store.AuditLog(context.Background(), st.ID, 10)
	if len(log) != 2 || log[0].Action != accounts.AuditAPIKeyRevoke || log[1].Action != accounts.AuditAPIKeyCreate || log[1].Actor != "clé test" || log[1].KeyID == "" {
		t.Fatalf("audit: %+v", log)
	}
}

func TestAPIKeyCreationValidatesAndNeedsAnAdmin(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, admin := e.structure("AI du Bocage", "Normandie")
	member := e.key(accounts.APIKeyInput{Name: "m", Role: accounts.RoleStructureMember, StructureID: st.ID})
	base := "/api/v1/structures/" + st.ID + "/api-keys"
	for _, tc := range []struct {
		body, key string
		want      int
	}{
		{`{"name":"x"}`, member, http.StatusForbidden},
		{`{"name":""}`, admin, http.StatusUnprocessableEntity},
		{`{"name":"x","role":"federation"}`, admin, http.StatusUnprocessableEntity},
		{`{"name":"x","role":"structure_admin"}`, admin, http.StatusCreated},
	} {
		if rec := e.do(http.MethodPost, base, tc.body, tc.key); rec.Code != tc.want {
			t.Errorf("%s: %d, want %d (%s)", tc.body, rec.Code, tc.want, rec.Body)
		}
	}
}
