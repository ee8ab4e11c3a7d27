package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"capsat/survey/readmodel"
	"capsat/survey/store"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

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

// readState returns the data folder's seed state, nil when it has none.
func readState(o options, stderr io.Writer) (*seedState, error) {
	path := filepath.Join(o.data, stateFile)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	}
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

// seedInto seeds db, which must hold no structure, and writes the state
// file in the data folder.
func seedInto(ctx context.Context, o options, db *mongo.Database, stderr io.Writer) (*seedState, error) {
	if n, err := db.Collection("structures").CountDocuments(ctx, bson.M{}); err != nil || n > 0 {
		return nil, fmt.Errorf("%s holds a store not seeded by capsat-daily (or unreadable: %v): use an empty folder", o.data, err)
	}
	s, err := seed(ctx, o, db, stderr)
	if err != nil {
		return nil, err
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	if err := os.WriteFile(filepath.Join(o.data, stateFile), b, 0o644); err != nil {
		return nil, err
	}
	return s, nil
}

// seed seeds the store through bulk-load stores (store.Options.BulkLoad:
// no order catalogue kept while orders pile up), then rebuilds the
// summaries and ledgers (which also writes the orders' answered_at
// copies) and last the order catalogue, each once, as `capsat admin
// rebuild-summaries` does after an import of history.
func seed(ctx context.Context, o options, db *mongo.Database, stderr io.Writer) (*seedState, error) {
	s := &seedState{Responses: o.responses, Network: o.network, SeededAt: time.Now()}
	began := time.Now()
	p := &progress{w: stderr, began: began, every: 5 * time.Second}
	for i := range o.network {
		n := o.responses
		if i > 0 {
			n = 1000
		}
		t := time.Now()
		sid, c, err := seedStructure(ctx, db, i, n, began, p)
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
		p.linef("seeded structure %d/%d: %d orders, %d links, %d responses (%d flagged) in %s",
			i+1, o.network, c.Orders, c.Issued, c.Responses, c.Flagged, time.Since(t).Round(time.Millisecond))
	}
	s.SeedSeconds = time.Since(began).Seconds()
	t := time.Now()
	bulk := store.NewStore(db, store.Options{Embedded: true, BulkLoad: true})
	figures := readmodel.New(bulk, db, readmodel.Options{Embedded: true})
	stop := p.ticking("rebuilding the summaries")
	_, err := figures.RebuildSummaries(ctx)
	stop()
	if err != nil {
		return nil, fmt.Errorf("rebuild summaries: %w", err)
	}
	stop = p.ticking("building the order catalogue")
	_, err = bulk.RebuildOrderCatalogue(ctx)
	stop()
	if err != nil {
		return nil, fmt.Errorf("build the order catalogue: %w", err)
	}
	s.RebuildSecs = time.Since(t).Seconds()
	p.linef("seeding %.1f s, summaries and order catalogue built in %.1f s", s.SeedSeconds, s.RebuildSecs)
	return s, nil
}
