package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// adminPagesStore is what the structure administration page needs.
type adminPagesStore interface {
	backofficeStore
	ListUsers(ctx context.Context, sid string) ([]accounts.User, error)
	CreateUser(ctx context.Context, in accounts.UserInput) (*accounts.User, error)
	DeleteUser(ctx context.Context, sid, uid, by string) error
	ListAPIKeys(ctx context.Context, sid string) ([]accounts.APIKey, error)
	CreateAPIKey(ctx context.Context, in accounts.APIKeyInput) (*accounts.APIKey, string, error)
	RevokeAPIKey(ctx context.Context, sid, keyID string) (*accounts.APIKey, error)
	UpdateStructure(ctx context.Context, id string, p survey.StructurePatch) (*survey.Structure, error)
	AuditPage(ctx context.Context, sid, before string, limit int) ([]accounts.AuditEntry, bool, error)
}

// adminPages is a structure's administration: users and roles, API keys,
// the survey expiry and the audit log (structure admins only).
type adminPages struct {
	store adminPagesStore
	views *views
	audit auditor
}

// adminView is the data of admin.html. Secrets (a new user's password, a
// new key) are shown on the answer of their creation only.
type adminView struct {
	pageBase
	Self        string
	Users       []accounts.User
	Keys        []accounts.APIKey
	Audit       []accounts.AuditEntry
	AuditOlder  string // link to the older entries, when there are
	AuditNewest string // link back to the newest entries, past the first page
	ExpiryDays  string
	RoleLabels  map[accounts.Role]string
	UserEmail   string
	UserRole    string
	KeyName     string
	KeyRole     string
	Errors      *formErrors
	Notice      string
	NewPassword string
	NewKey      string
}

// show draws the administration page.
func (h *adminPages) show(c *gin.Context) {
	v := adminView{UserRole: string(accounts.RoleStructureMember), KeyRole: string(accounts.RoleStructureMember)}
	v.Notice = adminNotice(c.Query("fait"))
	h.render(c, http.StatusOK, v)
}

// auditPage reads the page of the audit log the query asks for (?journal=
// the id the page starts before) and links its neighbours.
func (h *adminPages) auditPage(c *gin.Context, sid string) (entries []accounts.AuditEntry, older, newest string, err error) {
	before := c.Query("journal")
	if !survey.ValidIDShape(before) {
		before = ""
	}
	entries, more, err := h.store.AuditPage(c.Request.Context(), sid, before, auditPerPage)
	if err != nil {
		return nil, "", "", err
	}
	root := structurePagesPath(sid) + "/administration"
	if more {
		older = root + "?journal=" + entries[len(entries)-1].ID + "#journal"
	}
	if before != "" {
		newest = root + "#journal"
	}
	return entries, older, newest, nil
}

func adminNotice(v string) string {
	switch v {
	case "utilisateur-supprime":
		return "Le compte a été supprimé."
	case "cle-revoquee":
		return "La clé d'API a été révoquée."
	case "reglages":
		return "La durée de validité des liens a été enregistrée."
	}
	return ""
}

func (h *adminPages) render(c *gin.Context, status int, v adminView) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/administration")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	st := base.structure
	var err error
	if v.Users, err = h.store.ListUsers(ctx, base.SID); err == nil {
		if v.Keys, err = h.store.ListAPIKeys(ctx, base.SID); err == nil {
			v.Audit, v.AuditOlder, v.AuditNewest, err = h.auditPage(c, base.SID)
		}
	}
	if err != nil {
		refusePage(c, err)
		return
	}
	if v.ExpiryDays == "" {
		days := st.Settings.SurveyExpiryDays
		if days == 0 {
			days = survey.DefaultSurveyExpiryDays
		}
		v.ExpiryDays = strconv.Itoa(days)
	}
	v.pageBase, v.RoleLabels, v.Self = base, roleLabels, principal(c).UserID
	h.views.render(c, status, "admin", v) // no-store: backofficeHeaders
}

// formFailed re-renders the page with a form's field messages.
func (h *adminPages) formFailed(c *gin.Context, v adminView, err error, rename map[string]string) {
	fe, ok := newFormErrors(err, nil, rename)
	if !ok {
		if fe, ok = conflictFormErrors(err, rename); !ok {
			refusePage(c, err)
			return
		}
	}
	v.Errors = fe
	h.render(c, formStatus(err), v)
}

