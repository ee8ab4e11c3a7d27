package store

import (
	"capsat/survey"
	"context"
	"fmt"
	"log/slog"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// migrationReferenceKeys is the migration that gave reference_key to the
// orders stored before it existed.
const migrationReferenceKeys = "orders.reference_key"

// oldReferenceIndex is the unique index on the exact reference that
// structure_reference_key replaces.
const oldReferenceIndex = "structure_reference"

// backfillReferenceKeys sets reference_key on the orders stored without
// it. Among orders of a structure stored before with near-duplicate
// references ("BC-1", "bc-1"), the oldest gets the plain key and each other
// a key made unique by its _id: they stay readable and editable, but saving
// one under its own reference then asks for a reference of its own. Orders
// that already have their key are left alone, so that it can run again
// after a crash.
func (s *Store) backfillReferenceKeys(ctx context.Context) (int, error) {
	opts := options.Find().
		SetProjection(bson.M{"structure_id": 1, "reference": 1, "reference_key": 1}).
		SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}})
	cur, err := s.db.Collection(colOrders).Find(ctx, bson.M{}, opts)
	if err != nil {
		return 0, fmt.Errorf("reference keys: read orders: %w", err)
	}
	var orders []survey.Order
	if err := cur.All(ctx, &orders); err != nil {
		return 0, fmt.Errorf("reference keys: read orders: %w", err)
	}
	taken := map[[2]string]bool{}
	for _, o := range orders {
		if o.ReferenceKey != "" {
			taken[[2]string{o.StructureID, o.ReferenceKey}] = true
		}
	}
	set := 0
	for _, o := range orders {
		if o.ReferenceKey != "" {
			continue
		}
		key := survey.ReferenceKey(o.Reference)
		if taken[[2]string{o.StructureID, key}] {
			s.log.Warn("order reference differs from an older one of its structure only by case, width or invisible characters",
				slog.String("structure_id", o.StructureID), slog.String("order_id", o.ID), slog.String("reference", o.Reference))
			key += "\x1f" + o.ID
		}
		taken[[2]string{o.StructureID, key}] = true
		if _, err := s.db.Collection(colOrders).UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": bson.M{"reference_key": key}}); err != nil {
			return set, fmt.Errorf("reference keys: order %s: %w", o.ID, Translate(err))
		}
		set++
	}
	if set > 0 {
		s.log.Info("order reference keys set", slog.Int("orders", set))
	}
	return set, nil
}

// dropIndexIfPresent removes an index that a newer one replaces.
func (s *Store) dropIndexIfPresent(ctx context.Context, collection, name string) error {
	names, err := s.indexNames(ctx, collection)
	if err != nil || !names[name] {
		return err
	}
	if err := s.db.Collection(collection).Indexes().DropOne(ctx, name); err != nil {
		return fmt.Errorf("drop index %s on %s: %w", name, collection, err)
	}
	return nil
}

// ensureReferenceIndex replaces the unique index on the exact reference by
// one on the reference key. The first time, it gives every order stored
// before its key, then records the migration: a marker read by _id spares
// later starts a scan of the orders (which the embedded store does in Go).
// The marker is written once the index exists, so that a start that failed
// half-way does it all again.
func (s *Store) ensureReferenceIndex(ctx context.Context) error {
	index := mongo.IndexModel{
		Keys:    bson.D{{Key: "structure_id", Value: 1}, {Key: "reference_key", Value: 1}},
		Options: options.Index().SetUnique(true).SetName("structure_reference_key"),
	}
	done, err := s.migrated(ctx, migrationReferenceKeys)
	if err != nil || done {
		if err == nil {
			err = s.createIndexes(ctx, colOrders, index)
		}
		return err
	}
	set, err := s.backfillReferenceKeys(ctx)
	if err != nil {
		return err
	}
	if err := s.dropIndexIfPresent(ctx, colOrders, oldReferenceIndex); err != nil {
		return err
	}
	if err := s.createIndexes(ctx, colOrders, index); err != nil {
		return err
	}
	return s.recordMigration(ctx, migrationReferenceKeys, set)
}
