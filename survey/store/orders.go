package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"

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
	// The entry goes first: one left by a crash before the insert is
	// dropped by the first page that shows it (see ordersOf).
	if err := s.editCatalogue(ctx, sid, putEntry(o)); err != nil {
		return nil, fmt.Errorf("create order: %w", err)
	}
	if _, err := s.db.Collection(colOrders).InsertOne(ctx, o); err != nil {
		if err := s.editCatalogue(context.WithoutCancel(ctx), sid, removeEntry(o)); err != nil {
			s.log.Warn("order catalogue: entry of an order not created left behind", "order_id", o.ID, "error", err.Error())
		}
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
// link's questionnaire was chosen for the old type. The edit is claimed as
// the order's next change, so an answer racing it either comes first (the
// edit is refused) or answers the edited order (see "One fate per link" in
// order_change.go).
func (s *Store) UpdateOrder(ctx context.Context, sid, oid string, in survey.OrderInput) (*survey.Order, error) {
	st, err := s.orderState(ctx, sid, oid) // another structure's order: 404 before anything is checked
	if err != nil {
		return nil, err
	}
	if err := s.validate.Order(&in); err != nil {
		return nil, err
	}
	if err := s.editOrder(ctx, st, in); err != nil {
		return nil, err
	}
	return &st.order, nil
}

// editOrder claims the edit of st's order to in as its next change, then
// writes its copies: the order's document (with its reference_key,
// survey.ReferenceKey(in.Reference)), and the fields its current link
// shows. Edits and imports share it.
func (s *Store) editOrder(ctx context.Context, st *orderState, in survey.OrderInput) error {
	return s.editOrderKeyed(ctx, st, in, survey.ReferenceKey(in.Reference))
}

// editOrderKeyed is editOrder with the order's reference key given: the
// undo of an edit restores the key the order had, which for an order
// stored before keys existed may be one made unique by its _id (see
// backfillReferenceKeys).
func (s *Store) editOrderKeyed(ctx context.Context, st *orderState, in survey.OrderInput, key string) error {
	if key != st.order.ReferenceKey {
		if err := s.refuseTakenReference(ctx, &st.order, key); err != nil {
			return err
		}
	}
	for attempt := 1; ; attempt++ {
		if err := s.refuseIfAnswered(ctx, st, "modifié"); err != nil {
			return err
		}
		now := s.Now()
		if survey.ServiceTypeLocked(&st.order, in, now) {
			return survey.ConflictOn("service_type", "survey_issued", survey.MsgServiceTypeLocked)
		}
		before, beforeKey := inputOf(&st.order), st.order.ReferenceKey
		c := st.next(changeEdited, now)
		c.Fields = fieldsOf(in)
		c.Fields.ReferenceKey = key
		err := s.claimChange(ctx, c)
		if retry, err := s.lostClaim(ctx, st, err, attempt); err != nil {
			return err
		} else if retry {
			continue
		}
		if err != nil {
			return fmt.Errorf("update order: %w", Translate(err))
		}
		st.apply(c)
		err = s.settle(ctx, st)
		if errors.Is(err, survey.ErrConflict) {
			// Another order took the reference between the check above and
			// the copy: the edit is claimed back.
			if err := s.editOrderKeyed(ctx, st, before, beforeKey); err != nil {
				return fmt.Errorf("undo an edit to a reference taken meanwhile: %w", err)
			}
			return survey.ErrDuplicateReference()
		}
		return err
	}
}

// refuseTakenReference is ErrDuplicateReference when another order of o's
// structure has reference key key (the unique index on structure_id and
// reference_key would refuse the copy of the edit, after its claim). On
// the embedded store it reads the structure's order catalogue.
func (s *Store) refuseTakenReference(ctx context.Context, o *survey.Order, key string) error {
	if s.embedded {
		return s.refuseCataloguedReference(ctx, o, key)
	}
	n, err := s.db.Collection(colOrders).CountDocuments(ctx, bson.M{"structure_id": o.StructureID, "reference_key": key, "_id": bson.M{"$ne": o.ID}})
	switch {
	case err != nil:
		return fmt.Errorf("check reference: %w", Translate(err))
	case n > 0:
		return survey.ErrDuplicateReference()
	}
	return nil
}

// inputOf is the input that gives o's editable fields.
func inputOf(o *survey.Order) survey.OrderInput {
	return survey.OrderInput{
		Reference: o.Reference, ServiceType: o.ServiceType, Client: o.Client, JobTitle: o.JobTitle,
		StartDate: o.StartDate, EndDate: o.EndDate, Hours: o.Hours, Notes: o.Notes,
	}
}

// DeleteOrder removes an unanswered order and its survey links (they then
// resolve to "not found"). An answered order is kept: its answer counts in
// the indicators. The deletion is claimed as the order's next change, so
// an answer racing it either comes first (the deletion is refused) or is
// refused itself (see "One fate per link" in order_change.go).
func (s *Store) DeleteOrder(ctx context.Context, sid, oid string) error {
	st, err := s.orderState(ctx, sid, oid)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		if err := s.refuseIfAnswered(ctx, st, "supprimé"); err != nil {
			return err
		}
		c := st.next(changeDeleted, s.Now())
		err := s.claimChange(ctx, c)
		if retry, err := s.lostClaim(ctx, st, err, attempt); err != nil {
			return err
		} else if retry {
			continue
		}
		if err != nil {
			return fmt.Errorf("delete order: %w", Translate(err))
		}
		st.apply(c)
		return s.settle(ctx, st)
	}
}

// Order returns one order of structure sid; another structure's order is
// ErrNotFound.
func (s *Store) Order(ctx context.Context, sid, oid string) (*survey.Order, error) {
	st, err := s.orderState(ctx, sid, oid)
	if err != nil {
		return nil, err
	}
	return &st.order, nil
}
