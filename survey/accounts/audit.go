package accounts

import (
	"time"
)

// AuditAction names what happened.
type AuditAction string

// AuditEntry is one line of the audit log: who did what, when, from where.
// StructureID is the structure whose log holds it (empty for the network's
// own actions, such as a failed login of an unknown address).
type AuditEntry struct {
	ID          string      `bson:"_id" json:"id"`
	At          time.Time   `bson:"at" json:"at"`
	StructureID string      `bson:"structure_id,omitempty" json:"structure_id,omitempty"`
	Action      AuditAction `bson:"action" json:"action"`
	Actor       string      `bson:"actor" json:"actor"` // e-mail or key name
	UserID      string      `bson:"user_id,omitempty" json:"user_id,omitempty"`
	KeyID       string      `bson:"key_id,omitempty" json:"key_id,omitempty"`
	Role        Role        `bson:"role,omitempty" json:"role,omitempty"`
	Target      string      `bson:"target,omitempty" json:"target,omitempty"` // what was acted on
	IP          string      `bson:"ip,omitempty" json:"ip,omitempty"`
}

// AuditFollowUp is the audit action of a recorded follow-up.
const AuditFollowUp AuditAction = "follow_up.record"

// Audit actions of the password reset by e-mail.
const (
	AuditPasswordResetRequest AuditAction = "password.reset_request"
	AuditPasswordReset        AuditAction = "password.reset"
)

// Audited actions.
const (
	AuditLoginSuccess   AuditAction = "login.success"
	AuditLoginFailure   AuditAction = "login.failure"
	AuditLogout         AuditAction = "logout"
	AuditPasswordChange AuditAction = "password.change"
	AuditAPIKeyCreate   AuditAction = "api_key.create"
	AuditAPIKeyRevoke   AuditAction = "api_key.revoke"
	AuditUserCreate     AuditAction = "user.create"
	AuditUserDelete     AuditAction = "user.delete"
	AuditExportDownload AuditAction = "export.download"
	AuditDataDelete     AuditAction = "data.delete"
)
