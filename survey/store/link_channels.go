package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
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

// channelBatch bounds the tokens of one $in read of channels.
const channelBatch = 1000

// channelsOf reads the first channels of the links listed (by token; the
// links not handed out are absent). The readers of many orders at once
// call it (indicators on MongoDB, a month refreshed from its sources),
// never a daily page: on the embedded store each batch is a scan of the
// collection, which such readers already make of the orders.
func (s *Store) channelsOf(ctx context.Context, tokens []string) (map[string]survey.Channel, error) {
	out := make(map[string]survey.Channel)
	for len(tokens) > 0 {
		n := min(len(tokens), channelBatch)
		cur, err := s.db.Collection(colLinkChannels).Find(ctx, bson.M{"_id": bson.M{"$in": tokens[:n]}})
		if err != nil {
			return nil, fmt.Errorf("read link channels: %w", Translate(err))
		}
		var docs []linkChannel
		if err := cur.All(ctx, &docs); err != nil {
			return nil, fmt.Errorf("read link channels: %w", Translate(err))
		}
		for _, d := range docs {
			out[d.Token] = d.Channel.Normal()
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
