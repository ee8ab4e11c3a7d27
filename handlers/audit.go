package handlers

import (
	"capsat/survey/accounts"
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// auditStore is what the audit log needs from the store.
type auditStore interface {
	RecordAudit(ctx context.Context, e accounts.AuditEntry) error
	AuditLog(ctx context.Context, sid string, limit int) ([]accounts.AuditEntry, error)
}

// auditor records audit entries for handlers. Routes that export or delete
// data call record after the action succeeded, for example:
//
//	h.audit.record(c, survey.AuditExportDownload, sid, "indicateurs 2026")
type auditor struct {
	store auditStore
}

// record appends an entry for the caller of c (from the request's principal
// and IP). A failure is logged, not returned: the action already happened
// and the caller must not see it fail because of its log line.
func (a auditor) record(c *gin.Context, action accounts.AuditAction, structureID, target string) {
	a.recordEntry(c, accounts.AuditEntry{Action: action, StructureID: structureID, Target: target})
}

// recordEntry appends e, filling the actor from the principal when e has
// none (logins set it themselves) and the IP from the request.
func (a auditor) recordEntry(c *gin.Context, e accounts.AuditEntry) {
	// A HEAD request runs its GET's handler but takes nothing away: no
	// download to record.
	if a.store == nil || c.Request.Method == http.MethodHead {
		return
	}
	if p := principal(c); p != nil && e.Actor == "" {
		e.Actor, e.UserID, e.KeyID, e.Role = p.Name, p.UserID, p.KeyID, p.Role
	}
	e.IP = c.ClientIP()
	if err := a.store.RecordAudit(context.WithoutCancel(c.Request.Context()), e); err != nil {
		logger(c).Error("audit entry lost", "action", string(e.Action), "error", err.Error())
	}
}

// auditAPI serves GET /api/v1/structures/{sid}/audit.
type auditAPI struct {
	store auditStore
}

// list returns the structure's latest entries, newest first (?limit=, 1–1000, default 200).
func (h *auditAPI) list(c *gin.Context) {
	limit := 200
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			badRequest(c, "Paramètre limit invalide.", map[string]string{"limit": "Nombre entre 1 et 1000 attendu."})
			return
		}
		limit = n
	}
	entries, err := h.store.AuditLog(c.Request.Context(), c.Param("sid"), limit)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"entries": entries})
}
