package survey

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const colAudit = "audit_log"

// AuditAction names what happened.
type AuditAction string

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

// RecordAudit appends an entry, setting its id and time.
func (s *Store) RecordAudit(ctx context.Context, e AuditEntry) error {
	e.ID, e.At = NewID(), s.Now()
	if len(e.Actor) > 254 {
		e.Actor = e.Actor[:254]
	}
	if _, err := s.db.Collection(colAudit).InsertOne(ctx, e); err != nil {
		return fmt.Errorf("record audit entry: %w", err)
	}
	return nil
}

// AuditLog returns a structure's latest entries, newest first (limit 1–1000).
func (s *Store) AuditLog(ctx context.Context, sid string, limit int) ([]AuditEntry, error) {
	if limit < 1 || limit > 1000 {
		limit = 1000
	}
	cur, err := s.db.Collection(colAudit).Find(ctx, bson.M{"structure_id": sid},
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	out := []AuditEntry{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return out, nil
}
