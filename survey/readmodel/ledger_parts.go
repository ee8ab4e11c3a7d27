package readmodel

import (
	"capsat/survey"
	"capsat/survey/packed"
	"capsat/survey/store"
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// readLedgerParts reads a ledger's parts and tells whether they match the
// summary (no summary: no surveys that month, an empty ledger).
func (s *Model) readLedgerParts(ctx context.Context, id string) ([]ledgerPart, bool, error) {
	var head ledgerHead
	err := store.Translate(s.db.Collection(colSummaries).FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(ledgerHeadFields)).Decode(&head))
	switch {
	case errors.Is(err, survey.ErrNotFound):
		return nil, true, nil
	case err != nil:
		return nil, false, fmt.Errorf("read summary %s: %w", id, store.Translate(err))
	case head.Format != ledgerFormat:
		return nil, false, nil
	}
	parts := make([]ledgerPart, head.Parts)
	for i := range parts {
		err := s.findByID(ctx, colLedgers, ledgerPartID(id, i), &parts[i])
		switch {
		case errors.Is(err, survey.ErrNotFound):
			return nil, false, nil
		case err != nil:
			return nil, false, fmt.Errorf("read ledger %s: %w", id, store.Translate(err))
		case parts[i].Version != head.Version:
			return nil, false, nil
		}
	}
	for i := range parts {
		var err error
		if parts[i].Issued, err = packed.Decompress(parts[i].Issued); err != nil {
			return nil, false, fmt.Errorf("read ledger %s: %w", parts[i].ID, store.Translate(err))
		}
		if parts[i].Responses, err = packed.Decompress(parts[i].Responses); err != nil {
			return nil, false, fmt.Errorf("read ledger %s: %w", parts[i].ID, store.Translate(err))
		}
	}
	return parts, true, nil
}
