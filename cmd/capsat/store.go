package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"capsat/config"
	"capsat/survey/embedded"
	"capsat/survey/store"
)

// openedStore is a connected store and how to close it.
type openedStore struct {
	store *store.Store
	close func()
}

// openStore connects to MongoDB, or starts the embedded FerretDB when no
// MONGODB_URI is set, and makes sure the indexes exist.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*openedStore, error) {
	uri := cfg.MongoURI
	var srv *embedded.Server
	if cfg.Embedded() {
		var err error
		srv, err = embedded.Start(cfg.DataDir, ferretLogger(log))
		if err != nil {
			return nil, err
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
		return nil, err
	}
	closeAll := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = client.Disconnect(ctx)
		if srv != nil {
			srv.Stop()
		}
	}
	st := store.NewStore(client.Database(cfg.MongoDatabase), time.Now)
	if err := st.EnsureIndexes(ctx); err != nil {
		closeAll()
		return nil, fmt.Errorf("prepare store: %w", err)
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
	return &openedStore{store: st, close: closeAll}, nil
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
