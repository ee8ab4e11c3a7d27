package store_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The embedded store's SQLite messages (as FerretDB passes them on, seen on
// a full and on a read-only file system) and MongoDB's unavailable states
// become survey.ErrUnavailable with their cause; other errors keep their
// meaning.
func TestTranslateRecognisesStoreFaults(t *testing.T) {
	t.Parallel()
	internal := func(msg string) error {
		return mongo.CommandError{Code: 1, Name: "InternalError", Message: msg}
	}
	cases := []struct {
		name  string
		err   error
		cause string
	}{
		{"SQLite full", internal("[msg_insert.go:168 handler.(*Handler).MsgInsert] [db.go:167 fsql.(*DB).InTransaction] database or disk is full (13)"), store.CauseDiskFull},
		{"SQLite I/O", internal("[opendb.go:57 pool.openDB] disk I/O error (4874)"), store.CauseDiskError},
		{"SQLite read-only", internal("attempt to write a readonly database (8)"), store.CauseNotWritable},
		{"SQLite cannot open", internal("[pool.go:106 pool.New] [opendb.go:57 pool.openDB] unable to open database file (14)"), store.CauseNotWritable},
		{"bulk write on a full disk", mongo.BulkWriteException{WriteErrors: []mongo.BulkWriteError{{WriteError: mongo.WriteError{Code: 1, Message: "database or disk is full (13)"}}}}, store.CauseDiskFull},
		{"network label", mongo.CommandError{Labels: []string{"NetworkError"}, Message: "connection reset"}, store.CauseUnreachable},
		{"no writable primary", mongo.CommandError{Code: 10107, Name: "NotWritablePrimary"}, store.CauseUnreachable},
		{"MongoDB out of disk space", mongo.CommandError{Code: 14031, Name: "OutOfDiskSpace"}, store.CauseDiskFull},
		{"deadline", fmt.Errorf("insert: %w", context.DeadlineExceeded), store.CauseSlow},
		{"no server in time", fmt.Errorf("server selection error: %w, current topology: { Type: Unknown }", context.DeadlineExceeded), store.CauseUnreachable},
		{"SQLite busy", internal("[collection.go:177 sqlite.(*collection).UpdateAll.func1] database is locked (5) (SQLITE_BUSY)"), store.CauseSlow},
		{"client disconnected", mongo.ErrClientDisconnected, store.CauseUnreachable},
		{"caller gone", fmt.Errorf("server selection error: %w", context.Canceled), ""},
		{"duplicate key", mongo.WriteException{WriteErrors: mongo.WriteErrors{{Code: 11000, Message: "E11000 duplicate key"}}}, ""},
		{"other", errors.New("cannot decode"), ""},
	}
	for _, c := range cases {
		err := store.Translate(c.err)
		if got := store.FaultCause(err); got != c.cause {
			t.Errorf("%s: cause %q, want %q", c.name, got, c.cause)
		}
		if unavailable := errors.Is(err, survey.ErrUnavailable); unavailable != (c.cause != "") {
			t.Errorf("%s: errors.Is(ErrUnavailable) = %v", c.name, unavailable)
		}
		if !strings.Contains(err.Error(), c.err.Error()) {
			t.Errorf("%s: the driver's error is lost: %v", c.name, err)
		}
		if again := store.Translate(err); again != err {
			t.Errorf("%s: translating twice changed the error: %v", c.name, again)
		}
	}
	if err := store.Translate(mongo.WriteException{WriteErrors: mongo.WriteErrors{{Code: 11000}}}); !errors.Is(err, survey.ErrConflict) {
		t.Errorf("a duplicate key is a conflict: %v", err)
	}
}

// A real driver error: a store that nobody listens for is unreachable.
func TestTranslateRecognisesAStoreThatDoesNotAnswer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + addr).SetServerSelectionTimeout(500 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = client.Database("capsat").Collection("health").InsertOne(ctx, bson.M{"_id": "x"})
	if err == nil {
		t.Fatal("insert succeeded with no server")
	}
	if got := store.FaultCause(store.Translate(err)); got != store.CauseUnreachable {
		t.Errorf("cause %q of %v, want %q", got, err, store.CauseUnreachable)
	}
}
