package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
)

// orderState reads order oid of structure sid and the changes its document
// does not show yet (usually none: one lookup by _id), and writes their
// copies if there are (see Store.settle). A deleted order is ErrNotFound.
func (s *Store) orderState(ctx context.Context, sid, oid string) (*orderState, error) {
	if !survey.ValidIDShape(oid) {
		return nil, survey.ErrNotFound
	}
	var o survey.Order
	if err := s.findByID(ctx, colOrders, oid, &o); err != nil {
		return nil, err
	}
	if o.StructureID != sid {
		return nil, survey.ErrNotFound
	}
	return s.stateOf(ctx, &o)
}

// stateOf is orderState for order o, just read.
func (s *Store) stateOf(ctx context.Context, o *survey.Order) (*orderState, error) {
	st := newOrderState(o)
	if err := s.catchUp(ctx, st); err != nil {
		return nil, err
	}
	// A conflict is a copy refused for its reference, logged: its edit's
	// writer claims it back.
	if err := s.settle(ctx, st); err != nil && !errors.Is(err, survey.ErrConflict) {
		return nil, err
	}
	if st.deleted {
		return nil, survey.ErrNotFound
	}
	return st, nil
}

// refuseAnswered is ErrAlreadyAnswered when the order's changes or its copy
// say it was answered. An answer read among the changes has its response
// written if it is missing.
func (s *Store) refuseAnswered(ctx context.Context, st *orderState) error {
	if st.answer != nil {
		if err := s.ensureResponse(ctx, st.answer); err != nil {
			return err
		}
		return survey.ErrAlreadyAnswered
	}
	if st.order.SurveyStatusAt(s.Now()) == survey.SurveyAnswered {
		return survey.ErrAlreadyAnswered
	}
	return nil
}

// refuseIfAnswered checks the order's changes, its copy and the responses
// collection (answers from before changes were numbered). An answer read
// among the changes has its response written if it is missing.
func (s *Store) refuseIfAnswered(ctx context.Context, st *orderState, verb string) error {
	if err := s.refuseAnswered(ctx, st); err != nil {
		if errors.Is(err, survey.ErrAlreadyAnswered) {
			return survey.ErrOrderAnswered(verb)
		}
		return err
	}
	answered, err := s.hasResponse(ctx, st.order.ID)
	if err != nil {
		return fmt.Errorf("check response: %w", Translate(err))
	}
	if answered {
		return survey.ErrOrderAnswered(verb)
	}
	return nil
}

// issueOf is the change issuing link token among those st read, if any.
func (st *orderState) issueOf(token string) *orderChange {
	for _, p := range st.pending {
		if p.c.Kind == changeIssued && p.c.Token == token {
			return p.c
		}
	}
	return nil
}
