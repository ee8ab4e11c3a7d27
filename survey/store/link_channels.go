package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The channel a survey link was first handed out through (an e-mail
// queued or sent, a QR code produced, the link copied or exported) is a
// document of its own, _id = the link's token, inserted once and never
// updated. It is not a field of the order: the order's document is a copy
// rewritten from its claimed changes (order_change.go), which would lose
// it. Both stores refuse a second document with the same _id, so of any
// number of hand-outs at once, in this process or another, exactly one
// insert is stored and every other one reads it: the first channel is
// decided once and stays. Each hand-out costs one read by _id, plus one
// insert the first time.

// linkChannel is a survey link's first hand-out.
type linkChannel struct {
	Token       string         `bson:"_id"`
	OrderID     string         `bson:"order_id"`
	StructureID string         `bson:"structure_id"`
	Channel     survey.Channel `bson:"channel"`
	At          time.Time      `bson:"at"`
}

// RecordHandOut records that order o's current survey link was handed out
// through ch, unless it was handed out before, and returns the link's
// first channel (ch when this call decided it; "" when o has no link).
// When it decides, the read model is told, as of any change of the order.
func (s *Store) RecordHandOut(ctx context.Context, o *survey.Order, ch survey.Channel) (survey.Channel, error) {
	if o.Survey == nil || o.Survey.Token == "" {
		return "", nil
	}
	return s.RecordLinkHandOut(ctx, &survey.SurveyLink{Token: o.Survey.Token, StructureID: o.StructureID, OrderID: o.ID, IssuedAt: o.Survey.IssuedAt}, ch)
}

// RecordLinkHandOut is RecordHandOut for link l (its token, order,
// structure and issue date are read).
func (s *Store) RecordLinkHandOut(ctx context.Context, l *survey.SurveyLink, ch survey.Channel) (survey.Channel, error) {
	first, decided, err := s.claimChannel(ctx, l.StructureID, l.OrderID, l.Token, ch)
	if err != nil {
		return "", err
	}
	if decided {
		s.changed(ctx, l.StructureID, l.OrderID, l.IssuedAt)
	}
	return first, nil
}

// claimChannel returns the first channel of link token, claiming ch for it
// when it has none; decided tells whether this call's claim won.
func (s *Store) claimChannel(ctx context.Context, sid, oid, token string, ch survey.Channel) (first survey.Channel, decided bool, err error) {
	ch = ch.Normal()
	var doc linkChannel
	err = s.findByID(ctx, colLinkChannels, token, &doc)
	switch {
	case err == nil:
		return doc.Channel.Normal(), false, nil
	case !errors.Is(err, survey.ErrNotFound):
		return "", false, fmt.Errorf("read link channel: %w", err)
	}
	release, err := s.AcquireWrite(ctx)
	if err != nil {
		return "", false, err
	}
	_, err = s.db.Collection(colLinkChannels).InsertOne(ctx, &linkChannel{Token: token, OrderID: oid, StructureID: sid, Channel: ch, At: s.Now()})
	release()
	err = Translate(err)
	switch {
	case err == nil:
		return ch, true, nil
	case !errors.Is(err, survey.ErrConflict):
		return "", false, fmt.Errorf("record link channel: %w", err)
	}
	// Another hand-out came first: its channel stands.
	if err := s.findByID(ctx, colLinkChannels, token, &doc); err != nil {
		return "", false, fmt.Errorf("read link channel: %w", err)
	}
	return doc.Channel.Normal(), false, nil
}

// LinkChannel is the channel link token was first handed out through; ""
// when it was not handed out.
func (s *Store) LinkChannel(ctx context.Context, token string) (survey.Channel, error) {
	var doc linkChannel
	err := s.findByID(ctx, colLinkChannels, token, &doc)
	switch {
	case errors.Is(err, survey.ErrNotFound):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("read link channel: %w", err)
	}
	return doc.Channel.Normal(), nil
}

// channelBatch bounds the tokens of one $in read of channels (MongoDB).
const channelBatch = 1000

// channelReadsByID is how many links the embedded store reads one by one
// by _id before one pass over the collection costs less.
const channelReadsByID = 64

// channelsOf reads the first channels of the links listed (by token; the
// links not handed out are absent). The readers of many orders at once
// call it (indicators on MongoDB, a month refreshed from its sources, a
// rebuild), never a daily page. On MongoDB it reads by _id, $in batches on
// the _id index. On the embedded store, where only {_id: v} is not a scan,
// a few links are read by _id and more in one pass over the collection
// (such readers already make one over the orders).
func (s *Store) channelsOf(ctx context.Context, tokens []string) (map[string]survey.Channel, error) {
	out := make(map[string]survey.Channel)
	if s.embedded && len(tokens) <= channelReadsByID {
		for _, t := range tokens {
			ch, err := s.LinkChannel(ctx, t)
			if err != nil {
				return nil, err
			}
			if ch != "" {
				out[t] = ch
			}
		}
		return out, nil
	}
	add := func(filter bson.M, wanted map[string]bool) error {
		cur, err := s.db.Collection(colLinkChannels).Find(ctx, filter, options.Find().SetProjection(bson.M{"_id": 1, "channel": 1}))
		if err != nil {
			return fmt.Errorf("read link channels: %w", Translate(err))
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			var d linkChannel
			if err := cur.Decode(&d); err != nil {
				return fmt.Errorf("read link channels: %w", Translate(err))
			}
			if wanted == nil || wanted[d.Token] {
				out[d.Token] = d.Channel.Normal()
			}
		}
		return Translate(cur.Err())
	}
	if s.embedded {
		wanted := make(map[string]bool, len(tokens))
		for _, t := range tokens {
			wanted[t] = true
		}
		return out, add(bson.M{}, wanted)
	}
	for len(tokens) > 0 {
		n := min(len(tokens), channelBatch)
		if err := add(bson.M{"_id": bson.M{"$in": tokens[:n]}}, nil); err != nil {
			return nil, err
		}
		tokens = tokens[n:]
	}
	return out, nil
}

// forgetChannels deletes the channels of a deleted order's links, by _id.
func (s *Store) forgetChannels(ctx context.Context, tokens []string) error {
	for _, t := range tokens {
		if _, err := s.db.Collection(colLinkChannels).DeleteOne(ctx, bson.M{"_id": t}); err != nil {
			return fmt.Errorf("delete link channel: %w", Translate(err))
		}
	}
	return nil
}
