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

// AuditPage returns up to limit (1–1000) entries of a structure's log,
// newest first, older than the entry before (all when empty), and whether
// older ones remain. Pages follow the ids (time-ordered) so that the
// next page is a range of the index structure_id, _id on MongoDB.
func (s *Store) AuditPage(ctx context.Context, sid, before string, limit int) ([]accounts.AuditEntry, bool, error) {
	if limit < 1 || limit > 1000 {
		limit = 1000
	}
	filter := bson.M{"structure_id": sid}
	if before != "" {
		filter["_id"] = bson.M{"$lt": before}
	}
	cur, err := s.db.Collection(colAudit).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(limit)+1))
	if err != nil {
		return nil, false, fmt.Errorf("audit page: %w", Translate(err))
	}
	out := []accounts.AuditEntry{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, false, fmt.Errorf("audit page: %w", Translate(err))
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}
