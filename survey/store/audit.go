package store

import (
	"capsat/survey"
	"capsat/survey/accounts"
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RecordAudit appends an entry, setting its id and time.
func (s *Store) RecordAudit(ctx context.Context, e accounts.AuditEntry) error {
	e.ID, e.At = survey.NewID(), s.Now()
	if len(e.Actor) > 254 {
		e.Actor = e.Actor[:254]
	}
	if _, err := s.db.Collection(colAudit).InsertOne(ctx, e); err != nil {
		return fmt.Errorf("record audit entry: %w", Translate(err))
	}
	return nil
}

// AuditLog returns a structure's latest entries, newest first (limit 1–1000).
func (s *Store) AuditLog(ctx context.Context, sid string, limit int) ([]accounts.AuditEntry, error) {
	if limit < 1 || limit > 1000 {
		limit = 1000
	}
	cur, err := s.db.Collection(colAudit).Find(ctx, bson.M{"structure_id": sid},
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", Translate(err))
	}
	out := []accounts.AuditEntry{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("audit log: %w", Translate(err))
	}
	return out, nil
}
