package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// This file writes the copies of an order's changes: the order document,
// its links' documents and an answer's response (see "One fate per link"
// in order_change.go). A copy is derived from the changes alone, so
// writing it twice, or late, or from two places, writes the same thing;
// one showing a later change is never overwritten by one showing an
// earlier change.

// settle writes the copies of st's pending changes, then tells the read
// model of the months they alter. The writer of a change settles it right
// after claiming it; a reader that finds changes the order's document does
// not show settles them too, which repairs a crash between a claim and its
// copies. Its error is a conflict when the order's copy was refused for its
// reference (see below), the other copies written.
func (s *Store) settle(ctx context.Context, st *orderState) error {
	var conflict error
	if len(st.pending) == 0 {
		return nil
	}
	o := &st.order
	if st.deleted {
		if err := s.removeOrder(ctx, o); err != nil {
			return err
		}
	} else {
		copyOrder := false
		for _, p := range st.pending {
			var err error
			switch p.c.Kind {
			case changeIssued:
				err = s.insertLink(ctx, p.c.Link)
			case changeCancelled, changeEdited:
				if p.link != "" {
					err = s.settleLink(ctx, o.ID, p.link)
				}
			case changeAnswered:
				err = s.ensureResponse(ctx, p.c)
			}
			if err != nil {
				return err
			}
			copyOrder = copyOrder || p.c.Kind != changeAnswered
		}
		if copyOrder {
			// A conflict here is an edit to a reference another order of the
			// structure took meanwhile (the unique index refuses the copy):
			// its writer claims the edit back (see editOrder); the rest of
			// the copies are written.
			if err := s.writeOrderCopy(ctx, st); err != nil {
				if !errors.Is(err, survey.ErrConflict) {
					return err
				}
				s.log.Warn("order copy refused", "order", o.ID, "error", err.Error())
				conflict = err
			}
		}
	}
	months := map[string]bool{}
	for _, t := range st.touched {
		if m := survey.SummaryMonth(t); !months[m] {
			months[m] = true
			s.changed(ctx, o.StructureID, o.ID, t)
		}
	}
	st.pending, st.touched = nil, nil
	return conflict
}

// lockCopies takes a write slot (see writeGate: on the embedded store,
// writers that queue there do not collide in SQLite), then, on the
// embedded store, the lock of order oid's copies (see orderLocks; on
// MongoDB the filter on rev does that job). The slot comes first, as for
// MarkAnswered, whose caller holds one.
func (s *Store) lockCopies(ctx context.Context, oid string) (func(), error) {
	release, err := s.AcquireWrite(ctx)
	if err != nil {
		return nil, err
	}
	if !s.embedded {
		return release, nil
	}
	unlock := s.orderLocks.lock(oid)
	return func() { unlock(); release() }, nil
}

// gated runs write in a write slot (see writeGate).
func (s *Store) gated(ctx context.Context, write func() error) error {
	release, err := s.AcquireWrite(ctx)
	if err != nil {
		return err
	}
	defer release()
	return write()
}

// olderThan is the filter of document id when it shows no change of its
// order after number rev - 1 (documents from before changes were numbered
// have no rev).
func olderThan(id string, rev int) bson.M {
	return bson.M{"_id": id, "$or": bson.A{bson.M{"rev": bson.M{"$lt": rev}}, bson.M{"rev": bson.M{"$exists": false}}}}
}

// writeOrderCopy writes st's order as its changes up to st.copySeq leave
// it, over an older copy only.
func (s *Store) writeOrderCopy(ctx context.Context, st *orderState) error {
	o := &st.order
	unlock, err := s.lockCopies(ctx, o.ID)
	if err != nil {
		return err
	}
	defer unlock()
	filter := olderThan(o.ID, st.copySeq)
	if s.embedded {
		var cur struct {
			Rev int `bson:"rev"`
		}
		err := s.findByID(ctx, colOrders, o.ID, &cur)
		switch {
		case errors.Is(err, survey.ErrNotFound):
			return nil // deleted: a later change
		case err != nil:
			return fmt.Errorf("copy order %s: %w", o.ID, Translate(err))
		case cur.Rev >= st.copySeq:
			return nil
		}
		filter = bson.M{"_id": o.ID} // read under the lock above
	}
	if _, err := s.db.Collection(colOrders).UpdateOne(ctx, filter, orderCopy(o, st.copySeq)); err != nil {
		return fmt.Errorf("copy order %s: %w", o.ID, Translate(err))
	}
	return s.editCatalogue(ctx, o.StructureID, putEntry(o))
}

