package store

import (
	"capsat/survey"
	"capsat/survey/accounts"
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ListAPIKeys returns a structure's keys, revoked ones included, by name.
// The keys themselves are never stored, so never listed.
func (s *Store) ListAPIKeys(ctx context.Context, sid string) ([]accounts.APIKey, error) {
	cur, err := s.db.Collection(colAPIKeys).Find(ctx, bson.M{"structure_id": sid},
		options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "created_at", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", Translate(err))
	}
	out := []accounts.APIKey{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list api keys: %w", Translate(err))
	}
	return out, nil
}

// RevokeAPIKey revokes a structure's key by its id; it stops working at
// once. Revoking twice keeps the first date; another structure's key is
// ErrNotFound.
func (s *Store) RevokeAPIKey(ctx context.Context, sid, keyID string) (*accounts.APIKey, error) {
	if !survey.ValidIDShape(keyID) {
		return nil, survey.ErrNotFound
	}
	var k accounts.APIKey
	err := s.db.Collection(colAPIKeys).FindOne(ctx, bson.M{"key_id": keyID, "structure_id": sid}).Decode(&k)
	if err != nil {
		return nil, Translate(err)
	}
	if k.RevokedAt != nil {
		return &k, nil
	}
	now := s.Now()
	k.RevokedAt = &now
	if _, err := s.db.Collection(colAPIKeys).UpdateOne(ctx, bson.M{"_id": k.Hash}, bson.M{"$set": bson.M{"revoked_at": now}}); err != nil {
		return nil, fmt.Errorf("revoke api key: %w", Translate(err))
	}
	return &k, nil
}
