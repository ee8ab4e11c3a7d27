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
	"log/slog"
	"sync"
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
	summaries    summaryState     // summary write locks and snapshot sequence (state.go)
	rewrites     idLocks          // one rewrite (refresh or patch) of a month at a time (patch.go)
	summaryQueue summaryQueue     // deferred refreshes while the worker runs (queue.go)
	recent       recentAggregates // the network aggregates dashboards compare with (benchmark_recent.go)
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

// The read model's own collections.
const (
	// colSummaries holds one Summary per structure × month (both services).
	colSummaries = "summaries"
	// colLedgers holds each structure-month's ledger: the surveys issued that
	// month and their responses, whole, packed into a few large documents and
	// rewritten with the month's summary. Indicators and exports read a
	// structure's period from its ledgers by _id instead of filtering the
	// orders and responses: on the embedded store a filter scans every
	// document of the collection, and reading 100,000 responses one document
	// each took 25 s (BENCHMARKS.md) against a few hundred milliseconds packed.
	// The orders and responses stay the source of truth; a ledger is a copy
	// that the summary refresh keeps, and readers check it is current.
	colLedgers = "ledgers"
	// colSummaryQueue holds one marker per summary waiting for its refresh, so
	// that a crash between a change and its refresh loses nothing: the worker
	// picks the markers up again at its next start.
	colSummaryQueue = "summary_queue"
)

// collections are the read model's own collections.
var collections = []string{colSummaries, colSummaryQueue, colLedgers}

// findByID decodes the document with that _id of one of the read model's collections.
func (m *Model) findByID(ctx context.Context, collection, id string, out any) error {
	return store.Translate(m.db.Collection(collection).FindOne(ctx, bson.M{"_id": id}).Decode(out))
}

// recentAggregates keeps the network aggregates the dashboards compare
// with, each for benchmarkFreshness (real time).
type recentAggregates struct {
	mu sync.Mutex
	m  map[survey.AggregateQuery]recentAggregate
}

type recentAggregate struct {
	agg *survey.Aggregate
	at  time.Time
}
