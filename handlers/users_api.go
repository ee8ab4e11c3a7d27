package handlers

import (
	"context"
	"net/http"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// userStore is what the users routes need from the store.
type userStore interface {
	CreateUser(ctx context.Context, in accounts.UserInput) (*accounts.User, error)
	ListUsers(ctx context.Context, sid string) ([]accounts.User, error)
	DeleteUser(ctx context.Context, sid, uid, by string) error
}

// usersAPI serves the accounts of a structure (its admins, and the
// federation for a new structure's first admin) and the federation's own
// accounts (region and federation users).
type usersAPI struct {
	store userStore
	audit auditor
}

// userCreated is the answer to a creation; Password is set only when it was
// generated, and shown this once.
type userCreated struct {
	*accounts.User
	Password string `json:"password,omitempty"`
}

// userBody is the JSON of a creation; an empty password is generated.
type userBody struct {
	Email    string        `json:"email"`
	Password string        `json:"password"`
	Role     accounts.Role `json:"role"`
	Region   string        `json:"region"`
}

// createInStructure adds a structure_admin or structure_member (default) to
// the structure in :sid.
func (h *usersAPI) createInStructure(c *gin.Context) {
	var in userBody
	if !bindJSON(c, &in) {
		return
	}
	if in.Role == "" {
		in.Role = accounts.RoleStructureMember
	}
	if in.Role != accounts.RoleStructureAdmin && in.Role != accounts.RoleStructureMember {
		respondError(c, survey.Invalid("role", "enum", "Rôle invalide dans une structure (structure_admin ou structure_member)."))
		return
	}
	h.create(c, accounts.UserInput{Email: in.Email, Password: in.Password, Role: in.Role, StructureID: c.Param("sid")})
}

// createNetworkUser adds a region or federation account (federation only).
func (h *usersAPI) createNetworkUser(c *gin.Context) {
	var in userBody
	if !bindJSON(c, &in) {
		return
	}
	if in.Role != accounts.RoleRegionViewer && in.Role != accounts.RoleFederation {
		respondError(c, survey.Invalid("role", "enum", "Rôle invalide (region ou federation) ; les comptes de structure se créent sous /structures/{id}/users."))
		return
	}
	h.create(c, accounts.UserInput{Email: in.Email, Password: in.Password, Role: in.Role, Region: in.Region})
}

func (h *usersAPI) create(c *gin.Context, in accounts.UserInput) {
	generated := ""
	if in.Password == "" {
		generated = accounts.NewPassword()
		in.Password = generated
	}
	u, err := h.store.CreateUser(c.Request.Context(), in)
	if err != nil {
		respondError(c, err)
		return
	}
	h.audit.record(c, accounts.AuditUserCreate, u.StructureID, u.Email+" ("+string(u.Role)+")")
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, userCreated{User: u, Password: generated})
}

func (h *usersAPI) list(c *gin.Context) {
	users, err := h.store.ListUsers(c.Request.Context(), c.Param("sid"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"users": users})
}

// delete removes an account of the structure and ends its sessions.
func (h *usersAPI) delete(c *gin.Context) {
	sid, uid := c.Param("sid"), c.Param("uid")
	if err := h.store.DeleteUser(c.Request.Context(), sid, uid, principal(c).UserID); err != nil {
		respondError(c, err)
		return
	}
	h.audit.record(c, accounts.AuditUserDelete, sid, uid)
	c.Status(http.StatusNoContent)
}
