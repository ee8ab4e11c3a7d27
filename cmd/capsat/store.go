package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"capsat/config"
	"capsat/survey/embedded"
	"capsat/survey/readmodel"
	"capsat/survey/store"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// openedStore is a connected store, its read model, and how to close them.
type openedStore struct {
	store    *store.Store
	figures  *readmodel.Model
	embedded bool
	db       *mongo.Database
	log      *slog.Logger
	close    func()
}

// storeOn builds the store and its read model on db, for the backend the
// configuration names (embedded or MongoDB).
func storeOn(db *mongo.Database, embedded bool, now func() time.Time, log *slog.Logger) (*store.Store, *readmodel.Model) {
	st := store.NewStore(db, store.Options{Embedded: embedded, Now: now, Logger: log})
	return st, readmodel.New(st, db, readmodel.Options{Embedded: embedded, Logger: log})
}

// onClock is the store on the same database with another clock (the demo
// dates each event), its read model attached.
func (o *openedStore) onClock(now func() time.Time) *store.Store {
	st, _ := storeOn(o.db, o.embedded, now, o.log)
	return st
}

// openStore connects to MongoDB, or starts the embedded FerretDB when no
// MONGODB_URI is set, and makes sure the indexes exist.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*openedStore, error) {
	uri := cfg.MongoURI
	var srv *embedded.Server
	if cfg.Embedded() {
		var err error
		srv, err = embedded.Start(cfg.DataDir, ferretLogger(log))
		switch {
		case err == nil:
		case errors.Is(err, embedded.ErrDiskFull), errors.Is(err, embedded.ErrNotWritable), store.FaultCause(err) == "":
			return nil, fmt.Errorf("%w (CAPSAT_DATA_DIR=%s)", err, cfg.DataDir)
		default: // SQLite refused to open its files
			return nil, storeFault("start the embedded store", cfg, err)
		}
		uri = srv.URI()
		log.Info("store: embedded FerretDB (SQLite)", slog.String("data_dir", cfg.DataDir))
	} else {
		log.Info("store: MongoDB", slog.String("uri", cfg.LogValues()["MONGODB_URI"]), slog.String("database", cfg.MongoDatabase))
	}
	client, err := store.Connect(ctx, store.ConnectOptions{URI: uri, Timeout: cfg.ConnectTimeout, Embedded: srv != nil})
	if err != nil {
		if srv != nil {
			srv.Stop()
		}
		return nil, storeFault("connect to the store", cfg, err)
	}
	closeAll := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = client.Disconnect(ctx)
		if srv != nil {
			srv.Stop()
		}
	}
	db := client.Database(cfg.MongoDatabase)
	st, figures := storeOn(db, cfg.Embedded(), time.Now, log)
	if err := st.EnsureIndexes(ctx); err != nil {
		closeAll()
		return nil, storeFault("prepare store", cfg, err)
	}
	if err := figures.Prepare(ctx); err != nil {
		closeAll()
		return nil, storeFault("prepare read model", cfg, err)
	}
	if srv != nil {
		// Without this, every lookup by _id scans its whole table (see
		// embedded.IndexIDLookups); capsat stays correct without it, only slower.
		if n, err := srv.IndexIDLookups(ctx, cfg.MongoDatabase); err != nil {
			log.Warn("embedded store: _id lookup index not added", slog.String("error", err.Error()))
		} else {
			log.Info("embedded store: _id lookup index ready", slog.Int("tables", n))
		}
	}
	return &openedStore{store: st, figures: figures, embedded: cfg.Embedded(), db: db, log: log, close: closeAll}, nil
}

// storeFault words a store error of the start: the cause in plain words
// (disk full, data folder not writable, store unreachable) and what to
// check, then the store's own message.
func storeFault(step string, cfg config.Config, err error) error {
	cause := store.FaultCause(err)
	if cfg.Embedded() {
		switch cause {
		case store.CauseDiskFull:
			return fmt.Errorf("%s: disk full: free some space on the disk of the data folder %s (CAPSAT_DATA_DIR): %w", step, cfg.DataDir, err)
		case store.CauseNotWritable:
			return fmt.Errorf("%s: data folder not writable: let the user capsat runs as write in %s (CAPSAT_DATA_DIR): %w", step, cfg.DataDir, err)
		case store.CauseDiskError:
			return fmt.Errorf("%s: disk I/O error in the data folder %s (CAPSAT_DATA_DIR): its disk is full or failing: %w", step, cfg.DataDir, err)
		case store.CauseUnreachable:
			return fmt.Errorf("%s: store unreachable: the embedded store does not answer: %w", step, err)
		}
		return fmt.Errorf("%s: %w", step, err)
	}
	uri := cfg.LogValues()["MONGODB_URI"]
	switch cause {
	case store.CauseDiskFull:
		return fmt.Errorf("%s: disk full on the MongoDB server at %s: %w", step, uri, err)
	case store.CauseUnreachable:
		return fmt.Errorf("%s: store unreachable at %s (MONGODB_URI): check that the server runs and answers: %w", step, uri, err)
	case "":
		return fmt.Errorf("%s: %w", step, err)
	}
	return fmt.Errorf("%s: %s at %s: %w", step, cause, uri, err)
}

// ferretLogger keeps FerretDB's own chatter to errors (it warns about every command it lacks, such as endSessions).
func ferretLogger(log *slog.Logger) *slog.Logger {
	return slog.New(levelFilter{log.Handler(), slog.LevelError}).With(slog.String("component", "ferretdb"))
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

func (f levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{f.Handler.WithAttrs(a), f.min}
}

func (f levelFilter) WithGroup(n string) slog.Handler {
	return levelFilter{f.Handler.WithGroup(n), f.min}
}
