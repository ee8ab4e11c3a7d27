package store

import (
	"capsat/survey"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ListFollowUps returns the flagged (dissatisfied) responses of structure
// sid, newest answer first: the follow-up list, open and closed items.
func (s *Store) ListFollowUps(ctx context.Context, sid string) ([]survey.Response, error) {
	opts := options.Find().SetSort(bson.D{{Key: "submitted_at", Value: -1}, {Key: "_id", Value: -1}})
	cur, err := s.db.Collection(colResponses).Find(ctx, bson.M{"structure_id": sid, "flagged": true}, opts)
	if err != nil {
		return nil, fmt.Errorf("list follow-ups: %w", Translate(err))
	}
	out := []survey.Response{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list follow-ups: %w", Translate(err))
	}
	return out, nil
}

// CountOpenFollowUps counts the flagged responses of sid not closed yet.
// It counts in the store (see Response.Open) rather than decoding every
// flagged response with its answers.
func (s *Store) CountOpenFollowUps(ctx context.Context, sid string) (int, error) {
	n, err := s.db.Collection(colResponses).CountDocuments(ctx, bson.M{
		"structure_id": sid, "flagged": true, "follow_up.closed_at": bson.M{"$exists": false},
	})
	if err != nil {
		return 0, fmt.Errorf("count open follow-ups: %w", Translate(err))
	}
	return int(n), nil
}

// RecordFollowUp records the action taken about the flagged response to
// order oid of structure sid and, when close is set, closes the item in
// the name of by. An unflagged response or another structure's is
// ErrNotFound; an empty or too long action is a validation error.
func (s *Store) RecordFollowUp(ctx context.Context, sid, oid, action string, close bool, by string) (*survey.Response, error) {
	action, msg := survey.CleanText(strings.TrimSpace(action), true)
	switch {
	case msg != "":
		return nil, survey.Invalid("action", survey.CodeInvalidChar, msg)
	case action == "":
		return nil, survey.Invalid("action", "required", "Décrivez l'action menée auprès du client.")
	case utf8.RuneCountInString(action) > survey.FollowUpActionMaxLen:
		return nil, survey.Invalid("action", "max", fmt.Sprintf("L'action menée ne peut pas dépasser %d caractères.", survey.FollowUpActionMaxLen))
	}
	r, err := s.Response(ctx, sid, oid)
	if err != nil {
		return nil, err
	}
	if !r.Flagged {
		return nil, survey.ErrNotFound
	}
	now := s.Now()
	fu := &survey.FollowUp{Action: action, Updated: now}
	if close {
		fu.ClosedAt, fu.ClosedBy = &now, by
	}
	if _, err := s.db.Collection(colResponses).UpdateOne(ctx, bson.M{"_id": oid}, bson.M{"$set": bson.M{"follow_up": fu}}); err != nil {
		return nil, fmt.Errorf("record follow-up: %w", Translate(err))
	}
	r.FollowUp = fu
	s.changed(ctx, sid, r.IssuedAt) // the month's ledger carries follow-ups to exports
	return r, nil
}
