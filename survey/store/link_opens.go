package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The first opening of an order's survey page is what "opened the link"
// means in the order's history (no tracking pixel in the mails). The
// public page is the hottest path: one insert by _id = the order id, a
// duplicate refused by the store and ignored, and an in-process set of the
// orders recorded lately so that reloads write nothing.

// linkOpen is the first opening of an order's survey page.
type linkOpen struct {
	OrderID     string    `bson:"_id"`
	StructureID string    `bson:"structure_id"`
	At          time.Time `bson:"at"`
}

// RecordLinkOpen records that the survey page of order oid was opened now,
// unless an opening is recorded already.
func (s *Store) RecordLinkOpen(ctx context.Context, sid, oid string) error {
	if s.opened.has(oid) {
		return nil
	}
	release, err := s.AcquireWrite(ctx)
	if err != nil {
		return err
	}
	_, err = s.db.Collection(colLinkOpens).InsertOne(ctx, &linkOpen{OrderID: oid, StructureID: sid, At: s.Now()})
	release()
	if err = Translate(err); err != nil && !errors.Is(err, survey.ErrConflict) {
		return fmt.Errorf("record link opening: %w", err)
	}
	s.opened.add(oid)
	return nil
}

// LinkOpenedAt is when the survey page of order oid of structure sid was
// first opened; nil when never.
func (s *Store) LinkOpenedAt(ctx context.Context, sid, oid string) (*time.Time, error) {
	var doc linkOpen
	err := s.findByID(ctx, colLinkOpens, oid, &doc)
	switch {
	case errors.Is(err, survey.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read link opening: %w", err)
	case doc.StructureID != sid:
		return nil, nil
	}
	return &doc.At, nil
}

// forgetLinkOpen deletes a deleted order's opening, by _id.
func (s *Store) forgetLinkOpen(ctx context.Context, oid string) error {
	s.opened.forget(oid)
	if _, err := s.db.Collection(colLinkOpens).DeleteOne(ctx, bson.M{"_id": oid}); err != nil {
		return fmt.Errorf("delete link opening: %w", Translate(err))
	}
	return nil
}
