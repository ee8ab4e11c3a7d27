package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"capsat/config"
	"capsat/handlers"
	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/embedded"
	"capsat/survey/readmodel"
	"capsat/survey/store"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// loadDatabase is the database of the in-process run.
const loadDatabase = "capsat_load"

// loadSIRET is a SIRET with a valid key for the load structure.
const loadSIRET = "73282932000074"

// target is the server under load and, in-process, its store.
type target struct {
	baseURL     string
	apiKey      string
	structureID string
	describe    string
	store       *store.Store      // nil for an external server
	figures     *readmodel.Model  // nil for an external server
	db          *mongo.Database   // the in-process store's database, nil for an external server
	orderIDs    map[string]string // token → order id, in-process
	close       func()
}

// openTarget starts the embedded store and the real router on a loopback
// port, or points at the external server of -url.
func openTarget(ctx context.Context, o options) (*target, error) {
	if o.url != "" {
		return externalTarget(ctx, o)
	}
	dir, err := os.MkdirTemp("", "capsat-load-")
	if err != nil {
		return nil, err
	}
	srv, err := embedded.Start(dir, nil)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cleanups := []func(){func() { srv.Stop(); os.RemoveAll(dir) }}
	closeAll := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	client, err := store.Connect(ctx, store.ConnectOptions{URI: srv.URI(), Timeout: 20 * time.Second, Embedded: true})
	if err != nil {
		closeAll()
		return nil, err
	}
	cleanups = append(cleanups, func() { _ = client.Disconnect(context.Background()) })
	// The load tool's own handle on the database: the baseline inserts into
	// a collection of its own and the checks count what was stored.
	db := client.Database(loadDatabase)
	store := store.NewStore(db, store.Options{Embedded: true})
	figures := readmodel.New(store, db, readmodel.Options{Embedded: true})
	if err := store.EnsureIndexes(ctx); err != nil {
		closeAll()
		return nil, err
	}
	if err := figures.Prepare(ctx); err != nil {
		closeAll()
		return nil, err
	}
	if err := db.CreateCollection(ctx, rawCollection); err != nil {
		closeAll()
		return nil, fmt.Errorf("create %s: %w", rawCollection, err)
	}
	if o.idIndex { // as serve does at start
		if _, err := srv.IndexIDLookups(ctx, loadDatabase); err != nil {
			closeAll()
			return nil, fmt.Errorf("index _id lookups: %w", err)
		}
	}
	st, err := store.CreateStructure(ctx, survey.StructureInput{Name: "AI de charge", SIRET: loadSIRET, Region: "Normandie", Type: survey.TypeAI})
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("create structure: %w", err)
	}
	_, key, err := store.CreateAPIKey(ctx, accounts.APIKeyInput{Name: "charge", Role: accounts.RoleStructureAdmin, StructureID: st.ID})
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("create API key: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		closeAll()
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	cfg := config.Default()
	cfg.BaseURL = base
	cfg.PublicRateLimit = 0 // every client comes from 127.0.0.1
	// Server errors go to stderr; request lines are dropped.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	router, err := handlers.NewRouter(handlers.Deps{Store: store, ReadModel: figures, Config: cfg, Logger: log, Now: time.Now})
	if err != nil {
		closeAll()
		return nil, err
	}
	// As in serve: summaries are refreshed by a background worker.
	workerCtx, stopWorker := context.WithCancel(context.Background())
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		figures.RunSummaryWorker(workerCtx, 2*time.Second, log)
	}()
	cleanups = append(cleanups, func() { stopWorker(); <-workerDone })
	httpSrv := &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = httpSrv.Serve(ln) }()
	cleanups = append(cleanups, func() { _ = httpSrv.Close() })
	return &target{
		baseURL: base, apiKey: key, structureID: st.ID, store: store, figures: figures, db: db, close: closeAll,
		describe: "in-process server " + base + " on the embedded store (FerretDB/SQLite)",
	}, nil
}

// externalTarget finds the structure of the API key on a running server.
func externalTarget(ctx context.Context, o options) (*target, error) {
	c := newClient(o.url, o.key, 1)
	var list struct {
		Structures []struct {
			ID string `json:"id"`
		} `json:"structures"`
	}
	if err := c.api(ctx, http.MethodGet, "/api/v1/structures", nil, &list); err != nil {
		return nil, fmt.Errorf("find the key's structure: %w", err)
	}
	if len(list.Structures) != 1 {
		return nil, fmt.Errorf("the key sees %d structures; give a key of one structure", len(list.Structures))
	}
	return &target{baseURL: o.url, apiKey: o.key, structureID: list.Structures[0].ID, close: func() {}, describe: "external server " + o.url}, nil
}

