package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Exactly once, across instances.
//
// Each attempt to send message m is claimed first: the claim is a document
// "<m id>#<n>" of colMessageClaims, n = m's recorded attempts + 1, inserted
// with a unique _id, so that of two senders (in one process or two) one
// only gets attempt n; the other is told ErrConflict and leaves m alone.
// The holder sends, then records the outcome on m: a temporary failure
// rewrites m in the outbox with its attempts and next due time; anything
// final writes m to the history, then deletes it from the outbox.
//
// A crash after the claim and before its outcome leaves a claim without
// outcome. Once ClaimTimeout has passed since it was taken, the next sender
// counts it as an attempt whose fate is unknown and claims n+1: the message
// may then go twice (the server had accepted it before the crash), never
// more per crash, and is never lost. A crash between the history and the
// outbox delete is finished by whoever claims next: it finds m in the
// history and deletes the outbox copy.

// Claim is a sender's hold on one attempt to send a message.
type Claim struct {
	ID      string                `bson:"_id"` // "<message id>#<n>"
	Message string                `bson:"message_id"`
	Attempt int                   `bson:"attempt"`
	Holder  string                `bson:"holder"`
	At      time.Time             `bson:"at"`
	Outcome *survey.OutboxMessage `bson:"outcome,omitempty"` // m as the attempt left it
}

// ClaimTimeout is how long a claim without outcome keeps others off its
// message: longer than any SMTP exchange (the sender's timeouts are far
// shorter), so only a crashed holder's claim is taken over.
const ClaimTimeout = 10 * time.Minute

func claimID(mid string, n int) string { return mid + "#" + strconv.Itoa(n) }

// ClaimMessage claims the next attempt to send m (as DueMessages returned
// it) for holder. ErrConflict: another sender has it, or m is no longer
// pending; then m is left alone.
func (s *Store) ClaimMessage(ctx context.Context, m *survey.OutboxMessage, holder string) (*Claim, error) {
	now := s.Now()
	for n := m.Attempts + 1; n <= m.Attempts+20; n++ {
		c := &Claim{ID: claimID(m.ID, n), Message: m.ID, Attempt: n, Holder: holder, At: now}
		err := s.gated(ctx, func() error {
			_, err := s.db.Collection(colMessageClaims).InsertOne(ctx, c)
			return Translate(err)
		})
		if err == nil {
			// m may have moved on since the caller read it: a claim on
			// a message no longer pending is given up.
			var cur survey.OutboxMessage
			if err := s.findByID(ctx, colOutbox, m.ID, &cur); err != nil {
				s.dropClaim(ctx, c.ID)
				if errors.Is(err, survey.ErrNotFound) {
					return nil, survey.ErrConflict
				}
				return nil, err
			}
			if cur.Attempts >= n {
				s.dropClaim(ctx, c.ID)
				return nil, survey.ErrConflict
			}
			*m = cur
			return c, nil
		}
		if !errors.Is(err, survey.ErrConflict) {
			return nil, fmt.Errorf("claim %s: %w", c.ID, err)
		}
		var prev Claim
		if err := s.findByID(ctx, colMessageClaims, c.ID, &prev); err != nil {
			return nil, fmt.Errorf("claim %s: %w", c.ID, err)
		}
		switch {
		case now.Sub(prev.At) < ClaimTimeout:
			return nil, survey.ErrConflict // being sent, or its outcome being applied
		case prev.Outcome != nil:
			// Its holder stopped between its outcome and the message:
			// finish for it, and leave the message to the next poll.
			if err := s.applyOutcome(ctx, &prev); err != nil {
				return nil, err
			}
			return nil, survey.ErrConflict
		}
		// A holder that died before telling what became of attempt n. If
		// it had written the history, only the outbox copy is left to go;
		// otherwise the attempt counts, and n+1 is tried.
		var done survey.OutboxMessage
		if err := s.findByID(ctx, colMessages, m.ID, &done); err == nil {
			if err := s.dropPending(ctx, m.ID); err != nil {
				return nil, err
			}
			return nil, survey.ErrConflict
		} else if !errors.Is(err, survey.ErrNotFound) {
			return nil, fmt.Errorf("claim %s: %w", c.ID, err)
		}
		s.log.Warn("outbox claim taken over", "claim", prev.ID, "holder", prev.Holder)
	}
	return nil, fmt.Errorf("claim %s: too many abandoned claims", m.ID)
}

// dropClaim deletes a claim taken by mistake (its message had moved on).
func (s *Store) dropClaim(ctx context.Context, id string) {
	_ = s.gated(ctx, func() error {
		_, err := s.db.Collection(colMessageClaims).DeleteOne(ctx, bson.M{"_id": id})
		return err
	})
}

// RecordDelivery records what attempt c of message m gave and moves m on:
// sent, failed for good (a permanent failure, or the retry policy gives
// up), or back in the outbox for a retry. RecordAttempts does the same for
// many attempts with fewer writes.
func (s *Store) RecordDelivery(ctx context.Context, c *Claim, m *survey.OutboxMessage, d survey.Delivery, p survey.RetryPolicy) error {
	out, giveBack := settle(c, m, d, p, s.Now())
	if err := s.recordOutcome(ctx, c, out); err != nil {
		return err
	}
	if giveBack {
		s.dropClaim(ctx, c.ID)
	}
	return nil
}

