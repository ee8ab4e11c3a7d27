package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The outbox, and why it is shaped so.
//
// Every message is a document before anything is sent: Enqueue inserts it
// in colOutbox, which holds pending messages only. Once final (sent,
// failed, cancelled) a message is written to colMessages, the history, and
// only then deleted from colOutbox, so it is always in one of the two (for
// a moment in both: readers try the outbox first, then the history).
//
// Nothing here filters a collection that grows with history: the sender's
// poll reads colOutbox (small: what is due or planned), on MongoDB through
// its due_at index; an order's messages are "<order id>.1", ".2", ... read
// by _id up to the first missing; a structure's list ("Envois") walks its
// entries "<structure id>:<k>" of colMessageIndex by _id from the newest.
// Numbers are taken by inserting with a unique _id, the one write both
// stores never lose: two writers of the same number, one fails and takes
// the next.

// maxOrderMessages bounds the numbers probed for one order (a loop guard:
// an order gets an invitation, a few reminders and the odd manual send).
const maxOrderMessages = 200

// Enqueue writes msg to the outbox, to be sent at msg.PlannedAt (now when
// zero). A survey message (invitation, reminder) must name its order and
// structure and gets the order's next message number as its _id; another
// kind keeps the ID it was given, or a new one. msg is completed in place
// (ID, status, dates).
func (s *Store) Enqueue(ctx context.Context, msg *survey.OutboxMessage) error {
	if msg.StructureID == "" || msg.To == "" || msg.Kind == "" {
		return errors.New("enqueue: structure, recipient and kind are required")
	}
	now := s.Now()
	if msg.PlannedAt.IsZero() {
		msg.PlannedAt = now
	}
	msg.PlannedAt = msg.PlannedAt.UTC().Truncate(time.Millisecond)
	msg.DueAt = msg.PlannedAt
	msg.Status = survey.MessageQueued
	msg.Attempts = 0
	msg.CreatedAt, msg.UpdatedAt = now, now
	if msg.Kind.Survey() {
		if msg.OrderID == "" {
			return errors.New("enqueue: a survey message needs its order")
		}
		if err := s.insertOrderMessage(ctx, msg); err != nil {
			return err
		}
	} else {
		if msg.ID == "" {
			msg.ID = survey.NewID()
		}
		if err := s.gated(ctx, func() error {
			_, err := s.db.Collection(colOutbox).InsertOne(ctx, msg)
			return Translate(err)
		}); err != nil {
			return fmt.Errorf("enqueue %s: %w", msg.ID, err)
		}
	}
	// The structure's list is an index over the messages: a crash before
	// this line leaves a message sent but missing from "Envois", never the
	// reverse.
	return s.indexMessage(ctx, msg.StructureID, msg.ID)
}

// insertOrderMessage gives msg the next free number of its order and
// inserts it in the outbox.
func (s *Store) insertOrderMessage(ctx context.Context, msg *survey.OutboxMessage) error {
	n, err := s.nextOrderMessage(ctx, msg.OrderID, 1)
	if err != nil {
		return err
	}
	for ; n <= maxOrderMessages; n++ {
		msg.ID = survey.OrderMessageID(msg.OrderID, n)
		err := s.gated(ctx, func() error {
			_, err := s.db.Collection(colOutbox).InsertOne(ctx, msg)
			return Translate(err)
		})
		if err == nil {
			return nil
		}
		if !errors.Is(err, survey.ErrConflict) {
			return fmt.Errorf("enqueue %s: %w", msg.ID, err)
		}
		// Taken meanwhile (it is pending: the history is written after).
	}
	return fmt.Errorf("enqueue for order %s: too many messages", msg.OrderID)
}

