package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// responseBatchMax bounds the responses written by one insert.
const responseBatchMax = 64

// responseBatchTimeout bounds one insert of a batch (queueing behind the
// write gate included).
const responseBatchTimeout = 30 * time.Second

// responseBatcher writes concurrent answers together (group commit): the
// answers that arrive while one insert is under way go in the next one, a
// single unordered InsertMany. Each response keeps its own outcome (a
// duplicate _id refuses that answer only), and nothing waits on a timer:
// alone, an answer is written at once. On the embedded store one insert of
// ten documents costs about what one insert of one costs (one SQLite
// transaction, one sync), so answers under load go several times faster
// (BENCHMARKS.md).
//
// There is no background goroutine: the first caller to find no insert
// under way leads, writes the queue's head, hands the lead to the next
// waiting caller if any, and returns.
type responseBatcher struct {
	mu      sync.Mutex
	queue   []*queuedResponse
	leading bool
}

type queuedResponse struct {
	r    *survey.Response
	done chan batchTurn
}

// batchTurn is what a waiting caller receives: its outcome, or the lead.
type batchTurn struct {
	err  error
	lead bool
}

// insertResponse stores r, together with the answers queued beside it.
// Its error is the store's for that response (translate it).
func (s *Store) insertResponse(ctx context.Context, r *survey.Response) error {
	b := &s.responseBatch
	me := &queuedResponse{r: r, done: make(chan batchTurn, 1)}
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

// insertBatch inserts the batch's responses and returns each one's error.
func (s *Store) insertBatch(ctx context.Context, batch []*queuedResponse) []error {
	errs := make([]error, len(batch))
	docs := make([]any, len(batch))
	for i, q := range batch {
		docs[i] = q.r
	}
	release, err := s.AcquireWrite(ctx)
	if err != nil {
		return fill(errs, err)
	}
	_, err = s.db.Collection(colResponses).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	release()
	if err == nil {
		return errs
	}
	var bulk mongo.BulkWriteException
	if !errors.As(err, &bulk) || bulk.WriteConcernError != nil || len(bulk.WriteErrors) == 0 {
		return fill(errs, fmt.Errorf("insert %d responses: %w", len(batch), err))
	}
	for _, we := range bulk.WriteErrors {
		if we.Index >= 0 && we.Index < len(errs) {
			// A duplicate _id: that order was answered already.
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
