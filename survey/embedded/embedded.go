// Package embedded runs FerretDB with its SQLite handler inside the capsat
// process, so that capsat can be tried without a MongoDB server. It listens on
// a loopback port and is reached with the same MongoDB driver.
package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Server is a running embedded FerretDB.
type Server struct {
	dir    string // absolute data folder
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

// Start runs FerretDB on 127.0.0.1 (a free port) with its data in dir.
func Start(dir string, logger *slog.Logger) (*Server, error) {
	return StartAt(dir, "127.0.0.1:0", logger)
}

// StartAt is Start listening on addr, a loopback host:port (port 0: a free
// one). It fails at once if the address is taken.
func StartAt(dir, addr string, logger *slog.Logger) (*Server, error) {
	return start(dir, addr, logger, "")
}

// StartBulk is Start for bulk loads only (a load tool filling a new store,
// then stopping it before anything else uses it): SQLite does not wait for
// the disk at each commit (synchronous off), so a crash or power loss
// during the load may lose or corrupt it. What is written is the same.
func StartBulk(dir string, logger *slog.Logger) (*Server, error) {
	return start(dir, "127.0.0.1:0", logger, "?_pragma=synchronous(off)")
}

// start runs FerretDB with SQLite URL query (FerretDB adds its own
// defaults: busy timeout, WAL journal).
func start(dir, addr string, logger *slog.Logger, query string) (*Server, error) {
	if err := checkLoopback(addr); err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded store: data folder %q: %w", dir, err)
	}
	if err := checkDataDir(abs); err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/" + query,
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{dir: abs, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = f.Run(ctx)
	}()
	// MongoDBURI blocks until the listener has its address.
	uriCh := make(chan string, 1)
	go func() { uriCh <- f.MongoDBURI() }()
	select {
	case s.uri = <-uriCh:
	case <-time.After(30 * time.Second):
		cancel()
		return nil, fmt.Errorf("embedded store: listener did not start within 30s")
	}
	return s, nil
}

// checkLoopback accepts host:port addresses whose host is a loopback IP or
// "localhost": the store has no authentication.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("listen address %q: the host must be a loopback address", addr)
	}
	return nil
}

// URI is the mongodb:// address of the running server.
func (s *Server) URI() string { return s.uri }

// Stop closes the listener and the SQLite databases, waiting until done.
func (s *Server) Stop() {
	s.cancel()
	<-s.done
}
