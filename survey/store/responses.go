package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// insertAnswer stores an answer, its claim c then c.Response, together with
// the answers queued beside it. Its error is errChangeTaken when another
// change of the order was claimed first (nothing is stored then), and
// otherwise the store's for the claim or the response (translate it).
func (s *Store) insertAnswer(ctx context.Context, c *orderChange) error {
	b := &s.responseBatch
	me := &queuedResponse{claim: c, done: make(chan batchTurn, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, me)
	if b.leading {
		b.mu.Unlock()
		turn := <-me.done
		if !turn.lead {
			return turn.err
		}
		b.mu.Lock() // our turn to lead; we are at the head of the queue
	} else {
		b.leading = true
	}
	batch := b.queue[:min(len(b.queue), responseBatchMax)]
	b.queue = b.queue[len(batch):]
	b.mu.Unlock()

	// Detached from the leader's request: the batch holds other clients'
	// answers, which the leader's client leaving must not fail. Bounded all
	// the same, since every caller of the batch waits for it.
	batchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), responseBatchTimeout)
	errs := s.insertBatch(batchCtx, batch)
	cancel()

	b.mu.Lock()
	if len(b.queue) > 0 {
		b.queue[0].done <- batchTurn{lead: true}
	} else {
		b.leading = false
	}
	b.mu.Unlock()
	for i, q := range batch[1:] {
		q.done <- batchTurn{err: errs[i+1]}
	}
	return errs[0]
}

// insertBatch inserts the batch's claims, then the responses of the
// claims stored, and returns each answer's error.
func (s *Store) insertBatch(ctx context.Context, batch []*queuedResponse) []error {
	claims := make([]any, len(batch))
	for i, q := range batch {
		claims[i] = q.claim
	}
	release, err := s.AcquireWrite(ctx)
	if err != nil {
		return fill(make([]error, len(batch)), err)
	}
	defer release()
	errs := s.insertEach(ctx, colChanges, claims)
	var responses []any
	var at []int
	for i, err := range errs {
		switch {
		case err == nil:
			responses = append(responses, batch[i].claim.Response)
			at = append(at, i)
		case errors.Is(Translate(err), survey.ErrConflict):
			errs[i] = errChangeTaken
		}
	}
	if len(responses) == 0 {
		return errs
	}
	for j, err := range s.insertEach(ctx, colResponses, responses) {
		errs[at[j]] = err
	}
	return errs
}

// insertEach inserts docs with one unordered InsertMany and returns each
// document's error: a duplicate _id refuses that document only.
func (s *Store) insertEach(ctx context.Context, collection string, docs []any) []error {
	errs := make([]error, len(docs))
	_, err := s.db.Collection(collection).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return errs
	}
	var bulk mongo.BulkWriteException
	if !errors.As(err, &bulk) || bulk.WriteConcernError != nil || len(bulk.WriteErrors) == 0 {
		return fill(errs, fmt.Errorf("insert %d documents into %s: %w", len(docs), collection, Translate(err)))
	}
	for _, we := range bulk.WriteErrors {
		if we.Index >= 0 && we.Index < len(errs) {
			errs[we.Index] = mongo.WriteException{WriteErrors: mongo.WriteErrors{we.WriteError}}
		}
	}
	return errs
}

func fill(errs []error, err error) []error {
	for i := range errs {
		errs[i] = err
	}
	return errs
}

// Response returns the response to an order of structure sid.
func (s *Store) Response(ctx context.Context, sid, oid string) (*survey.Response, error) {
	var r survey.Response
	if err := s.findByID(ctx, colResponses, oid, &r); err != nil {
		return nil, err
	}
	if r.StructureID != sid {
		return nil, survey.ErrNotFound
	}
	return &r, nil
}

// hasResponse reports whether the order has its response: the authoritative
// check (the order's answered_at is only a copy) for changes that an answer
// forbids, such as editing or deleting the order.
func (s *Store) hasResponse(ctx context.Context, oid string) (bool, error) {
	var r struct {
		ID string `bson:"_id"`
	}
	err := s.findByID(ctx, colResponses, oid, &r)
	if errors.Is(err, survey.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
