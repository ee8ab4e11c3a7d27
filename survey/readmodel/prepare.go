package readmodel

import (
	"capsat/survey/store"
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Prepare creates the read model's collections (see store.EnsureCollections)
// and their indexes: the network's figures read a period's summaries by
// month (aggregate.go).
func (m *Model) Prepare(ctx context.Context) error {
	if err := store.EnsureCollections(ctx, m.db, collections...); err != nil {
		return err
	}
	err := m.store.DeclareIndexes(ctx, colSummaries,
		mongo.IndexModel{Keys: bson.D{{Key: "month", Value: 1}}, Options: options.Index().SetName("month")})
	if err != nil || !m.embedded {
		return err
	}
	// Ledgers of an older layout would each be refreshed from filtered
	// finds on their first read, which the embedded store pays with a scan
	// of the collections per month: rebuild them all once, here.
	return m.store.RunOnce(ctx, ledgerMigration, func(ctx context.Context) (int, error) {
		older, err := m.db.Collection(colSummaries).CountDocuments(ctx, bson.M{"ledger_format": bson.M{"$ne": ledgerFormat}}, options.Count().SetLimit(1))
		if err != nil || older == 0 {
			return 0, store.Translate(err) // a new store, or one written in this layout
		}
		rep, err := m.RebuildSummariesWithProgress(ctx, nil)
		if err != nil {
			return 0, err
		}
		if rep.Written > 0 {
			m.log.Info("summaries and ledgers rebuilt in the current layout", "summaries", rep.Written, "ledger_format", ledgerFormat)
		}
		return rep.Written, nil
	})
}
