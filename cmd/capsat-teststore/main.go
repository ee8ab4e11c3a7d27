// Command capsat-teststore runs FerretDB on SQLite as a store in its own
// process, the stand-in for a MongoDB server when the test suite runs in
// MongoDB mode (.ci/run starts it, then runs go test ./... with MONGODB_URI
// set to it). Unlike capsat's embedded store it adds no SQLite index of its
// own: it is reached exactly as a foreign MongoDB-compatible server would be.
//
// It prints the mongodb:// URI on stdout once the store answers, and runs
// until SIGINT or SIGTERM.
//
//	capsat-teststore [--addr 127.0.0.1:27018] [--data-dir DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"capsat/survey/embedded"
	"capsat/survey/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "capsat-teststore:", err)
		os.Exit(1)
	}
}

// run is main without the process: it serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("capsat-teststore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:27018", "loopback host:port to listen on")
	dataDir := fs.String("data-dir", "", "folder of the SQLite databases (default: a temporary folder removed at exit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	dir := *dataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "capsat-teststore-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	// FerretDB warns about every command it lacks (endSessions...): errors only.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := embedded.StartAt(dir, *addr, logger)
	if err != nil {
		return err
	}
	defer srv.Stop()
	client, err := store.Connect(ctx, store.ConnectOptions{URI: srv.URI(), Timeout: 30 * time.Second, Embedded: true})
	if err != nil {
		return err
	}
	_ = client.Disconnect(context.Background())
	fmt.Fprintln(stdout, srv.URI())
	<-ctx.Done()
	return nil
}