// verify counts what the store holds and measures its raw insert rate. For
// an external server it checks every link through HTTP instead.
func (t *target) verify(ctx context.Context, out io.Writer, o options, res *submitResult, refused int) error {
	var problems []error
	if refused != o.sample {
		problems = append(problems, fmt.Errorf("%d of %d re-submissions were not refused", o.sample-refused, o.sample))
	}
	if t.store == nil {
		fmt.Fprintln(out, "external server: store not reachable, responses counted through the accepted posts only")
		return errors.Join(problems...)
	}
	stored, err := t.storedResponses(ctx)
	if err != nil {
		return err
	}
	docs := 0
	for _, n := range stored {
		docs += n
	}
	lost, duplicated, unconfirmed := 0, 0, 0
	for token, status := range res.postStatus {
		n := stored[t.orderIDs[token]]
		switch {
		case status == 303 && n == 0:
			lost++ // confirmed to the client, not in the store
		case status != 303 && n > 0:
			unconfirmed++ // stored, but the client saw an error or gave up
		}
	}
	for _, n := range stored {
		duplicated += max(0, n-1)
	}
	fmt.Fprintf(out, "store: %d response documents for %d links; confirmed (303) but missing: %d; orders with more than one response: %d; stored but not confirmed to the client: %d\n",
		docs, o.links, lost, duplicated, unconfirmed)
	if lost > 0 || duplicated > 0 {
		problems = append(problems, fmt.Errorf("%d lost and %d duplicated responses", lost, duplicated))
	}
	if res.accepted != o.links {
		problems = append(problems, fmt.Errorf("%d of %d submissions failed (no retries)", o.links-res.accepted, o.links))
	}
	// The worker's refreshes of summaries, ledgers and answered copies
	// trail the answers; the raw inserts are measured on a quiet store.
	caughtUp := time.Now()
	for !t.figures.SummariesIdle() && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(out, "background: summaries, ledgers and answered copies caught up %s after the checks\n", time.Since(caughtUp).Round(time.Millisecond))
	// The store's raw rate varies from round to round (SQLite's writers
	// back off in sleeps when they collide, and checkpoint the WAL now and
	// then): the median of three rounds is the baseline.
	var rounds []rawResult
	for range rawRounds {
		r, err := rawInsertRate(ctx, t.db, o.links, o.concurrency)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "raw insert: %d response documents, c=%d, in %s: %.0f inserts/s\n", o.links, o.concurrency, r.elapsed.Round(time.Millisecond), r.rate())
		rounds = append(rounds, r)
	}
	slices.SortFunc(rounds, func(a, b rawResult) int { return cmp.Compare(a.rate(), b.rate()) })
	raw := rounds[len(rounds)/2]
	fmt.Fprintf(out, "raw insert median: %.0f inserts/s\n", raw.rate())
	fmt.Fprintf(out, "ratio: HTTP submissions/s ÷ raw inserts/s = %.0f ÷ %.0f = %.2f (target ≥ 0.5)\n", res.rate(), raw.rate(), res.rate()/raw.rate())
	return errors.Join(problems...)
}

// issueLinks creates n orders with their survey links: through the store
// in-process (one at a time: the embedded store serialises writes anyway),
// through the API of an external server.
func (t *target) issueLinks(ctx context.Context, c *client, n, conc int) ([]string, time.Duration, error) {
	if t.store == nil {
		return c.issueLinks(ctx, t.structureID, n, conc)
	}
	start := time.Now()
	tokens := make([]string, n)
	t.orderIDs = make(map[string]string, n)
	for i := range tokens {
		o, err := t.store.CreateOrder(ctx, t.structureID, survey.OrderInput{
			Reference: fmt.Sprintf("CHARGE-%06d", i), ServiceType: survey.ServiceMAD,
			Client:   survey.Client{Company: fmt.Sprintf("Client %d", i)},
			JobTitle: "Agent d'entretien", StartDate: "2026-03-03", EndDate: "2026-03-14", Hours: 35,
		})
		if err != nil {
			return nil, 0, fmt.Errorf("create order: %w", err)
		}
		l, err := t.store.IssueSurvey(ctx, t.structureID, o.ID)
		if err != nil {
			return nil, 0, fmt.Errorf("issue survey: %w", err)
		}
		tokens[i] = l.Token
		t.orderIDs[l.Token] = o.ID
	}
	return tokens, time.Since(start), nil
}

// storedResponses counts the response documents of each order of the load
// structure, reading every one (not trusting a count).
func (t *target) storedResponses(ctx context.Context) (map[string]int, error) {
	cur, err := t.db.Collection("responses").Find(ctx, map[string]any{"structure_id": t.structureID})
	if err != nil {
		return nil, fmt.Errorf("read responses: %w", err)
	}
	var docs []struct {
		OrderID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read responses: %w", err)
	}
	out := make(map[string]int, len(docs))
	for _, d := range docs {
		out[d.OrderID]++
	}
	return out, nil
}
