// Command capsat-daily measures the requests of daily use (issue 16) on the
// embedded store as data piles up: it seeds one structure with a given
// number of responses over 24 months (and optionally a network of other
// structures beside it) through the store's own calls, then times each
// daily request through the real HTTP router, in process, and prints a
// markdown table: p50, p95, ratio to the order read by _id of the same run,
// response size, and peak RSS.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"capsat/config"
	"capsat/handlers"
	"capsat/handlers/daily"
	"capsat/survey/embedded"
	"capsat/survey/readmodel"
	"capsat/survey/store"

	"go.mongodb.org/mongo-driver/v2/bson"
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

// options are the command's flags.
type options struct {
	data      string
	responses int
	network   int
	runs      int
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("capsat-daily", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: capsat-daily [--data DIR] [--responses N] [--network N] [--runs N]

Seeds an embedded store (FerretDB on SQLite, in DIR) with one structure of
N responses spread over the 24 months before the current one (1.2 orders
per response, answers drawn as in "capsat demo", dissatisfied ones flagged),
through the store's own calls (order creation, link issue, answers through
the group commit), then rebuilds the summaries and ledgers once. With
--network, that many structures in all: the measured one and others of
1,000 responses each. A DIR already seeded with the same parameters is
reused as it is (seeding 50,000 responses takes a while); a DIR seeded
with others is refused.

Then it times, through the real HTTP router in process (no network), each
daily request --runs times, round-robin, with a structure member signed in
through the login form and the summary worker running as in "capsat
serve", and prints a markdown table: p50, p95, p50 over the p50 of the
order read by _id (the baseline), the largest response, and peak RSS
(VmHWM) during the seeding and during the requests.

`)
		fs.PrintDefaults()
	}
	var o options
	fs.StringVar(&o.data, "data", "", "data folder of the embedded store (default: a new temporary folder, removed at the end)")
	fs.IntVar(&o.responses, "responses", 1000, "responses of the measured structure (e.g. 1000, 10000, 50000)")
	fs.IntVar(&o.network, "network", 1, "structures in the store: the measured one and network-1 others of 1,000 responses")
	fs.IntVar(&o.runs, "runs", 20, "runs of each daily request")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.responses < 24:
		return o, fmt.Errorf("--responses %d: at least 24 (one a month)", o.responses)
	case o.network < 1:
		return o, fmt.Errorf("--network %d: at least 1", o.network)
	case o.runs < 1:
		return o, fmt.Errorf("--runs %d: at least 1", o.runs)
	}
	return o, nil
}

// seedState is written in the data folder once seeding is done, so that a
// later run reuses it.
type seedState struct {
	Responses   int        `json:"responses"`
	Network     int        `json:"network"`
	Structure   string     `json:"structure_id"` // the measured one
	Counts      seedCounts `json:"counts"`
	SeedSeconds float64    `json:"seed_seconds"`
	RebuildSecs float64    `json:"rebuild_seconds"`
	SeededAt    time.Time  `json:"seeded_at"`
}

const stateFile = "capsat-daily.json"

// database is the database name the command uses in its data folder.
const database = "capsat"

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

	state, err := seeded(ctx, o, db, figures, stderr)
	if err != nil {
		return err
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

// seeded returns the data folder's seed state, seeding it first when the
// folder has none.
func seeded(ctx context.Context, o options, db *mongo.Database, figures *readmodel.Model, stderr io.Writer) (*seedState, error) {
	path := filepath.Join(o.data, stateFile)
	if b, err := os.ReadFile(path); err == nil {
		var s seedState
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if s.Responses != o.responses || s.Network != o.network {
			return nil, fmt.Errorf("%s was seeded with --responses %d --network %d: use another --data", o.data, s.Responses, s.Network)
		}
		fmt.Fprintf(stderr, "reusing %s (seeded %s)\n", o.data, s.SeededAt.Format(time.RFC3339))
		return &s, nil
	}
	if n, err := db.Collection("structures").CountDocuments(ctx, bson.M{}); err != nil || n > 0 {
		return nil, fmt.Errorf("%s holds a store not seeded by capsat-daily (or unreadable: %v): use an empty folder", o.data, err)
	}
	s := &seedState{Responses: o.responses, Network: o.network, SeededAt: time.Now()}
	began := time.Now()
	for i := range o.network {
		n := o.responses
		if i > 0 {
			n = 1000
		}
		t := time.Now()
		sid, c, err := seedStructure(ctx, db, i, n, began)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			s.Structure = sid
		}
		s.Counts.Orders += c.Orders
		s.Counts.Issued += c.Issued
		s.Counts.Responses += c.Responses
		s.Counts.Flagged += c.Flagged
		fmt.Fprintf(stderr, "seeded structure %d/%d: %d orders, %d links, %d responses (%d flagged) in %s\n",
			i+1, o.network, c.Orders, c.Issued, c.Responses, c.Flagged, time.Since(t).Round(time.Millisecond))
	}
	s.SeedSeconds = time.Since(began).Seconds()
	t := time.Now()
	if _, err := figures.RebuildSummaries(ctx); err != nil {
		return nil, fmt.Errorf("rebuild summaries: %w", err)
	}
	s.RebuildSecs = time.Since(t).Seconds()
	fmt.Fprintf(stderr, "seeding %.1f s, summaries rebuilt in %.1f s\n", s.SeedSeconds, s.RebuildSecs)
	b, _ := json.MarshalIndent(s, "", "  ")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return nil, err
	}
	return s, nil
}
