package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestNearDuplicateReferencesConflict: a reference that differs from one
// of the structure only by case, a zero width character or full-width
// letters is the same reference, on creation and on edit; another
// structure may use it.
func TestNearDuplicateReferencesConflict(t *testing.T) {
	t.Parallel()
	s, _, st := newOrderStore(t)
	ctx := context.Background()
	in := surveytest.OrderInput()
	in.Reference = "BC-2026-001"
	mustOrder(t, s, st.ID, in)
	other := mustOrder(t, s, st.ID, func() survey.OrderInput { in := surveytest.OrderInput(); in.Reference = "BC-2026-002"; return in }())
	cases := []struct{ name, ref string }{
		{"lower case", "bc-2026-001"},
		{"zero width space", "BC-2026\u200b-001"},
		{"full-width letters", "ＢＣ-2026-001"},
		{"full-width digits", "BC-２０２６-００１"},
	}
	for _, tc := range cases {
		in := surveytest.OrderInput()
		in.Reference = tc.ref
		var cerr *survey.ConflictError
		if _, err := s.CreateOrder(ctx, st.ID, in); !errors.As(err, &cerr) || cerr.Fields["reference"].Code != "duplicate" {
			t.Errorf("create %s: %v, want a duplicate reference", tc.name, err)
		}
		if _, err := s.UpdateOrder(ctx, st.ID, other.ID, in); !errors.As(err, &cerr) || cerr.Fields["reference"].Code != "duplicate" {
			t.Errorf("edit to %s: %v, want a duplicate reference", tc.name, err)
		}
	}
	// An order may change the case of its own reference.
	edited := surveytest.OrderInput()
	edited.Reference = "bc-2026-002"
	if o, err := s.UpdateOrder(ctx, st.ID, other.ID, edited); err != nil || o.Reference != "bc-2026-002" || o.ReferenceKey != survey.ReferenceKey("BC-2026-002") {
		t.Errorf("own reference in lower case: %+v %v", o, err)
	}
	elsewhere := surveytest.Structure(t, s, "AI de Cornouaille", "Bretagne")
	in.Reference = "bc-2026-001"
	mustOrder(t, s, elsewhere.ID, in)
}

// TestReferenceKeysOfOrdersStoredBefore: EnsureIndexes gives the orders
// stored without a reference key theirs, once, and replaces the unique
// index on the exact reference; of near-duplicates stored before, the
// oldest keeps the plain key.
func TestReferenceKeysOfOrdersStoredBefore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	db := surveytest.Database(t)
	s := store.NewStore(db, store.Options{Embedded: surveytest.Embedded(), Now: clock.Now})
	orders := db.Collection("orders")
	// The orders collection as an earlier capsat left it.
	if _, err := orders.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: "structure_id", Value: 1}, {Key: "reference", Value: 1}},
		Options: options.Index().SetUnique(true).SetName("structure_reference"),
	}); err != nil {
		t.Fatal(err)
	}
	legacy := []struct {
		id, sid, ref string
		created      time.Time
	}{
		{"000000000000000000000002", "a00000000000000000000000", "bc-1", clock.T.Add(time.Hour)},
		{"000000000000000000000001", "a00000000000000000000000", "BC-1", clock.T},
		{"000000000000000000000003", "a00000000000000000000000", "BC-2", clock.T},
		{"000000000000000000000004", "b00000000000000000000000", "BC-1", clock.T},
	}
	for _, o := range legacy {
		if _, err := orders.InsertOne(ctx, bson.M{"_id": o.id, "structure_id": o.sid, "reference": o.ref, "service_type": "mise_a_disposition",
			"client": bson.M{"company": "Mairie"}, "start_date": "2026-01-05", "created_at": o.created, "updated_at": o.created}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // the second start finds the migration done
		if err := s.EnsureIndexes(ctx); err != nil {
			t.Fatalf("ensure indexes: %v", err)
		}
	}
	want := map[string]string{
		"000000000000000000000001": "bc-1",
		"000000000000000000000002": "bc-1\x1f000000000000000000000002",
		"000000000000000000000003": "bc-2",
		"000000000000000000000004": "bc-1",
	}
	for id, key := range want {
		var got struct {
			Key string `bson:"reference_key"`
		}
		if err := orders.FindOne(ctx, bson.M{"_id": id}).Decode(&got); err != nil || got.Key != key {
			t.Errorf("order %s: key %q (%v), want %q", id, got.Key, err, key)
		}
	}
	cur, err := orders.Indexes().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var specs []struct {
		Name   string `bson:"name"`
		Unique bool   `bson:"unique"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, sp := range specs {
		names[sp.Name] = sp.Unique
	}
	if _, old := names["structure_reference"]; old || !names["structure_reference_key"] {
		t.Errorf("indexes %+v: want structure_reference_key (unique) instead of structure_reference", specs)
	}
	// The stored near-duplicates stay readable; a new one is refused.
	if o, err := s.Order(ctx, "a00000000000000000000000", "000000000000000000000002"); err != nil || o.Reference != "bc-1" {
		t.Errorf("legacy near-duplicate: %+v %v", o, err)
	}
	in := surveytest.OrderInput()
	in.Reference = "Bc-1"
	var cerr *survey.ConflictError
	if _, err := s.CreateOrder(ctx, "a00000000000000000000000", in); !errors.As(err, &cerr) {
		t.Errorf("new near-duplicate of a legacy order: %v", err)
	}
}
