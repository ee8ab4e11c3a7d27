package store

import (
	"capsat/survey"
	"context"
	"fmt"
	"time"
)

// importBatch is the list of orders one import created, kept so that the
// page after the import can offer to send them all their survey
// ("Envoyer les questionnaires") without carrying the ids in its URL.
type importBatch struct {
	ID          string    `bson:"_id"`
	StructureID string    `bson:"structure_id"`
	OrderIDs    []string  `bson:"order_ids"`
	At          time.Time `bson:"at"`
}

// SaveImportBatch keeps the ids of the orders an import created and
// returns the batch's id (read back by _id).
func (s *Store) SaveImportBatch(ctx context.Context, sid string, ids []string) (string, error) {
	b := importBatch{ID: survey.NewToken(), StructureID: sid, OrderIDs: ids, At: s.Now()}
	err := s.gated(ctx, func() error {
		_, err := s.db.Collection(colImportBatches).InsertOne(ctx, b)
		return Translate(err)
	})
	if err != nil {
		return "", fmt.Errorf("save import batch: %w", err)
	}
	return b.ID, nil
}

// ImportBatch returns the order ids of batch id of structure sid.
func (s *Store) ImportBatch(ctx context.Context, sid, id string) ([]string, error) {
	if !survey.ValidTokenShape(id) {
		return nil, survey.ErrNotFound
	}
	var b importBatch
	if err := s.findByID(ctx, colImportBatches, id, &b); err != nil {
		return nil, err
	}
	if b.StructureID != sid {
		return nil, survey.ErrNotFound
	}
	return b.OrderIDs, nil
}