// createUser adds an account with a generated password, shown once.
func (h *adminPages) createUser(c *gin.Context) {
	sid := c.Param("sid")
	v := adminView{UserEmail: c.PostForm("email"), UserRole: c.PostForm("role"), KeyRole: string(accounts.RoleStructureMember)}
	role := accounts.Role(v.UserRole)
	if role != accounts.RoleStructureAdmin && role != accounts.RoleStructureMember {
		h.formFailed(c, v, survey.Invalid("user-role", "enum", "Choisissez le rôle du compte."), nil)
		return
	}
	password := accounts.NewPassword()
	u, err := h.store.CreateUser(c.Request.Context(), accounts.UserInput{Email: v.UserEmail, Password: password, Role: role, StructureID: sid})
	if err != nil {
		h.formFailed(c, v, err, map[string]string{"email": "user-email", "role": "user-role"})
		return
	}
	h.audit.record(c, accounts.AuditUserCreate, sid, u.Email)
	h.render(c, http.StatusCreated, adminView{UserRole: string(accounts.RoleStructureMember), KeyRole: string(accounts.RoleStructureMember),
		Notice: "Le compte " + u.Email + " a été créé.", NewPassword: password})
}

// deleteUser removes an account of the structure (not one's own).
func (h *adminPages) deleteUser(c *gin.Context) {
	sid, uid := c.Param("sid"), c.Param("uid")
	if err := h.store.DeleteUser(c.Request.Context(), sid, uid, principal(c).UserID); err != nil {
		var conflict *survey.ConflictError
		if errors.As(err, &conflict) {
			h.render(c, http.StatusConflict, adminView{Notice: conflict.Message})
			return
		}
		refusePage(c, err)
		return
	}
	h.audit.record(c, accounts.AuditUserDelete, sid, uid)
	c.Redirect(http.StatusSeeOther, structurePagesPath(sid)+"/administration?fait=utilisateur-supprime")
}

// createKey creates an API key, shown once.
func (h *adminPages) createKey(c *gin.Context) {
	sid := c.Param("sid")
	v := adminView{KeyName: c.PostForm("name"), KeyRole: c.PostForm("role"), UserRole: string(accounts.RoleStructureMember)}
	role := accounts.Role(v.KeyRole)
	if role != accounts.RoleStructureAdmin && role != accounts.RoleStructureMember {
		h.formFailed(c, v, survey.Invalid("key-role", "enum", "Choisissez le rôle de la clé."), nil)
		return
	}
	k, plain, err := h.store.CreateAPIKey(c.Request.Context(), accounts.APIKeyInput{Name: v.KeyName, Role: role, StructureID: sid})
	if err != nil {
		h.formFailed(c, v, err, map[string]string{"name": "key-name", "role": "key-role"})
		return
	}
	h.audit.record(c, accounts.AuditAPIKeyCreate, sid, "clé "+k.Name+" ("+k.Prefix+"…)")
	h.render(c, http.StatusCreated, adminView{UserRole: string(accounts.RoleStructureMember), KeyRole: string(accounts.RoleStructureMember),
		Notice: "La clé « " + k.Name + " » a été créée.", NewKey: plain})
}

// revokeKey revokes an API key of the structure.
func (h *adminPages) revokeKey(c *gin.Context) {
	sid := c.Param("sid")
	k, err := h.store.RevokeAPIKey(c.Request.Context(), sid, c.Param("kid"))
	if err != nil {
		refusePage(c, err)
		return
	}
	h.audit.record(c, accounts.AuditAPIKeyRevoke, sid, "clé "+k.Name+" ("+k.Prefix+"…)")
	c.Redirect(http.StatusSeeOther, structurePagesPath(sid)+"/administration?fait=cle-revoquee")
}

// saveSettings changes the survey expiry.
func (h *adminPages) saveSettings(c *gin.Context) {
	sid := c.Param("sid")
	v := adminView{ExpiryDays: c.PostForm("survey_expiry_days"), UserRole: string(accounts.RoleStructureMember), KeyRole: string(accounts.RoleStructureMember)}
	days, err := strconv.Atoi(strings.TrimSpace(v.ExpiryDays))
	if err != nil {
		h.formFailed(c, v, survey.Invalid("survey_expiry_days", "number", "Écrivez un nombre de jours, entre 1 et 365."), nil)
		return
	}
	st, err := h.store.Structure(c.Request.Context(), sid)
	if err != nil {
		refusePage(c, err)
		return
	}
	settings := st.Settings
	settings.SurveyExpiryDays = days
	if _, err := h.store.UpdateStructure(c.Request.Context(), sid, survey.StructurePatch{Settings: &settings}); err != nil {
		h.formFailed(c, v, err, map[string]string{"settings.survey_expiry_days": "survey_expiry_days"})
		return
	}
	c.Redirect(http.StatusSeeOther, structurePagesPath(sid)+"/administration?fait=reglages")
}