// settle is message m as attempt c leaves it, given d. giveBack says the
// attempt never reached the message (a configuration error): its claim is
// to be dropped once m is written, so that the number is free again.
func settle(c *Claim, m *survey.OutboxMessage, d survey.Delivery, p survey.RetryPolicy, now time.Time) (out *survey.OutboxMessage, giveBack bool) {
	o := *m
	out = &o
	out.Attempts = c.Attempt
	out.UpdatedAt = now
	out.MessageID = d.MessageID
	out.SMTPResponse = d.SMTPResponse
	switch {
	case d.Err != nil && d.Config:
		// Nothing left capsat: the message waits a retry interval with
		// the reason on it, and the attempt does not count.
		out.Attempts = c.Attempt - 1
		out.DueAt, _ = p.Next(1, now)
		out.Error = "En attente, rien n'est envoyé : " + d.Err.Error()
		giveBack = true
	case d.Err == nil:
		out.Status = survey.MessageSent
		out.SentAt = &now
		out.Error = ""
	case d.Permanent:
		out.Status = survey.MessageFailed
		out.Error = "Refusé par le serveur d'envoi : " + d.Err.Error()
	default:
		if next, ok := p.Next(c.Attempt, now); ok {
			out.DueAt = next
			out.Error = "Échec temporaire (nouvel essai prévu) : " + d.Err.Error()
		} else {
			out.Status = survey.MessageFailed
			out.Error = "Abandonné après " + strconv.Itoa(c.Attempt) + " essais : " + d.Err.Error()
		}
	}
	if out.Status.Final() {
		out.FinishedAt = &now
	}
	return out, giveBack
}

// cancelled is message m cancelled for reason under claim c: nothing was
// tried.
func cancelled(c *Claim, m *survey.OutboxMessage, reason string, now time.Time) *survey.OutboxMessage {
	out := *m
	out.Attempts = c.Attempt - 1
	out.Status = survey.MessageCancelled
	out.Error = reason
	out.UpdatedAt = now
	out.FinishedAt = &now
	return &out
}

// CancelClaimed records that attempt c of message m was not sent, for
// reason (a French sentence for the structure).
func (s *Store) CancelClaimed(ctx context.Context, c *Claim, m *survey.OutboxMessage, reason string) error {
	return s.recordOutcome(ctx, c, cancelled(c, m, reason, s.Now()))
}

// recordOutcome applies out, the outcome of attempt c. The message's own
// writes say it: a retry rewrites the outbox copy with attempts = c's
// number (a later claim of the same number sees it), a final outcome
// writes the history before the outbox copy goes (a sender that finds a
// stale claim looks in the history first). So the claim itself is never
// updated: one write less per message.
func (s *Store) recordOutcome(ctx context.Context, c *Claim, out *survey.OutboxMessage) error {
	c.Outcome = out
	return s.applyOutcome(ctx, c)
}

// dropPending deletes the outbox copy of message id.
func (s *Store) dropPending(ctx context.Context, id string) error {
	return s.gated(ctx, func() error {
		_, err := s.db.Collection(colOutbox).DeleteOne(ctx, bson.M{"_id": id})
		if err != nil {
			return fmt.Errorf("archive %s: %w", id, Translate(err))
		}
		return nil
	})
}

// applyOutcome moves c's message as c's outcome says: back in the outbox
// with its next due time, or to the history and out of the outbox.
func (s *Store) applyOutcome(ctx context.Context, c *Claim) error {
	out := c.Outcome
	if !out.Status.Final() {
		return s.gated(ctx, func() error {
			_, err := s.db.Collection(colOutbox).ReplaceOne(ctx, bson.M{"_id": out.ID}, out)
			if err != nil {
				return fmt.Errorf("retry %s: %w", out.ID, Translate(err))
			}
			return nil
		})
	}
	// The next reminder is planned before the message leaves the outbox,
	// so that a crash in between plans it again (planNextReminder skips
	// one already planned).
	if out.Status == survey.MessageSent {
		if err := s.planNextReminder(ctx, out); err != nil {
			return err
		}
	}
	if err := s.gated(ctx, func() error {
		_, err := s.db.Collection(colMessages).ReplaceOne(ctx, bson.M{"_id": out.ID}, out, options.Replace().SetUpsert(true))
		if errors.Is(Translate(err), survey.ErrConflict) {
			// Two upserts of one _id at once: the other wrote the same
			// outcome (both read it from the claim).
			return nil
		}
		return Translate(err)
	}); err != nil {
		return fmt.Errorf("archive %s: %w", out.ID, err)
	}
	return s.dropPending(ctx, out.ID)
}

// CancelMessage cancels pending message id for reason, unless a sender
// holds it (ErrConflict; that sender checks the order itself before
// sending). A message already final is left as it is.
func (s *Store) CancelMessage(ctx context.Context, id, reason string) error {
	var m survey.OutboxMessage
	if err := s.findByID(ctx, colOutbox, id, &m); err != nil {
		if errors.Is(err, survey.ErrNotFound) {
			return nil
		}
		return err
	}
	c, err := s.ClaimMessage(ctx, &m, "cancel")
	if err != nil {
		return err
	}
	return s.CancelClaimed(ctx, c, &m, reason)
}

// CancelOrderMessages cancels the pending survey messages of order oid
// (after its answer, its link's cancellation...), for reason. A message a
// sender holds is left to it: it reads the order before sending.
func (s *Store) CancelOrderMessages(ctx context.Context, sid, oid, reason string) error {
	msgs, err := s.OrderMessages(ctx, sid, oid)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if m.Status != survey.MessageQueued {
			continue
		}
		if err := s.CancelMessage(ctx, m.ID, reason); err != nil && !errors.Is(err, survey.ErrConflict) {
			return err
		}
	}
	return nil
}
