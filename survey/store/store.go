package store

import (
	"capsat/survey"
	"capsat/survey/accounts"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// Store persists the domain in MongoDB (or the embedded FerretDB). Every
// method takes a context; not-found is ErrNotFound, never (nil, nil).
// Lookups on hot paths filter on exactly {_id: v}, the only filter the
// embedded store answers without scanning in Go.
type Store struct {
	db       *mongo.Database
	now      func() time.Time
	embedded bool
	bulkLoad bool // Options.BulkLoad: the order catalogue is built at the end
	log      *slog.Logger
	validate *survey.Validator
	frozen   *frozenCache // published questionnaire versions
	// passwordParams overrides DefaultPasswordParams when set (tests).
	passwordParams *accounts.PasswordParams
	changes        ChangeSink     // the read model, told of every survey change
	structures     structureCache // structures as the public survey pages show them
	writes         writeGate      // hot writes, one at a time on the embedded store
	responseBatch  responseBatcher
	recent         recentSurveys   // forms drawn lately, to draw again while the store is unavailable
	probes         probeState      // the last write probe (health.go)
	opened         openedSet       // orders whose survey page opening is recorded (link_opens.go)
	orderLocks     orderLocks      // copies of one order written one at a time (embedded store)
	catalogueLocks orderLocks      // by structure id: its order catalogue written one edit at a time
	listLocks      orderLocks      // by structure id: its questionnaire list written one edit at a time
	declared       declaredIndexes // what EnsureIndexes declared (indexes.go)
	// questionnaireWrites serialises the (rare) questionnaire writes of
	// this process: the embedded store loses concurrent updates of one
	// document, and a draft's revision check must not race its save.
	questionnaireWrites sync.Mutex
}

// Options configure a Store.
type Options struct {
	// Embedded says the database is the embedded FerretDB: hot writes go
	// one at a time and concurrent answers are committed in groups. The
	// configuration says so; nothing asks the server.
	Embedded bool
	Now      func() time.Time // the clock; nil: time.Now
	Logger   *slog.Logger     // nil: discard
	// BulkLoad is for bulk loads only (a load tool seeding an empty
	// embedded store, nothing else reading or writing it): writes leave the
	// order catalogue alone, since every order creation rewrites its
	// month's part, which grows with the month (quadratic over a load). The
	// loader must then build the catalogue once with RebuildOrderCatalogue
	// before anything lists orders. Never set it in a server.
	BulkLoad bool
}

// ChangeSink is told of every committed change to an order's survey or
// response: the order, and the date that survey was issued (the read
// model, which then reads that order and its response again by _id).
type ChangeSink interface {
	Changed(ctx context.Context, sid, oid string, issuedAt time.Time)
}

// NewStore returns a store on db.
func NewStore(db *mongo.Database, o Options) *Store {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{db: db, now: o.Now, embedded: o.Embedded, bulkLoad: o.BulkLoad, log: o.Logger, validate: survey.NewValidatorAt(o.Now), frozen: &frozenCache{m: map[string]*survey.Questionnaire{}}}
	s.writes.init(o.Embedded)
	return s
}

// SetChangeSink names who is told of survey changes (the read model, once
// it is built on the store).
func (s *Store) SetChangeSink(c ChangeSink) { s.changes = c }

// DB is the store's database, for tests that seed or inspect documents
// directly; production code goes through the store's methods.
func (s *Store) DB() *mongo.Database { return s.db }

// Embedded tells whether the store was opened as the embedded FerretDB.
func (s *Store) Embedded() bool { return s.embedded }

// changed tells the change sink, if any, of a committed change.
func (s *Store) changed(ctx context.Context, sid, oid string, issuedAt time.Time) {
	if s.changes != nil {
		s.changes.Changed(ctx, sid, oid, issuedAt)
	}
}

// Validator returns the store's input validator, built once with the store.
func (s *Store) Validator() *survey.Validator { return s.validate }

// Now is the store's clock, in UTC and truncated to the millisecond as BSON stores it.
func (s *Store) Now() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Ping checks that the store answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.db.Client().Ping(ctx, readpref.Primary())
}

// DeclareIndexes creates the named indexes of collection that do not exist
// yet and records them with the store's own (DeclaredIndexes): for the read
// model's collections.
func (s *Store) DeclareIndexes(ctx context.Context, collection string, models ...mongo.IndexModel) error {
	return s.createIndexes(ctx, collection, models...)
}

// DeclaredIndexes returns, by collection, the key fields (in key order) of
// every index EnsureIndexes (and the read model, through DeclareIndexes)
// declared on this store; _id, indexed on every collection, is not listed.
// The MongoDB-mode test of daily requests checks each query's filter and
// sort against them.
func (s *Store) DeclaredIndexes() map[string][][]string { return s.declared.snapshot() }

// createIndexes is for sibling files (users, sessions, summaries...) that
// add their own indexes from EnsureIndexes.
// Every index must be named. Only missing indexes are created: FerretDB 1.24
// drops the connection when asked to create one that already exists.
func (s *Store) createIndexes(ctx context.Context, collection string, models ...mongo.IndexModel) error {
	existing, err := s.indexNames(ctx, collection)
	if err != nil {
		return err
	}
	var missing []mongo.IndexModel
	for _, m := range models {
		s.declared.add(collection, m.Keys)
		name := ""
		if m.Options != nil {
			var io options.IndexOptions
			for _, set := range m.Options.List() {
				_ = set(&io)
			}
			if io.Name != nil {
				name = *io.Name
			}
		}
		if name == "" {
			return fmt.Errorf("index on %s has no name", collection)
		}
		if !existing[name] {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := s.db.Collection(collection).Indexes().CreateMany(ctx, missing); err != nil {
		return fmt.Errorf("create indexes on %s: %w", collection, Translate(err))
	}
	return nil
}

func (s *Store) indexNames(ctx context.Context, collection string) (map[string]bool, error) {
	cur, err := s.db.Collection(collection).Indexes().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list indexes on %s: %w", collection, Translate(err))
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, fmt.Errorf("list indexes on %s: %w", collection, Translate(err))
	}
	names := map[string]bool{}
	for _, sp := range specs {
		names[sp.Name] = true
	}
	return names, nil
}

// findByID decodes the document with that _id into out.
func (s *Store) findByID(ctx context.Context, collection, id string, out any) error {
	return Translate(s.db.Collection(collection).FindOne(ctx, bson.M{"_id": id}).Decode(out))
}

// AcquireWrite waits for a write slot; release gives it back.
func (s *Store) AcquireWrite(ctx context.Context) (release func(), err error) {
	select {
	case s.writes.slots <- struct{}{}:
		return func() { <-s.writes.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
