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
	"runtime/pprof"
	"syscall"
	"time"

	"capsat/config"
	"capsat/handlers"
	"capsat/handlers/daily"
	"capsat/survey/embedded"
	"capsat/survey/readmodel"
	"capsat/survey/store"
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
	srv, err := embedded.Start(o.data, slog.New(slog.DiscardHandler))
	if err != nil {
		return fmt.Errorf("start the embedded store in %s: %w", o.data, err)
	}
	defer srv.Stop()
	client, err := store.Connect(ctx, store.ConnectOptions{URI: srv.URI(), Timeout: 30 * time.Second, Embedded: true})
	if err != nil {
		return err
	}
	defer client.Disconnect(context.Background())
	db := client.Database(database)
	st := store.NewStore(db, store.Options{Embedded: true, Logger: log})
	if err := st.EnsureIndexes(ctx); err != nil {
		return err
	}
	figures := readmodel.New(st, db, readmodel.Options{Embedded: true, Logger: log})
	if err := figures.Prepare(ctx); err != nil {
		return err
	}
	if _, err := srv.IndexIDLookups(ctx, database); err != nil {
		return err
	}

	state, err := profiled(o.cpuprofile, func() (*seedState, error) { return seeded(ctx, o, db, stderr) })
	if err != nil {
		return err
	}
	if o.seedOnly {
		return printSeed(stdout, state)
	}
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
	fmt.Fprintf(stderr, "measuring %d runs of %d requests\n", o.runs, len(daily.Requests()))
	rows, err := measure(ctx, fx, daily.Requests(), o.runs)
	if err != nil {
		return err
	}
	return printReport(stdout, o, state, rows, seedPeak, vmHWM())
}

// profiled runs seed under a CPU profile written to path (none when empty).
func profiled(path string, seed func() (*seedState, error)) (*seedState, error) {
	if path == "" {
		return seed()
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, err
	}
	defer pprof.StopCPUProfile()
	return seed()
}

// printSeed prints what was seeded (--seed-only), one figure a line.
func printSeed(w io.Writer, s *seedState) error {
	_, err := fmt.Fprintf(w, "structure %s\norders %d\nlinks %d\nresponses %d\nflagged %d\nseed_seconds %.1f\nrebuild_seconds %.1f\n",
		s.Structure, s.Counts.Orders, s.Counts.Issued, s.Counts.Responses, s.Counts.Flagged, s.SeedSeconds, s.RebuildSecs)
	return err
}
