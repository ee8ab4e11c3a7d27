package handlers

import (
	"context"
	"net/http"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// apiKeyStore is what the API keys routes need from the store.
type apiKeyStore interface {
	CreateAPIKey(ctx context.Context, in accounts.APIKeyInput) (*accounts.APIKey, string, error)
	ListAPIKeys(ctx context.Context, sid string) ([]accounts.APIKey, error)
	RevokeAPIKey(ctx context.Context, sid, keyID string) (*accounts.APIKey, error)
}

// apiKeysAPI serves /api/v1/structures/{sid}/api-keys for structure admins.
type apiKeysAPI struct {
	store apiKeyStore
	audit auditor
}

// apiKeyCreated is the answer to a creation: the only time the key is shown.
type apiKeyCreated struct {
	accounts.APIKey
	Key string `json:"key"`
}

// apiKeyBody is the JSON of a key creation.
type apiKeyBody struct {
	Name string        `json:"name"`
	Role accounts.Role `json:"role"`
}

// create makes a key of the structure; role is structure_member (default)
// or structure_admin.
func (h *apiKeysAPI) create(c *gin.Context) {
	var in apiKeyBody
	if !bindJSON(c, &in) {
		return
	}
	if in.Role == "" {
		in.Role = accounts.RoleStructureMember
	}
	if in.Role != accounts.RoleStructureMember && in.Role != accounts.RoleStructureAdmin {
		respondError(c, survey.Invalid("role", "enum", "Rôle de clé invalide (structure_member ou structure_admin)."))
		return
	}
	sid := c.Param("sid")
	k, plain, err := h.store.CreateAPIKey(c.Request.Context(), accounts.APIKeyInput{Name: in.Name, Role: in.Role, StructureID: sid})
	if err != nil {
		respondError(c, err)
		return
	}
	h.audit.record(c, accounts.AuditAPIKeyCreate, sid, "clé "+k.Name+" ("+k.Prefix+"…)")
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, apiKeyCreated{APIKey: *k, Key: plain})
}

// apiKeyJSON is a listed key: name, prefix and dates, never the key.
type apiKeyJSON struct {
	ID         string        `json:"id"`
	Name       string        `json:"name"`
	Role       accounts.Role `json:"role"`
	Prefix     string        `json:"prefix"`
	CreatedAt  time.Time     `json:"created_at"`
	LastUsedAt *time.Time    `json:"last_used_at"`
	RevokedAt  *time.Time    `json:"revoked_at"`
}

func (h *apiKeysAPI) list(c *gin.Context) {
	keys, err := h.store.ListAPIKeys(c.Request.Context(), c.Param("sid"))
	if err != nil {
		respondError(c, err)
		return
	}
	out := make([]apiKeyJSON, 0, len(keys))
	for _, k := range keys {
		out = append(out, apiKeyJSON{ID: k.ID, Name: k.Name, Role: k.Role, Prefix: k.Prefix, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt})
	}
	c.JSON(http.StatusOK, gin.H{"api_keys": out})
}

// revoke stops a key at once; another structure's key is 404.
func (h *apiKeysAPI) revoke(c *gin.Context) {
	sid := c.Param("sid")
	k, err := h.store.RevokeAPIKey(c.Request.Context(), sid, c.Param("kid"))
	if err != nil {
		respondError(c, err)
		return
	}
	h.audit.record(c, accounts.AuditAPIKeyRevoke, sid, "clé "+k.Name+" ("+k.Prefix+"…)")
	c.Status(http.StatusNoContent)
}