// nextOrderMessage is the first number from n on that no message of order
// oid has, pending or final.
func (s *Store) nextOrderMessage(ctx context.Context, oid string, n int) (int, error) {
	for ; n <= maxOrderMessages; n++ {
		_, err := s.message(ctx, survey.OrderMessageID(oid, n))
		if errors.Is(err, survey.ErrNotFound) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
	return n, nil
}

// message reads message id, pending or final: the outbox first, since a
// message is written to the history before it leaves the outbox.
func (s *Store) message(ctx context.Context, id string) (*survey.OutboxMessage, error) {
	var m survey.OutboxMessage
	err := s.findByID(ctx, colOutbox, id, &m)
	if err == nil {
		if m.Status.Final() { // moved, or being moved: the history is the record
			var h survey.OutboxMessage
			if s.findByID(ctx, colMessages, id, &h) == nil {
				return &h, nil
			}
		}
		return &m, nil
	}
	if !errors.Is(err, survey.ErrNotFound) {
		return nil, fmt.Errorf("read message %s: %w", id, err)
	}
	if err := s.findByID(ctx, colMessages, id, &m); err != nil {
		if errors.Is(err, survey.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("read message %s: %w", id, err)
	}
	return &m, nil
}

// Message returns message id of structure sid; another structure's is ErrNotFound.
func (s *Store) Message(ctx context.Context, sid, id string) (*survey.OutboxMessage, error) {
	m, err := s.message(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.StructureID != sid {
		return nil, survey.ErrNotFound
	}
	return m, nil
}

// OrderMessages returns the messages of order oid of structure sid, oldest
// first: one read by _id per message, two for a pending one.
func (s *Store) OrderMessages(ctx context.Context, sid, oid string) ([]survey.OutboxMessage, error) {
	if !survey.ValidIDShape(oid) {
		return nil, survey.ErrNotFound
	}
	var out []survey.OutboxMessage
	for n := 1; n <= maxOrderMessages; n++ {
		m, err := s.message(ctx, survey.OrderMessageID(oid, n))
		if errors.Is(err, survey.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		if m.StructureID != sid {
			return nil, survey.ErrNotFound
		}
		out = append(out, *m)
	}
	return out, nil
}

// indexEntry is one line of a structure's message list.
type indexEntry struct {
	ID        string    `bson:"_id"` // "<structure id>:<k>"
	MessageID string    `bson:"message_id"`
	At        time.Time `bson:"at"`
}

// indexHead is the last number of a structure's list known to be taken. It
// may lag behind (updates of one document can be lost on the embedded
// store): readers and writers go on from it to the first missing number.
type indexHead struct {
	ID   string `bson:"_id"`
	Last int    `bson:"last"`
}

// indexHeadEvery is how often the head is moved on: readers walk at most
// that many entries past it, and a message costs one write less.
const indexHeadEvery = 16

func indexID(sid string, k int) string { return sid + ":" + strconv.Itoa(k) }

// lastIndexed is the number of structure sid's newest list entry (0: none).
func (s *Store) lastIndexed(ctx context.Context, sid string) (int, error) {
	var h indexHead
	if err := s.findByID(ctx, colMessageHeads, sid, &h); err != nil && !errors.Is(err, survey.ErrNotFound) {
		return 0, fmt.Errorf("read message list of %s: %w", sid, err)
	}
	k := h.Last
	for {
		var e indexEntry
		err := s.findByID(ctx, colMessageIndex, indexID(sid, k+1), &e)
		if errors.Is(err, survey.ErrNotFound) {
			return k, nil
		}
		if err != nil {
			return 0, fmt.Errorf("read message list of %s: %w", sid, err)
		}
		k++
	}
}

// indexMessage appends message mid to structure sid's list.
func (s *Store) indexMessage(ctx context.Context, sid, mid string) error {
	k, err := s.lastIndexed(ctx, sid)
	if err != nil {
		return err
	}
	for tries := 0; ; tries++ {
		k++
		e := indexEntry{ID: indexID(sid, k), MessageID: mid, At: s.Now()}
		err := s.gated(ctx, func() error {
			_, err := s.db.Collection(colMessageIndex).InsertOne(ctx, e)
			return Translate(err)
		})
		if err == nil {
			break
		}
		if !errors.Is(err, survey.ErrConflict) || tries > 1000 {
			return fmt.Errorf("list message %s: %w", mid, err)
		}
	}
	if k%indexHeadEvery != 0 {
		return nil
	}
	return s.gated(ctx, func() error {
		_, err := s.db.Collection(colMessageHeads).UpdateOne(ctx, bson.M{"_id": sid},
			bson.M{"$max": bson.M{"last": k}}, options.UpdateOne().SetUpsert(true))
		if err != nil {
			// Only a hint: the next reader walks on from an older number.
			s.log.Warn("message list head", "structure", sid, "error", err.Error())
		}
		return nil
	})
}

// MessageFilter narrows a structure's message list. Empty fields match
// everything; Before is the list number to start below (0: the newest).
type MessageFilter struct {
	Status  survey.MessageStatus
	Kind    survey.MessageKind
	Before  int
	PerPage int
}

// MessagePage is one page of a structure's messages, newest first. Next is
// the Before of the following page, 0 when there is none; Scanned says how
// far the page looked (a filter that matches little stops after
// maxScanPerPage entries, with Next set to go on).
type MessagePage struct {
	Messages []survey.OutboxMessage
	Next     int
	Newest   int // the number of the structure's newest entry
}

// maxScanPerPage bounds the entries one page reads, whatever its filter:
// a page costs what it shows, or at most this many reads by _id.
const maxScanPerPage = 500

// StructureMessages returns one page of structure sid's messages, newest
// first, read by _id from its list.
func (s *Store) StructureMessages(ctx context.Context, sid string, f MessageFilter) (*MessagePage, error) {
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	last, err := s.lastIndexed(ctx, sid)
	if err != nil {
		return nil, err
	}
	page := &MessagePage{Newest: last}
	k := last
	if f.Before > 0 && f.Before-1 < k {
		k = f.Before - 1
	}
	for scanned := 0; k >= 1; k-- {
		if len(page.Messages) == f.PerPage || scanned == maxScanPerPage {
			page.Next = k + 1
			break
		}
		scanned++
		var e indexEntry
		err := s.findByID(ctx, colMessageIndex, indexID(sid, k), &e)
		if errors.Is(err, survey.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read message list of %s: %w", sid, err)
		}
		m, err := s.message(ctx, e.MessageID)
		if errors.Is(err, survey.ErrNotFound) {
			continue // deleted with its order
		}
		if err != nil {
			return nil, err
		}
		if (f.Status != "" && m.Status != f.Status) || (f.Kind != "" && m.Kind != f.Kind) {
			continue
		}
		page.Messages = append(page.Messages, *m)
	}
	return page, nil
}

// DueMessages returns up to limit pending messages due at now, the oldest
// due first. On the embedded store it reads the pending collection whole
// (it holds only what is planned or waiting), on MongoDB its due_at index.
func (s *Store) DueMessages(ctx context.Context, now time.Time, limit int) ([]survey.OutboxMessage, error) {
	coll := s.db.Collection(colOutbox)
	var out []survey.OutboxMessage
	if s.embedded {
		cur, err := coll.Find(ctx, bson.M{})
		if err != nil {
			return nil, fmt.Errorf("read outbox: %w", Translate(err))
		}
		if err := cur.All(ctx, &out); err != nil {
			return nil, fmt.Errorf("read outbox: %w", Translate(err))
		}
		out = slices.DeleteFunc(out, func(m survey.OutboxMessage) bool { return m.DueAt.After(now) })
		slices.SortFunc(out, func(a, b survey.OutboxMessage) int {
			if c := a.DueAt.Compare(b.DueAt); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		if len(out) > limit {
			out = out[:limit]
		}
		return out, nil
	}
	cur, err := coll.Find(ctx, bson.M{"due_at": bson.M{"$lte": now}},
		options.Find().SetSort(bson.D{{Key: "due_at", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", Translate(err))
	}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("read outbox: %w", Translate(err))
	}
	return out, nil
}

// PendingCount is the number of messages in the outbox (the banner shown
// when no SMTP server is configured). On MongoDB a count on the _id index.
func (s *Store) PendingCount(ctx context.Context) (int64, error) {
	n, err := s.db.Collection(colOutbox).CountDocuments(ctx, bson.M{})
	if err != nil {
		return 0, fmt.Errorf("count outbox: %w", Translate(err))
	}
	return n, nil
}
