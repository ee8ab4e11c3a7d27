package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
)

// errChangeTaken means that another writer claimed the change first: read
// it (catchUp) and decide again. Returned as is after maxClaims attempts,
// it is a conflict (409).
var errChangeTaken = fmt.Errorf("%w: the order changed meanwhile", survey.ErrConflict)

// maxClaims bounds the attempts of one request to claim a change of an
// order that others keep changing.
const maxClaims = 8

// claimChange stores change c of its order: the decision itself (see "One
// fate per link" in order_change.go). It is errChangeTaken when the
// order's change c.Seq was claimed first; c is then not stored.
func (s *Store) claimChange(ctx context.Context, c *orderChange) error {
	release, err := s.AcquireWrite(ctx)
	if err != nil {
		return err
	}
	_, err = s.db.Collection(colChanges).InsertOne(ctx, c)
	release()
	switch {
	case err == nil:
		return nil
	case errors.Is(Translate(err), survey.ErrConflict):
		return errChangeTaken
	}
	return fmt.Errorf("claim change %s: %w", c.ID, Translate(err))
}

// changesAfter reads order oid's changes after number seq, in order, each
// by _id, up to the first one missing.
func (s *Store) changesAfter(ctx context.Context, oid string, seq int) ([]orderChange, error) {
	var out []orderChange
	for n := seq + 1; ; n++ {
		var c orderChange
		err := s.findByID(ctx, colChanges, changeID(oid, n), &c)
		switch {
		case errors.Is(err, survey.ErrNotFound):
			return out, nil
		case err != nil:
			return nil, fmt.Errorf("read order change %s: %w", changeID(oid, n), Translate(err))
		}
		out = append(out, c)
	}
}

// lostClaim tells whether err says another writer took the number of a
// claim and the claim may be tried again: st has then read the changes
// since. It is ErrNotFound when one of them deleted the order.
func (s *Store) lostClaim(ctx context.Context, st *orderState, err error, attempt int) (bool, error) {
	if !errors.Is(err, errChangeTaken) || attempt >= maxClaims {
		return false, nil
	}
	if err := s.catchUp(ctx, st); err != nil {
		return false, err
	}
	if st.deleted {
		return false, survey.ErrNotFound
	}
	return true, nil
}

// catchUp applies to st the changes of its order it has not read.
func (s *Store) catchUp(ctx context.Context, st *orderState) error {
	changes, err := s.changesAfter(ctx, st.order.ID, st.seq)
	if err != nil {
		return err
	}
	for i := range changes {
		st.apply(&changes[i])
	}
	return nil
}
