// Package readmodel keeps what indicators, exports and federation figures
// read instead of the orders and responses themselves: a summary of raw
// tallies per structure × month on every store, and, on the embedded store
// only, each month's ledger (its surveys and responses packed for reads by
// _id) with a queue that defers refreshes off the answering path.
//
// The store tells it of every change through Changed (it is the store's
// ChangeSink); every failure it cannot return is logged, and the next
// change or `capsat admin rebuild-summaries` repairs what it left.
package readmodel

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"capsat/survey"
	"capsat/survey/store"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Options configure a Model.
type Options struct {
	// Embedded selects the embedded store's design: ledgers read by _id
	// and refreshes queued to a worker. Otherwise (MongoDB) summaries are
	// refreshed at once with indexed reads, and indicator sources are read
	// from the orders and responses by index.
	Embedded bool
	Logger   *slog.Logger // nil: discard
}

// Model is the read model over one store.
type Model struct {
	store        *store.Store
	db           *mongo.Database
	embedded     bool
	log          *slog.Logger
	summaries    summaryState // summary write locks and snapshot sequence (summaries.go)
	summaryQueue summaryQueue // deferred refreshes while the worker runs (summaries_queue.go)
}

// New returns the read model of st, whose database is db, and registers it
// as st's change sink.
func New(st *store.Store, db *mongo.Database, o Options) *Model {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Model{store: st, db: db, embedded: o.Embedded, log: log.With(slog.String("component", "readmodel"))}
	st.SetChangeSink(m)
	return m
}

// collections are the read model's own collections.
var collections = []string{colSummaries, colSummaryQueue, colLedgers}

// Prepare creates the read model's collections (see store.EnsureCollections).
func (m *Model) Prepare(ctx context.Context) error {
	return store.EnsureCollections(ctx, m.db, collections...)
}

// Changed is told of every committed change to an order's survey or
// response, with the date its survey was issued: the month of that date
// is refreshed, queued while the worker runs. The change itself stands even
// if the refresh fails: the next change or a rebuild repairs it.
func (m *Model) Changed(ctx context.Context, sid string, issuedAt time.Time) {
	month := survey.SummaryMonth(issuedAt)
	if m.enqueueSummary(ctx, survey.SummaryID(sid, month)) {
		return
	}
	if err := m.RefreshSummary(context.WithoutCancel(ctx), sid, month); err != nil {
		m.log.Warn("summary refresh failed; the next change or a rebuild repairs it",
			slog.String("summary", survey.SummaryID(sid, month)), slog.String("error", err.Error()))
	}
}

// findByID decodes the document with that _id of one of the read model's collections.
func (m *Model) findByID(ctx context.Context, collection, id string, out any) error {
	err := m.db.Collection(collection).FindOne(ctx, bson.M{"_id": id}).Decode(out)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return survey.ErrNotFound
	}
	return err
}