// orderCopy is the update that makes an order's document o, as change rev
// left it. Every field a change alters is written, so that the document is
// always the state after one change.
func orderCopy(o *survey.Order, rev int) bson.M {
	key := o.ReferenceKey
	if key == "" {
		key = survey.ReferenceKey(o.Reference)
	}
	set := bson.M{
		"reference": o.Reference, "reference_key": key, "service_type": o.ServiceType, "client": o.Client, "job_title": o.JobTitle,
		"start_date": o.StartDate, "end_date": o.EndDate, "hours": o.Hours, "notes": o.Notes,
		"rev": rev, "updated_at": o.UpdatedAt,
	}
	unset := bson.M{}
	if o.Survey != nil {
		set["survey"] = o.Survey
	} else {
		unset["survey"] = ""
	}
	if len(o.LinkTokens) > 0 {
		set["link_tokens"] = o.LinkTokens
	} else {
		unset["link_tokens"] = ""
	}
	update := bson.M{"$set": set}
	if len(unset) > 0 {
		update["$unset"] = unset
	}
	return update
}

// settleLink brings link token's document up to what it shows of order
// oid's changes after its Rev: the order's edits while it is the order's
// link (cancelled or not, as the order's page shows it), and its cancel. Its answer, the order's deletion and its successor
// are read from the changes themselves (linkReading.follow).
func (s *Store) settleLink(ctx context.Context, oid, token string) error {
	unlock, err := s.lockCopies(ctx, oid)
	if err != nil {
		return err
	}
	defer unlock()
	var l survey.SurveyLink
	err = s.findByID(ctx, colLinks, token, &l)
	switch {
	case errors.Is(err, survey.ErrNotFound):
		return nil // not inserted yet (its issuer writes it whole) or deleted
	case err != nil:
		return fmt.Errorf("copy link: %w", Translate(err))
	}
	changes, err := s.changesAfter(ctx, oid, l.Rev)
	if err != nil {
		return err
	}
	rev := l.Rev
follow:
	for _, c := range changes {
		switch {
		case c.Kind == changeEdited:
			l.Order = c.Fields.linkOrder()
		case c.Kind == changeCancelled && c.Token == token:
			at := c.At
			l.CancelledAt = &at
		default:
			break follow
		}
		rev = c.Seq
	}
	if rev == l.Rev {
		return nil
	}
	set := bson.M{"rev": rev}
	if l.Order != nil {
		set["order"] = l.Order
	}
	if l.CancelledAt != nil {
		set["cancelled_at"] = l.CancelledAt
	}
	filter := olderThan(token, rev)
	if s.embedded {
		filter = bson.M{"_id": token} // read under the lock above
	}
	if _, err := s.db.Collection(colLinks).UpdateOne(ctx, filter, bson.M{"$set": set}); err != nil {
		return fmt.Errorf("copy link: %w", Translate(err))
	}
	return nil
}

// insertLink writes the document of a link its issue claimed, unless it
// is there already.
func (s *Store) insertLink(ctx context.Context, l *survey.SurveyLink) error {
	err := s.gated(ctx, func() error {
		_, err := s.db.Collection(colLinks).InsertOne(ctx, l)
		return err
	})
	if err != nil && !errors.Is(Translate(err), survey.ErrConflict) {
		return fmt.Errorf("issue survey: %w", Translate(err))
	}
	return nil
}

