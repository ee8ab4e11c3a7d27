package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The batch claim leaves alone what another sender holds and what moved on
// since the due list was read; the batch record moves each message as the
// one-message record does.
func TestOutboxBatchClaimAndRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := surveytest.NewLockedClock(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
	s := surveytest.Store(t, clock.Now)
	const kind survey.MessageKind = "batch-test"
	for _, id := range []string{"a", "b", "c", "d"} {
		if err := s.Enqueue(ctx, &survey.OutboxMessage{ID: id, StructureID: "st", Kind: kind, To: id + "@example.org"}); err != nil {
			t.Fatal(err)
		}
	}
	due, err := s.DueMessages(ctx, s.Now(), 10)
	if err != nil || len(due) != 4 {
		t.Fatalf("due: %v %v", due, err)
	}
	// b is being sent by another instance. On MongoDB, where the batch
	// is read again after its claims, d leaves the outbox behind the
	// store's back (no write path does that without a claim: the embedded
	// store relies on it and does not read again).
	b := due[1]
	if _, err := s.ClaimMessage(ctx, &b, "other"); err != nil {
		t.Fatal(err)
	}
	if !s.Embedded() {
		if _, err := s.DB().Collection("mail_outbox").DeleteOne(ctx, bson.M{"_id": "d"}); err != nil {
			t.Fatal(err)
		}
	}
	claims, err := s.ClaimMessages(ctx, due, "me")
	if err != nil {
		t.Fatal(err)
	}
	if claims[0] == nil || claims[1] != nil || claims[2] == nil || (claims[3] != nil) != s.Embedded() {
		t.Fatalf("claims: %+v", claims)
	}
	if n, _ := s.DB().Collection("mail_claims").CountDocuments(ctx, bson.M{"_id": "d#1"}); !s.Embedded() && n != 0 {
		t.Error("the claim on a message gone from the outbox was kept")
	}
	// Nobody else gets a or c.
	again := due[0]
	if _, err := s.ClaimMessage(ctx, &again, "third"); !errors.Is(err, survey.ErrConflict) {
		t.Fatalf("a claimed twice: %v", err)
	}

	// a was sent, c failed for now; the history already holds a's record
	// as a crashed sender left it: the new outcome replaces it.
	if _, err := s.DB().Collection("mail_messages").InsertOne(ctx, survey.OutboxMessage{ID: "a", StructureID: "st", Kind: kind, To: "a@example.org", Status: survey.MessageFailed}); err != nil {
		t.Fatal(err)
	}
	as := []store.Attempt{
		{Claim: claims[0], Message: &due[0], Delivery: survey.Delivery{MessageID: "<a@x>", SMTPResponse: "250"}},
		{Claim: claims[2], Message: &due[2], Delivery: survey.Delivery{Err: errors.New("451 later")}},
	}
	if claims[3] != nil {
		as = append(as, store.Attempt{Claim: claims[3], Message: &due[3], Release: true})
	}
	err = s.RecordAttempts(ctx, as, survey.DefaultRetryPolicy)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Message(ctx, "st", "a")
	if err != nil || a.Status != survey.MessageSent || a.Attempts != 1 || a.MessageID != "<a@x>" || a.FinishedAt == nil {
		t.Fatalf("a: %+v %v", a, err)
	}
	c, err := s.Message(ctx, "st", "c")
	if err != nil || c.Status != survey.MessageQueued || c.Attempts != 1 || !strings.Contains(c.Error, "451") || !c.DueAt.After(s.Now()) {
		t.Fatalf("c: %+v %v", c, err)
	}
	left, err := s.DueMessages(ctx, s.Now().Add(time.Hour), 10)
	var ids []string
	for _, m := range left {
		ids = append(ids, m.ID)
	}
	want := "b c"
	if s.Embedded() {
		want = "b d c" // d given back untried
	}
	if err != nil || strings.Join(ids, " ") != want {
		t.Fatalf("left in the outbox: %v %v", ids, err)
	}

	// A claim given back (the round stopped before it) frees its number.
	clock.Advance(2 * time.Minute) // c is due again, b still held
	due, _ = s.DueMessages(ctx, s.Now(), 10)
	claims, err = s.ClaimMessages(ctx, due, "me")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(due, func(m survey.OutboxMessage) bool { return m.ID == "c" })
	if claims[0] != nil || claims[i] == nil || claims[i].Attempt != 2 {
		t.Fatalf("second batch: %+v", claims)
	}
	if err := s.RecordAttempts(ctx, []store.Attempt{{Claim: claims[i], Message: &due[i], Release: true}}, survey.DefaultRetryPolicy); err != nil {
		t.Fatal(err)
	}
	cc := due[i]
	if c, err := s.ClaimMessage(ctx, &cc, "other"); err != nil || c.Attempt != 2 {
		t.Fatalf("claim after the release: %+v %v", c, err)
	}
}
