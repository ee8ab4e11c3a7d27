package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The sender's writes, a batch at a time.
//
// On the embedded store every write is its own SQLite commit, and what a
// message costs is mostly commits: claiming, archiving and deleting one by
// one was three per message. Here a batch of due messages is claimed with
// one insert of all their claims and recorded with one insert in the
// history and one delete from the outbox. Each claim is still its own
// document with a unique _id: of two senders, one only gets each attempt
// (a batch insert that meets a taken _id goes on with the others, and
// FerretDB then inserts one by one). Reads and deletes name the batch's
// _ids with $in: indexed on MongoDB; on the embedded store a scan of the
// outbox, which a batch pays once rather than once per message (a lookup
// by _id scans the table in SQLite too: measured in BENCHMARKS.md).

// ClaimMessages claims the next attempt of each of msgs (as DueMessages
// returned them) for holder. claims[i] is nil when msgs[i] is held by
// another sender or no longer pending; otherwise msgs[i] is replaced by its
// current version.
func (s *Store) ClaimMessages(ctx context.Context, msgs []survey.OutboxMessage, holder string) ([]*Claim, error) {
	now := s.Now()
	claims := make([]*Claim, len(msgs))
	docs := make([]any, len(msgs))
	for i := range msgs {
		n := msgs[i].Attempts + 1
		claims[i] = &Claim{ID: claimID(msgs[i].ID, n), Message: msgs[i].ID, Attempt: n, Holder: holder, At: now}
		docs[i] = claims[i]
	}
	if len(docs) == 0 {
		return claims, nil
	}
	var taken map[int]bool
	err := s.gated(ctx, func() error {
		_, err := s.db.Collection(colMessageClaims).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		taken, err = duplicates(err)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim %d messages: %w", len(msgs), err)
	}
	// A taken number: another sender holds it, or a crashed one did; the
	// one-message claim sorts it out (and takes over a stale claim).
	var mine []any
	for i := range msgs {
		if !taken[i] {
			mine = append(mine, msgs[i].ID)
			continue
		}
		c, err := s.ClaimMessage(ctx, &msgs[i], holder)
		if errors.Is(err, survey.ErrConflict) {
			claims[i] = nil
			continue
		}
		if err != nil {
			return nil, err
		}
		claims[i] = c
	}
	// The messages may have moved on since the caller read them: a claim on
	// one no longer pending, or already past that attempt, is given up. On
	// the embedded store this read would convert the whole outbox once per
	// batch, for a case the writes rule out: a message leaves the outbox,
	// or gets past attempt n-1, only under claim n (or a later one, which
	// needs n taken first), and a claim is dropped only after its message
	// is written back at n-1. So the claim's success is the proof there;
	// MongoDB reads the batch by _id and checks.
	if s.embedded || len(mine) == 0 {
		return claims, nil
	}
	cur, err := s.db.Collection(colOutbox).Find(ctx, bson.M{"_id": bson.M{"$in": mine}})
	if err != nil {
		return nil, fmt.Errorf("claim: read outbox: %w", Translate(err))
	}
	var got []survey.OutboxMessage
	if err := cur.All(ctx, &got); err != nil {
		return nil, fmt.Errorf("claim: read outbox: %w", Translate(err))
	}
	current := make(map[string]survey.OutboxMessage, len(got))
	for _, m := range got {
		current[m.ID] = m
	}
	for i := range msgs {
		if taken[i] {
			continue
		}
		m, ok := current[msgs[i].ID]
		if !ok || m.Attempts >= claims[i].Attempt {
			s.dropClaim(ctx, claims[i].ID)
			claims[i] = nil
			continue
		}
		msgs[i] = m
	}
	return claims, nil
}

// duplicates reads the indexes of a bulk insert's documents refused for a
// taken _id; any other failure is returned.
func duplicates(err error) (map[int]bool, error) {
	if err == nil {
		return nil, nil
	}
	var bw mongo.BulkWriteException
	if !errors.As(err, &bw) || bw.WriteConcernError != nil {
		return nil, Translate(err)
	}
	taken := map[int]bool{}
	for _, we := range bw.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) && !isEmbeddedUniqueViolation(we) {
			return nil, Translate(err)
		}
		taken[we.Index] = true
	}
	return taken, nil
}

// Attempt is one claimed attempt and what became of it, for RecordAttempts.
type Attempt struct {
	Claim    *Claim
	Message  *survey.OutboxMessage
	Delivery survey.Delivery // what the server said, when it was tried
	Cancel   string          // not sent, for this reason (a French sentence)
	// Release says it was not tried at all (the round stopped before it):
	// the claim is given back and the message left as it is.
	Release bool
}

// RecordAttempts records a batch of attempts as RecordDelivery and
// CancelClaimed do one: retries rewrite their outbox copy one by one (they
// are rare); final messages plan their next reminder, then go to the
// history in one insert, then leave the outbox in one delete, in that
// order, so that a crash anywhere leaves each message where the
// one-message path would.
func (s *Store) RecordAttempts(ctx context.Context, as []Attempt, p survey.RetryPolicy) error {
	now := s.Now()
	var finals []*survey.OutboxMessage
	for i := range as {
		a := &as[i]
		if a.Release {
			s.dropClaim(ctx, a.Claim.ID)
			continue
		}
		out, giveBack := (*survey.OutboxMessage)(nil), false
		if a.Cancel != "" {
			out = cancelled(a.Claim, a.Message, a.Cancel, now)
		} else {
			out, giveBack = settle(a.Claim, a.Message, a.Delivery, p, now)
		}
		if !out.Status.Final() {
			if err := s.recordOutcome(ctx, a.Claim, out); err != nil {
				return err
			}
			if giveBack {
				s.dropClaim(ctx, a.Claim.ID)
			}
			continue
		}
		if out.Status == survey.MessageSent {
			if err := s.planNextReminder(ctx, out); err != nil {
				return err
			}
		}
		finals = append(finals, out)
	}
	return s.archive(ctx, finals)
}

// archive writes final messages to the history, then deletes them from
// the outbox.
func (s *Store) archive(ctx context.Context, finals []*survey.OutboxMessage) error {
	if len(finals) == 0 {
		return nil
	}
	docs := make([]any, len(finals))
	ids := make(bson.A, len(finals))
	for i, m := range finals {
		docs[i], ids[i] = m, m.ID
	}
	var taken map[int]bool
	if err := s.gated(ctx, func() error {
		_, err := s.db.Collection(colMessages).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		taken, err = duplicates(err)
		return err
	}); err != nil {
		return fmt.Errorf("archive %d messages: %w", len(finals), err)
	}
	// Already in the history (a crashed sender's outcome): this one is the
	// record, as the one-message upsert makes it.
	for i := range taken {
		m := finals[i]
		if err := s.gated(ctx, func() error {
			_, err := s.db.Collection(colMessages).ReplaceOne(ctx, bson.M{"_id": m.ID}, m, options.Replace().SetUpsert(true))
			if errors.Is(Translate(err), survey.ErrConflict) {
				return nil // two upserts at once: the other wrote it
			}
			return Translate(err)
		}); err != nil {
			return fmt.Errorf("archive %s: %w", m.ID, err)
		}
	}
	return s.gated(ctx, func() error {
		_, err := s.db.Collection(colOutbox).DeleteMany(ctx, bson.M{"_id": bson.M{"$in": ids}})
		if err != nil {
			return fmt.Errorf("archive %d messages: %w", len(finals), Translate(err))
		}
		return nil
	})
}
