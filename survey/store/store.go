package store

import (
	"capsat/survey"
	"capsat/survey/accounts"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// Collection names.
const (
	colStructures     = "structures"
	colQuestionnaires = "questionnaires"
	colOrders         = "orders"
	colLinks          = "survey_links"
	colResponses      = "responses"
	colAPIKeys        = "api_keys"
)

// Store persists the domain in MongoDB (or the embedded FerretDB). Every
// method takes a context; not-found is ErrNotFound, never (nil, nil).
// Lookups on hot paths filter on exactly {_id: v}, the only filter the
// embedded store answers without scanning in Go.
type Store struct {
	db       *mongo.Database
	now      func() time.Time
	embedded bool
	log      *slog.Logger
	validate *survey.Validator
	frozen   *frozenCache // published questionnaire versions
	// passwordParams overrides DefaultPasswordParams when set (tests).
	passwordParams *accounts.PasswordParams
	changes        ChangeSink     // the read model, told of every survey change
	structures     structureCache // structures as the public survey pages show them
	writes         writeGate      // hot writes, one at a time on the embedded store
	responseBatch  responseBatcher
}

// Options configure a Store.
type Options struct {
	// Embedded says the database is the embedded FerretDB: hot writes go
	// one at a time and concurrent answers are committed in groups. The
	// configuration says so; nothing asks the server.
	Embedded bool
	Now      func() time.Time // the clock; nil: time.Now
	Logger   *slog.Logger     // nil: discard
}

// ChangeSink is told of every committed change to an order's survey or
// response, with the date that survey was issued (the read model).
type ChangeSink interface {
	Changed(ctx context.Context, sid string, issuedAt time.Time)
}

// NewStore returns a store on db.
func NewStore(db *mongo.Database, o Options) *Store {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{db: db, now: o.Now, embedded: o.Embedded, log: o.Logger, validate: survey.NewValidator(), frozen: &frozenCache{m: map[string]*survey.Questionnaire{}}}
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
func (s *Store) changed(ctx context.Context, sid string, issuedAt time.Time) {
	if s.changes != nil {
		s.changes.Changed(ctx, sid, issuedAt)
	}
}

// Validator returns the store's input validator, built once with the store.
func (s *Store) Validator() *survey.Validator { return s.validate }

// Now is the store's clock, in UTC and truncated to the millisecond as BSON stores it.
func (s *Store) Now() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// ConnectOptions are the settings for Connect.
type ConnectOptions struct {
	URI     string
	Timeout time.Duration // connect and server-selection timeout
	// Embedded relaxes what the embedded FerretDB does not support
	// (majority write concern, retryable writes need a replica set).
	Embedded bool
}

// Connect opens a client and checks that the server answers within the timeout.
func Connect(ctx context.Context, o ConnectOptions) (*mongo.Client, error) {
	opts := options.Client().ApplyURI(o.URI).
		SetConnectTimeout(o.Timeout).
		SetServerSelectionTimeout(o.Timeout).
		SetAppName("capsat")
	if !o.Embedded {
		opts.SetRetryWrites(true).SetWriteConcern(writeconcern.Majority())
	} else {
		opts.SetRetryWrites(false)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to store: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if err := client.Ping(pingCtx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store did not answer within %s: %w", o.Timeout, err)
	}
	return client, nil
}

// Ping checks that the store answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.db.Client().Ping(ctx, readpref.Primary())
}

// EnsureIndexes creates the indexes the store relies on. It is idempotent.
// Unique indexes carry domain rules (one reference per structure); the others
// serve MongoDB, the embedded store ignoring them for filters.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	specs := map[string][]mongo.IndexModel{
		colOrders: {
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "reference", Value: 1}}, Options: options.Index().SetUnique(true).SetName("structure_reference")},
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("structure_created")},
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "survey.issued_at", Value: 1}}, Options: options.Index().SetName("structure_survey_issued")},
		},
		colQuestionnaires: {
			{Keys: bson.D{{Key: "family_id", Value: 1}, {Key: "version", Value: 1}}, Options: options.Index().SetUnique(true).SetName("family_version")},
			{Keys: bson.D{{Key: "structure_id", Value: 1}}, Options: options.Index().SetName("structure")},
		},
		colLinks: {
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "issued_at", Value: 1}}, Options: options.Index().SetName("structure_issued")},
		},
		colResponses: {
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "issued_at", Value: 1}}, Options: options.Index().SetName("structure_issued")},
		},
		colAPIKeys: {
			{Keys: bson.D{{Key: "structure_id", Value: 1}}, Options: options.Index().SetName("structure")},
		},
	}
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		if err := s.createIndexes(ctx, name, specs[name]...); err != nil {
			return err
		}
	}
	if err := s.ensureAccountIndexes(ctx); err != nil {
		return err
	}
	return EnsureCollections(ctx, s.db, collections...)
}

// collections lists every collection of the store.
var collections = []string{
	colStructures, colQuestionnaires, colOrders, colLinks, colResponses, colAPIKeys,
	colUsers, colSessions, colLoginFailures, colAudit, colUploads,
}

// EnsureCollections creates those of the named collections of db that do
// not exist yet, so that everything capsat will use is there from the
// start (the embedded store's _id lookup index is added to existing tables
// only).
func EnsureCollections(ctx context.Context, db *mongo.Database, names ...string) error {
	existing, err := db.ListCollectionNames(ctx, bson.M{})
	if err != nil {
		return fmt.Errorf("list collections: %w", err)
	}
	have := map[string]bool{}
	for _, n := range existing {
		have[n] = true
	}
	for _, c := range names {
		if have[c] {
			continue
		}
		if err := db.CreateCollection(ctx, c); err != nil {
			var cmdErr mongo.CommandError
			if errors.As(err, &cmdErr) && cmdErr.Name == "NamespaceExists" {
				continue // created meanwhile by another instance
			}
			return fmt.Errorf("create collection %s: %w", c, err)
		}
	}
	return nil
}

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
		return fmt.Errorf("create indexes on %s: %w", collection, err)
	}
	return nil
}

func (s *Store) indexNames(ctx context.Context, collection string) (map[string]bool, error) {
	cur, err := s.db.Collection(collection).Indexes().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list indexes on %s: %w", collection, err)
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, fmt.Errorf("list indexes on %s: %w", collection, err)
	}
	names := map[string]bool{}
	for _, sp := range specs {
		names[sp.Name] = true
	}
	return names, nil
}

// Translate turns driver errors into domain errors.
func Translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return survey.ErrNotFound
	case mongo.IsDuplicateKeyError(err), isEmbeddedUniqueViolation(err):
		return fmt.Errorf("%w: %w", survey.ErrConflict, err)
	}
	return err
}

// isEmbeddedUniqueViolation recognises the embedded FerretDB's answer to an
// update that breaks a unique index: an InternalError carrying SQLite's
// message instead of a duplicate key error.
func isEmbeddedUniqueViolation(err error) bool {
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// findByID decodes the document with that _id into out.
func (s *Store) findByID(ctx context.Context, collection, id string, out any) error {
	return Translate(s.db.Collection(collection).FindOne(ctx, bson.M{"_id": id}).Decode(out))
}
