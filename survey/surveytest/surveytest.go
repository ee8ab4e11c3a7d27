// Package surveytest gives tests a real store: one embedded FerretDB per test
// package (or the server at MONGODB_URI when set), and one database per test.
package surveytest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/embedded"
	"capsat/survey/readmodel"
	"capsat/survey/store"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// client is shared by the tests of one package, set up by Main. A test
// helper package is the one place such state is acceptable: it mirrors the
// process-wide store a real capsat has.
var (
	client    *mongo.Client
	clientURI string
)

// Main starts the store, runs the package's tests and stops the store.
// Call it from TestMain: func TestMain(m *testing.M) { surveytest.Main(m) }.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	uri := os.Getenv("MONGODB_URI")
	var srv *embedded.Server
	defer func() { embeddedServer = nil }()
	if uri == "" {
		dir, err := os.MkdirTemp("", "capsat-test-store-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "surveytest:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		srv, err = embedded.Start(dir, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "surveytest:", err)
			return 1
		}
		defer srv.Stop()
		uri = srv.URI()
		embeddedServer = srv
	}
	c, err := store.Connect(context.Background(), store.ConnectOptions{URI: uri, Timeout: 20 * time.Second, Embedded: srv != nil})
	if err != nil {
		fmt.Fprintln(os.Stderr, "surveytest:", err)
		return 1
	}
	client, clientURI = c, uri
	defer c.Disconnect(context.Background())
	return m.Run()
}

// Embedded tells whether the tests run on the embedded store (false with
// MONGODB_URI: MongoDB mode).
func Embedded() bool { return embeddedServer != nil }

// URI returns the address of the test store (for tests that start a whole server).
func URI() string {
	return clientURI
}

// embeddedServer is the package's embedded store while Main runs (nil on
// MONGODB_URI).
var embeddedServer *embedded.Server

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// OwnClient returns a client of its own on the test store, disconnected
// when the test ends. A test disconnects it earlier to see a store that
// cannot be reached (operations fail with the driver's error at once).
func OwnClient(t testing.TB) *mongo.Client {
	t.Helper()
	c, err := store.Connect(context.Background(), store.ConnectOptions{URI: URI(), Timeout: 20 * time.Second, Embedded: Embedded()})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

// Database returns a fresh database for this test, dropped when it ends.
func Database(t testing.TB) *mongo.Database {
	t.Helper()
	if client == nil {
		t.Fatal("surveytest: call surveytest.Main from TestMain")
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := unsafeName.ReplaceAllString(t.Name(), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	name = strings.Trim(name, "_") + "_" + hex.EncodeToString(b)
	db := client.Database(name)
	t.Cleanup(func() { _ = db.Drop(context.Background()) })
	return db
}

// Store returns a store on a fresh database with its indexes, on the given
// clock (time.Now when nil). On the embedded store it also adds the SQLite
// index of _id lookups, as serve does at start.
func Store(t testing.TB, now func() time.Time) *store.Store {
	t.Helper()
	s := store.NewStore(Database(t), store.Options{Embedded: embeddedServer != nil, Now: now})
	if err := s.EnsureIndexes(context.Background()); err != nil {
		t.Fatalf("ensure indexes: %v", err)
	}
	if embeddedServer != nil {
		if _, err := embeddedServer.IndexIDLookups(context.Background(), s.DB().Name()); err != nil {
			t.Fatalf("index _id lookups: %v", err)
		}
	}
	return s
}

// ReadModel returns the read model of s, registered as its change sink:
// the embedded store's design (ledgers, refresh queue) on the embedded
// store, MongoDB's with MONGODB_URI.
func ReadModel(t testing.TB, s *store.Store) *readmodel.Model {
	t.Helper()
	return readModel(t, s, s.Embedded())
}

func readModel(t testing.TB, s *store.Store, ledgers bool) *readmodel.Model {
	t.Helper()
	m := readmodel.New(s, s.DB(), readmodel.Options{Embedded: ledgers})
	if err := m.Prepare(context.Background()); err != nil {
		t.Fatalf("prepare read model: %v", err)
	}
	if embeddedServer != nil {
		if _, err := embeddedServer.IndexIDLookups(context.Background(), s.DB().Name()); err != nil {
			t.Fatalf("index _id lookups: %v", err)
		}
	}
	return m
}

// Clock is a settable test clock.
type Clock struct{ T time.Time }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return c.T }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.T = c.T.Add(d) }

// LockedClock is a settable test clock that another goroutine (the
// summary worker) may read while the test moves it.
type LockedClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewLockedClock returns a LockedClock at t.
func NewLockedClock(t time.Time) *LockedClock { return &LockedClock{t: t} }

// Now returns the clock's time.
func (c *LockedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *LockedClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// ValidSIRET is a SIRET with a correct key, for fixtures.
const ValidSIRET = "73282932000074"

// Structure creates a structure for a test.
func Structure(t testing.TB, s *store.Store, name, region string) *survey.Structure {
	t.Helper()
	st, err := s.CreateStructure(context.Background(), survey.StructureInput{Name: name, SIRET: ValidSIRET, Region: region, Type: survey.TypeAI})
	if err != nil {
		t.Fatalf("create structure: %v", err)
	}
	return st
}

// OrderInput is a valid order input that tests edit.
func OrderInput() survey.OrderInput {
	return survey.OrderInput{
		Reference: "BC-1", ServiceType: survey.ServiceMAD,
		Client:   survey.Client{Company: "Mairie de Vire", SIRET: ValidSIRET, ContactName: "Mme Durand", Email: "durand@vire.fr", Phone: "0231000000"},
		JobTitle: "Agent d'entretien", StartDate: "2026-03-03", EndDate: "2026-03-14", Hours: 35,
	}
}

// QuestionnaireInput is a valid staff-provision questionnaire input.
func QuestionnaireInput() survey.QuestionnaireInput {
	return survey.QuestionnaireInput{
		Title: "Votre avis", ServiceTypes: []survey.ServiceType{survey.ServiceMAD},
		Questions: survey.DefaultMADQuestions(),
	}
}

// EmbeddedModel is ReadModel with the embedded store's design (ledgers and
// the refresh queue) whatever the store: that design runs on any
// MongoDB-compatible store, and its tests run it on both.
func EmbeddedModel(t testing.TB, s *store.Store) *readmodel.Model {
	t.Helper()
	return readModel(t, s, true)
}

// Answers answers every question of q: "satisfait", oui, 9.
func Answers(q *survey.Questionnaire) map[string]string {
	a := map[string]string{}
	for _, qu := range q.Questions {
		switch qu.Type {
		case survey.QuestionScale:
			a[qu.Code] = "satisfait"
		case survey.QuestionYesNo:
			a[qu.Code] = survey.YesAnswer
		case survey.QuestionNPS:
			a[qu.Code] = "9"
		}
	}
	return a
}
