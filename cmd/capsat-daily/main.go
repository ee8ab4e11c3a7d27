// Command capsat-daily measures the requests of daily use (issue 16) on the
// embedded store as data piles up: it seeds one structure with a given
// number of responses over 24 months (and optionally a network of other
// structures beside it) through the store's own calls (on a bulk-load
// store: the order catalogue is built once at the end), then times each
// daily request through the real HTTP router, in process, and prints a
// markdown table: p50, p95, ratio to the order read by _id of the same run,
// response size, and peak RSS.
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

	"capsat/cmd/internal/cpuprofile"
	"capsat/config"
	"capsat/handlers"
	"capsat/handlers/daily"
	"capsat/survey/embedded"
	"capsat/survey/readmodel"
	"capsat/survey/store"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "capsat-daily:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if o.data == "" {
		dir, err := os.MkdirTemp("", "capsat-daily-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.data = dir
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	state, err := readState(o, stderr)
	if err != nil {
		return err
	}
	if state == nil {
		// Seeded on a server of its own, for bulk loads (no sync to disk
		// at each commit), stopped before the measured one starts.
		if state, err = seedBulk(ctx, o, stderr); err != nil {
			return err
		}
	}
	if o.seedOnly {
		return printSeed(stdout, state)
	}
	_, st, figures, stopStore, err := open(ctx, o.data, embedded.Start, log)
	if err != nil {
		return err
	}
	defer stopStore()
	seedPeak := vmHWM()
	resetPeak()

	workerCtx, stopWorker := context.WithCancel(ctx)
	workerDone := make(chan struct{})
	go func() { defer close(workerDone); figures.RunSummaryWorker(workerCtx, 2*time.Second, log) }()
	defer func() { stopWorker(); <-workerDone }()

	cfg := config.Default()
	cfg.BaseURL = "http://capsat.test"
	cfg.PublicRateLimit = 0
	router, err := handlers.NewRouter(handlers.Deps{Store: st, ReadModel: figures, Config: cfg, Logger: log, Now: time.Now})
	if err != nil {
		return err
	}
	fx, err := daily.Setup(ctx, st, router, state.Structure, o.runs)
	if err != nil {
		return err
	}
	reqs := selectRequests(daily.Requests(), o.only)
	fmt.Fprintf(stderr, "measuring %d runs of %d requests\n", o.runs, len(reqs))
	stopProfile, err := cpuprofile.Start(o.profile)
	if err != nil {
		return err
	}
	rows, err := measure(ctx, fx, reqs, o.runs)
	stopProfile()
	if err != nil {
		return err
	}
	return printReport(stdout, o, state, rows, seedPeak, vmHWM())
}

// open starts the embedded store in dir with start, connects, and prepares
// it as "capsat serve" does (indexes, the read model, the _id lookups).
func open(ctx context.Context, dir string, start func(string, *slog.Logger) (*embedded.Server, error), log *slog.Logger) (
	db *mongo.Database, st *store.Store, figures *readmodel.Model, stop func(), err error) {
	srv, err := start(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("start the embedded store in %s: %w", dir, err)
	}
	client, err := store.Connect(ctx, store.ConnectOptions{URI: srv.URI(), Timeout: 30 * time.Second, Embedded: true})
	if err != nil {
		srv.Stop()
		return nil, nil, nil, nil, err
	}
	stop = func() { _ = client.Disconnect(context.Background()); srv.Stop() }
	db = client.Database(database)
	st = store.NewStore(db, store.Options{Embedded: true, Logger: log})
	figures = readmodel.New(st, db, readmodel.Options{Embedded: true, Logger: log})
	err = st.EnsureIndexes(ctx)
	if err == nil {
		err = figures.Prepare(ctx)
	}
	if err == nil {
		_, err = srv.IndexIDLookups(ctx, database)
	}
	if err != nil {
		stop()
		return nil, nil, nil, nil, err
	}
	return db, st, figures, stop, nil
}

// seedBulk seeds the data folder on a bulk-load server (embedded.StartBulk)
// and stops it.
func seedBulk(ctx context.Context, o options, stderr io.Writer) (*seedState, error) {
	db, _, _, stop, err := open(ctx, o.data, embedded.StartBulk, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer stop()
	stopProfile, err := cpuprofile.Start(o.seedProfile)
	if err != nil {
		return nil, err
	}
	defer stopProfile()
	return seedInto(ctx, o, db, stderr)
}

// printSeed prints what was seeded (--seed-only), one figure a line.
func printSeed(w io.Writer, s *seedState) error {
	_, err := fmt.Fprintf(w, "structure %s\norders %d\nlinks %d\nresponses %d\nflagged %d\nseed_seconds %.1f\nrebuild_seconds %.1f\n",
		s.Structure, s.Counts.Orders, s.Counts.Issued, s.Counts.Responses, s.Counts.Flagged, s.SeedSeconds, s.RebuildSecs)
	return err
}
