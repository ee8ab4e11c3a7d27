package store

import (
	"capsat/survey"
	"context"
	"fmt"
	"maps"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// migrationOrderCatalogue is the migration that built the order catalogue
// of the orders stored before it existed (embedded store).
const migrationOrderCatalogue = "orders.catalogue"

// catalogueFields projects an order on what its entry needs.
var catalogueFields = bson.M{
	"structure_id": 1, "created_at": 1, "service_type": 1, "start_date": 1, "reference": 1, "reference_key": 1, "client.company": 1,
	"survey.issued_at": 1, "survey.expires_at": 1, "survey.answered_at": 1, "survey.cancelled_at": 1,
}

// ensureOrderCatalogue builds the catalogue once on the embedded store,
// then records the migration (a marker read by _id, so that later starts
// scan nothing). A start that failed half-way builds it all again.
func (s *Store) ensureOrderCatalogue(ctx context.Context) error {
	if !s.embedded {
		return nil
	}
	return s.RunOnce(ctx, migrationOrderCatalogue, func(ctx context.Context) (int, error) {
		n, err := s.RebuildOrderCatalogue(ctx)
		if n > 0 {
			s.log.Info("order catalogue built", "orders", n)
		}
		return n, err
	})
}

// RebuildOrderCatalogue rewrites every structure's order catalogue from the
// orders (embedded store; on MongoDB it does nothing). It reads the whole
// orders collection: for start-up, admin commands and the end of a bulk
// load (Options.BulkLoad), with no writer running. It returns how many
// orders it listed.
func (s *Store) RebuildOrderCatalogue(ctx context.Context) (int, error) {
	if !s.embedded {
		return 0, nil
	}
	cur, err := s.db.Collection(colOrders).Find(ctx, bson.M{}, options.Find().SetProjection(catalogueFields))
	if err != nil {
		return 0, fmt.Errorf("order catalogue: read orders: %w", Translate(err))
	}
	byStructure := map[string]map[string][]catalogueEdit{}
	n := 0
	for cur.Next(ctx) {
		var o survey.Order
		if err := cur.Decode(&o); err != nil {
			_ = cur.Close(ctx)
			return 0, fmt.Errorf("order catalogue: read orders: %w", Translate(err))
		}
		e := putEntry(&o)
		if byStructure[o.StructureID] == nil {
			byStructure[o.StructureID] = map[string][]catalogueEdit{}
		}
		byStructure[o.StructureID][e.month] = append(byStructure[o.StructureID][e.month], e)
		n++
	}
	if err := closeCursor(ctx, cur); err != nil {
		return 0, fmt.Errorf("order catalogue: read orders: %w", err)
	}
	if _, err := s.db.Collection(colOrderCatalogue).DeleteMany(ctx, bson.M{}); err != nil {
		return 0, fmt.Errorf("order catalogue: clear: %w", Translate(err))
	}
	for _, sid := range slices.Sorted(maps.Keys(byStructure)) {
		var edits []catalogueEdit
		for _, es := range byStructure[sid] {
			edits = append(edits, es...)
		}
		if err := s.writeCatalogue(ctx, sid, edits...); err != nil { // also after a bulk load
			return 0, err
		}
	}
	return n, nil
}