// removeOrder deletes a deleted order's links, then its document. The
// links go first: a link shows its order's fields without reading the
// order, so one left behind would look open (its answer would be refused
// all the same, by the deletion claimed before).
func (s *Store) removeOrder(ctx context.Context, o *survey.Order) error {
	unlock, err := s.lockCopies(ctx, o.ID)
	if err != nil {
		return err
	}
	defer unlock()
	for _, token := range linkTokens(o) {
		if _, err := s.db.Collection(colLinks).DeleteOne(ctx, bson.M{"_id": token}); err != nil {
			return fmt.Errorf("delete order's survey links: %w", Translate(err))
		}
	}
	if _, err := s.db.Collection(colOrders).DeleteOne(ctx, bson.M{"_id": o.ID}); err != nil {
		return fmt.Errorf("delete order: %w", Translate(err))
	}
	// The links' first channels and the page's first opening belong to the
	// order; left behind, nothing would reach them (all read by _id).
	if err := s.forgetChannels(ctx, linkTokens(o)); err != nil {
		return err
	}
	if err := s.forgetLinkOpen(ctx, o.ID); err != nil {
		return err
	}
	return s.editCatalogue(ctx, o.StructureID, removeEntry(o))
}

// linkTokens lists every link token of the order, the current one included.
func linkTokens(o *survey.Order) []string {
	seen := map[string]bool{}
	var out []string
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

// ensureResponse stores the response an answer claimed, if it is missing
// (the process stopped, or the insert failed, between the claim and the
// response): the answer stands from its claim on.
func (s *Store) ensureResponse(ctx context.Context, c *orderChange) error {
	if c.Response == nil {
		return nil
	}
	var r struct {
		ID string `bson:"_id"`
	}
	err := s.findByID(ctx, colResponses, c.Response.OrderID, &r)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, survey.ErrNotFound):
		return fmt.Errorf("check response: %w", Translate(err))
	}
	err = s.gated(ctx, func() error {
		_, err := s.db.Collection(colResponses).InsertOne(context.WithoutCancel(ctx), c.Response)
		return err
	})
	if err != nil && !errors.Is(Translate(err), survey.ErrConflict) {
		return fmt.Errorf("complete answer: %w", Translate(err))
	}
	if err == nil {
		s.log.Info("answer completed from its claim", "order", c.OrderID)
		s.changed(ctx, c.Response.StructureID, c.Response.OrderID, c.Response.IssuedAt)
	}
	return nil
}

// markAnswered writes the order's answered_at copy, at. When the answer is
// among the order's changes, the document is written as the answer left
// it, its rev covering the answer, so that no copy of an earlier change is
// written over it.
func (s *Store) markAnswered(ctx context.Context, oid string, at time.Time) error {
	if s.embedded {
		defer s.orderLocks.lock(oid)() // the caller holds a write slot
	}
	var o survey.Order
	err := s.findByID(ctx, colOrders, oid, &o)
	switch {
	case errors.Is(err, survey.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	update := bson.M{"$set": bson.M{"survey.answered_at": at, "updated_at": at}}
	written := o // the document after the update
	if o.Survey != nil {
		sv, answered := *o.Survey, at
		sv.AnsweredAt = &answered
		written.Survey, written.UpdatedAt = &sv, at
	}
	changes, err := s.changesAfter(ctx, oid, o.Rev)
	if err != nil {
		return err
	}
	if n := len(changes); n > 0 && changes[n-1].Kind == changeAnswered {
		st := newOrderState(&o)
		for i := range changes {
			st.apply(&changes[i])
		}
		if st.order.Survey != nil {
			answered := at
			st.order.Survey.AnsweredAt = &answered
			st.order.UpdatedAt = at
			update, written = orderCopy(&st.order, st.seq), st.order
		}
	}
	if _, err = s.db.Collection(colOrders).UpdateOne(ctx, bson.M{"_id": oid}, update); err != nil {
		return Translate(err)
	}
	return s.editCatalogue(ctx, written.StructureID, putEntry(&written))
}
