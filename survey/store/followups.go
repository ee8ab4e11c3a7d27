package store

import (
	"capsat/survey"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

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
	s.changed(ctx, sid, oid, r.IssuedAt) // the month's ledger carries follow-ups to exports
	return r, nil
}
