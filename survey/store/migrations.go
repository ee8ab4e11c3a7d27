package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// RunOnce runs the one-off data migration name unless the store records it
// as done, then records it with the count run returns (a marker read by
// _id, so that later starts scan nothing). A start that fails half-way runs
// it again; a marker another instance wrote first is kept.
func (s *Store) RunOnce(ctx context.Context, name string, run func(context.Context) (int, error)) error {
	done, err := s.migrated(ctx, name)
	if err != nil || done {
		return err
	}
	n, err := run(ctx)
	if err != nil {
		return err
	}
	return s.recordMigration(ctx, name, n)
}

// migrated tells whether the migration name is recorded as done.
func (s *Store) migrated(ctx context.Context, name string) (bool, error) {
	err := s.db.Collection(colMigrations).FindOne(ctx, bson.M{"_id": name}).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	}
	return false, fmt.Errorf("%s: read migration: %w", name, err)
}

// recordMigration records the migration name as done, with its count.
func (s *Store) recordMigration(ctx context.Context, name string, n int) error {
	_, err := s.db.Collection(colMigrations).InsertOne(ctx, bson.M{"_id": name, "done_at": s.Now(), "count": n})
	if err != nil && !mongo.IsDuplicateKeyError(err) { // another instance finished first
		return fmt.Errorf("%s: record migration: %w", name, err)
	}
	return nil
}
