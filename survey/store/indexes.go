package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// EnsureIndexes creates the indexes the store relies on. It is idempotent.
// Unique indexes carry domain rules (one reference per structure, by
// reference key: see ensureReferenceIndex); the others serve MongoDB, the
// embedded store ignoring them for filters.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if err := s.ensureReferenceIndex(ctx); err != nil {
		return err
	}
	if err := s.ensureOrderCatalogue(ctx); err != nil {
		return err
	}
	specs := map[string][]mongo.IndexModel{
		colOrders: {
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("structure_created")},
			// The list's sort, ties by _id (ordersSort).
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("structure_created_id")},
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "survey.issued_at", Value: 1}}, Options: options.Index().SetName("structure_survey_issued")},
		},
		colQuestionnaires: {
			{Keys: bson.D{{Key: "family_id", Value: 1}, {Key: "version", Value: 1}}, Options: options.Index().SetUnique(true).SetName("family_version")},
			{Keys: bson.D{{Key: "structure_id", Value: 1}}, Options: options.Index().SetName("structure")},
		},
		colLinks: {
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "issued_at", Value: 1}}, Options: options.Index().SetName("structure_issued")},
		},
		colResponses: {
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "issued_at", Value: 1}}, Options: options.Index().SetName("structure_issued")},
		},
		// Lists of structures sorted by name (indicators, the dashboard's
		// comparison with the network), of a region or of the whole network.
		colStructures: {
			{Keys: bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("name")},
			{Keys: bson.D{{Key: "region", Value: 1}, {Key: "name", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("region_name")},
		},
		// Uploaded structure-months of a period (every indicator read).
		colUploads: {
			{Keys: bson.D{{Key: "month", Value: 1}}, Options: options.Index().SetName("month")},
		},
		colAPIKeys: {
			{Keys: bson.D{{Key: "structure_id", Value: 1}}, Options: options.Index().SetName("structure")},
		},
		colAudit: {
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("structure_id_desc")},
		},
		// The sender's poll on MongoDB (DueMessages); the embedded store
		// reads its small pending collection whole.
		colOutbox: {
			{Keys: bson.D{{Key: "due_at", Value: 1}}, Options: options.Index().SetName("due")},
		},
		colMessages: {
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("structure_created")},
		},
	}
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		if err := s.createIndexes(ctx, name, specs[name]...); err != nil {
			return err
		}
	}
	if err := s.ensureAccountIndexes(ctx); err != nil {
		return err
	}
	return EnsureCollections(ctx, s.db, collections...)
}

// collections lists every collection of the store.
var collections = []string{
	colStructures, colQuestionnaires, colOrders, colLinks, colResponses, colAPIKeys,
	colUsers, colSessions, colLoginFailures, colAudit, colUploads, colMigrations, colHealth, colChanges,
	colOutbox, colMessages, colMessageClaims, colMessageIndex, colMessageHeads, colEmailSettings, colOptOuts, colUnsubscribe, colImportBatches, colOrderCatalogue,
	colPasswordResets, colQuestionnaireLists, colLinkChannels, colLinkOpens,
}

// EnsureCollections creates those of the named collections of db that do
// not exist yet, so that everything capsat will use is there from the
// start (the embedded store's _id lookup index is added to existing tables
// only).
func EnsureCollections(ctx context.Context, db *mongo.Database, names ...string) error {
	existing, err := db.ListCollectionNames(ctx, bson.M{})
	if err != nil {
		return fmt.Errorf("list collections: %w", Translate(err))
	}
	have := map[string]bool{}
	for _, n := range existing {
		have[n] = true
	}
	for _, c := range names {
		if have[c] {
			continue
		}
		if err := db.CreateCollection(ctx, c); err != nil {
			var cmdErr mongo.CommandError
			if errors.As(err, &cmdErr) && cmdErr.Name == "NamespaceExists" {
				continue // created meanwhile by another instance
			}
			return fmt.Errorf("create collection %s: %w", c, Translate(err))
		}
	}
	return nil
}
