package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// CreateOrder stores a new order. A duplicate reference within the
// structure, compared by survey.ReferenceKey, is a conflict on "reference"
// (the unique index on structure_id and reference_key enforces it).
func (s *Store) CreateOrder(ctx context.Context, sid string, in survey.OrderInput) (*survey.Order, error) {
	if err := s.validate.Order(&in); err != nil {
		return nil, err
	}
	now := s.Now()
	o := &survey.Order{
		ID: survey.NewID(), StructureID: sid, Reference: in.Reference, ReferenceKey: survey.ReferenceKey(in.Reference), ServiceType: in.ServiceType,
		Client: in.Client, JobTitle: in.JobTitle, StartDate: in.StartDate, EndDate: in.EndDate,
		Hours: in.Hours, Notes: in.Notes, CreatedAt: now, UpdatedAt: now,
	}
	if _, err := s.db.Collection(colOrders).InsertOne(ctx, o); err != nil {
		return nil, fmt.Errorf("create order: %w", orderWriteError(err))
	}
	return o, nil
}

// orderWriteError names the field of a duplicate key: the only unique index
// on orders besides _id is (structure_id, reference_key).
func orderWriteError(err error) error {
	err = Translate(err)
	if errors.Is(err, survey.ErrConflict) {
		return survey.ErrDuplicateReference()
	}
	return err
}

// UpdateOrder replaces the editable fields of an order (PUT semantics: the
// whole input is given). It is refused once the order has an answer, and a
// service type change is refused while a survey link is live, since the
// link's questionnaire was chosen for the old type.
func (s *Store) UpdateOrder(ctx context.Context, sid, oid string, in survey.OrderInput) (*survey.Order, error) {
	o, err := s.Order(ctx, sid, oid) // another structure's order: 404 before anything is checked
	if err != nil {
		return nil, err
	}
	if err := s.validate.Order(&in); err != nil {
		return nil, err
	}
	if err := s.refuseIfAnswered(ctx, o, "modifié"); err != nil {
		return nil, err
	}
	now := s.Now()
	if survey.ServiceTypeLocked(o, in, now) {
		return nil, survey.ConflictOn("service_type", "survey_issued", survey.MsgServiceTypeLocked)
	}
	found, err := s.writeOrderEdit(ctx, o, in, now)
	switch {
	case err != nil:
		return nil, fmt.Errorf("update order: %w", Translate(err))
	case !found:
		return nil, survey.ErrNotFound
	}
	return o, nil
}

// writeOrderEdit sets the editable fields of o from in ($set of those
// fields only, so that a survey issued meanwhile is kept), then keeps the
// link's copy and the month's summary in step, and updates o. It reports
// whether the order was still there. Edits and imports share it.
func (s *Store) writeOrderEdit(ctx context.Context, o *survey.Order, in survey.OrderInput, now time.Time) (bool, error) {
	key := survey.ReferenceKey(in.Reference)
	set := bson.M{
		"reference": in.Reference, "reference_key": key, "service_type": in.ServiceType, "client": in.Client,
		"job_title": in.JobTitle, "start_date": in.StartDate, "end_date": in.EndDate,
		"hours": in.Hours, "notes": in.Notes, "updated_at": now,
	}
	res, err := s.db.Collection(colOrders).UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": set})
	if err != nil {
		return false, orderWriteError(err)
	}
	if res.MatchedCount == 0 {
		return false, nil
	}
	if o.Survey != nil && in.ServiceType != o.ServiceType {
		s.changed(ctx, o.StructureID, o.Survey.IssuedAt) // its survey counts under the new type
	}
	o.Reference, o.ReferenceKey, o.ServiceType, o.Client, o.JobTitle = in.Reference, key, in.ServiceType, in.Client, in.JobTitle
	o.StartDate, o.EndDate, o.Hours, o.Notes, o.UpdatedAt = in.StartDate, in.EndDate, in.Hours, in.Notes, now
	return true, s.syncLinkOrder(ctx, o)
}

// DeleteOrder removes an unanswered order and its survey links (they then
// resolve to "not found"). An answered order is kept: its answer counts in
// the indicators.
func (s *Store) DeleteOrder(ctx context.Context, sid, oid string) error {
	o, err := s.Order(ctx, sid, oid)
	if err != nil {
		return err
	}
	if err := s.refuseIfAnswered(ctx, o, "supprimé"); err != nil {
		return err
	}
	// The links go first: a link carries what its page shows of the order
	// and is answered without reading the order, so a link left behind by
	// a failed delete would take an answer for an order that is gone.
	for _, token := range linkTokens(o) {
		if _, err := s.db.Collection(colLinks).DeleteOne(ctx, bson.M{"_id": token}); err != nil {
			return fmt.Errorf("delete order's survey links: %w", Translate(err))
		}
	}
	if _, err := s.db.Collection(colOrders).DeleteOne(ctx, bson.M{"_id": o.ID}); err != nil {
		return fmt.Errorf("delete order: %w", Translate(err))
	}
	// An answer may have arrived between the check and the delete: without
	// transactions, put the order back rather than orphan the answer.
	if answered, err := s.hasResponse(ctx, o.ID); err != nil || answered {
		if _, rerr := s.db.Collection(colOrders).InsertOne(context.WithoutCancel(ctx), o); rerr != nil {
			return fmt.Errorf("restore order answered during delete: %w", Translate(rerr))
		}
		if err != nil {
			return fmt.Errorf("delete order: %w", Translate(err))
		}
		return survey.ErrOrderAnswered("supprimé")
	}
	if o.Survey != nil {
		s.changed(ctx, sid, o.Survey.IssuedAt) // the order leaves its cohort
	}
	return nil
}

// linkTokens lists every link token of the order, the current one included.
func linkTokens(o *survey.Order) []any {
	seen := map[string]bool{}
	var out []any
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, t := range o.LinkTokens {
		add(t)
	}
	if o.Survey != nil {
		add(o.Survey.Token)
	}
	return out
}

// refuseIfAnswered checks both the order's copy and the responses
// collection, the source of truth.
func (s *Store) refuseIfAnswered(ctx context.Context, o *survey.Order, verb string) error {
	if o.Survey != nil && o.Survey.AnsweredAt != nil {
		return survey.ErrOrderAnswered(verb)
	}
	answered, err := s.hasResponse(ctx, o.ID)
	if err != nil {
		return fmt.Errorf("check response: %w", Translate(err))
	}
	if answered {
		return survey.ErrOrderAnswered(verb)
	}
	return nil
}

// Order returns one order of structure sid; another structure's order is
// ErrNotFound.
func (s *Store) Order(ctx context.Context, sid, oid string) (*survey.Order, error) {
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
	return &o, nil
}

// syncLinkOrder copies o's shown fields to its current survey link, after
// an edit. Older links are dead (cancelled or expired) and keep theirs.
func (s *Store) syncLinkOrder(ctx context.Context, o *survey.Order) error {
	if o.Survey == nil {
		return nil
	}
	_, err := s.db.Collection(colLinks).UpdateOne(ctx, bson.M{"_id": o.Survey.Token}, bson.M{"$set": bson.M{"order": survey.NewLinkOrder(o)}})
	return Translate(err)
}
