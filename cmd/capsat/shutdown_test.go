package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/embedded"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// withDataFolder opens the embedded store of a stopped capsat's data folder.
func withDataFolder(t *testing.T, dir string, now func() time.Time, f func(st *store.Store, db *mongo.Database)) {
	t.Helper()
	ctx := context.Background()
	srv, err := embedded.Start(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	client, err := store.Connect(ctx, store.ConnectOptions{URI: srv.URI(), Timeout: 20 * time.Second, Embedded: true})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database("capsat")
	st := store.NewStore(db, store.Options{Embedded: true, Now: now})
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	f(st, db)
}

func countDocs(t *testing.T, db *mongo.Database, collection string) int64 {
	t.Helper()
	n, err := db.Collection(collection).CountDocuments(context.Background(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Stopping under a queue of pending refreshes takes the shutdown timeout
// at most: the summary worker stops at once and leaves the queue in the
// store, and the next start refreshes the pending months. The queue is
// twelve structure-months whose answers were stored without their
// summaries, with the markers a stopped worker leaves.
func TestShutdownLeavesPendingRefreshesToTheNextStart(t *testing.T) {
	t.Parallel()
	const months = 12
	const perMonth = survey.MinResponses // answers a month: enough for the figures to be shown
	const timeout = 10 * time.Second
	vars := testGetenv(t, map[string]string{"CAPSAT_SHUTDOWN_TIMEOUT": timeout.String(), "CAPSAT_LOG_LEVEL": "info"})
	ctx := context.Background()
	now := time.Now().UTC()
	first := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, time.UTC)
	clock := &surveytest.Clock{}
	var key string
	withDataFolder(t, vars["CAPSAT_DATA_DIR"], clock.Now, func(st *store.Store, db *mongo.Database) {
		clock.T = first.AddDate(0, -months-1, 0)
		s := surveytest.Structure(t, st, "AI du Bocage", "Normandie")
		var err error
		if _, key, err = st.CreateAPIKey(ctx, accounts.APIKeyInput{Name: "test", Role: accounts.RoleFederation}); err != nil {
			t.Fatal(err)
		}
		// No read model on this store: the answers leave no summary.
		for m := range months {
			clock.T = first.AddDate(0, m-months, 2)
			for i := range perMonth {
				_, tok := surveytest.IssuedOrder(t, st, s.ID, fmt.Sprintf("BC-%d-%d", m, i), survey.ServiceMAD)
				surveytest.Submit(t, st, tok, func(q *survey.Questionnaire) map[string]string {
					return surveytest.AnswersLike(q, "satisfait", "9", "")
				})
			}
			id := survey.SummaryID(s.ID, survey.SummaryMonth(clock.T))
			if _, err := db.Collection("summary_queue").InsertOne(ctx, bson.M{"_id": id, "queued_at": clock.T, "generation": int64(m + 1)}); err != nil {
				t.Fatal(err)
			}
		}
	})

	srv := startServe(t, vars)
	began := time.Now()
	srv.stop() // as SIGTERM does: main cancels serve's context
	if err := srv.wait(t); err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
	if took := time.Since(began); took > timeout {
		t.Errorf("serve took %s to stop, past CAPSAT_SHUTDOWN_TIMEOUT=%s", took, timeout)
	}
	withDataFolder(t, vars["CAPSAT_DATA_DIR"], time.Now, func(_ *store.Store, db *mongo.Database) {
		if n := countDocs(t, db, "summary_queue"); n == 0 {
			t.Errorf("no refresh left queued: the worker drained its queue before stopping")
		}
		if n := countDocs(t, db, "summaries"); n >= months {
			t.Errorf("%d summaries after a stop under a queue of %d", n, months)
		}
	})

	// The next start takes the queue up: every month gets its summary,
	// seen through the federation's figures (which read summaries only).
	srv = startServe(t, vars)
	deadline := time.Now().Add(2 * time.Minute)
	withFigures := 0
	for {
		withFigures = monthsWithFigures(t, srv.url, key, first.AddDate(0, -months, 0).Format("2006-01"), first.AddDate(0, -1, 0).Format("2006-01"))
		if withFigures >= months || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if withFigures < months {
		t.Fatalf("the next start refreshed %d of %d queued months", withFigures, months)
	}
	// (Its last markers may stay: a month's figures show once its summary
	// is written, before the answered copies and the marker's removal.)
	srv.stop()
	if err := srv.wait(t); err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
}

// monthsWithFigures counts the months from..to (AAAA-MM) of the
// federation's indicators that have some figure.
func monthsWithFigures(t *testing.T, base, key, from, to string) int {
	t.Helper()
	var out struct {
		Months []struct {
			Month      string `json:"month"`
			Indicators map[string]struct {
				Numerator   *int `json:"numerator"`
				Denominator *int `json:"denominator"`
				N           *int `json:"n"`
			} `json:"indicators"`
		} `json:"months"`
	}
	get(t, base+"/api/v1/federation/indicators?from="+from+"&to="+to, key, &out)
	n := 0
	for _, m := range out.Months {
		shown := false
		for _, f := range m.Indicators {
			if (f.N != nil && *f.N > 0) || (f.Denominator != nil && *f.Denominator > 0) {
				shown = true
			}
		}
		if shown {
			n++
		}
	}
	return n
}
