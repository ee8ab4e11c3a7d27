package store

import (
	"capsat/survey"
	"context"
	"errors"
)

// OrderHistory lists what happened to order oid of structure sid, oldest
// first, from its claimed changes (read by _id, see order_change.go).
// Orders whose link predates numbered changes tell their story from their
// copy: the current link's issue, cancellation or answer.
func (s *Store) OrderHistory(ctx context.Context, sid, oid string) ([]survey.OrderEvent, error) {
	st, err := s.orderState(ctx, sid, oid)
	if err != nil {
		return nil, err
	}
	changes, err := s.changesAfter(ctx, oid, 0)
	if err != nil {
		return nil, err
	}
	var out []survey.OrderEvent
	issued := false
	for _, c := range changes {
		switch c.Kind {
		case changeIssued:
			e := survey.OrderEvent{Kind: survey.EventIssued, At: c.At}
			if c.Link != nil {
				e.At, e.ExpiresAt = c.Link.IssuedAt, c.Link.ExpiresAt
			}
			if issued {
				e.Kind = survey.EventReissued
			}
			issued = true
			out = append(out, e)
		case changeCancelled:
			out = append(out, survey.OrderEvent{Kind: survey.EventCancelled, At: c.At})
		case changeAnswered:
			e := survey.OrderEvent{Kind: survey.EventAnswered, At: c.At}
			if c.Response != nil {
				e.At = c.Response.SubmittedAt
			}
			out = append(out, e)
		case changeEdited:
			out = append(out, survey.OrderEvent{Kind: survey.EventEdited, At: c.At})
		}
	}
	if len(out) == 0 && st.order.Survey != nil {
		sv := st.order.Survey
		out = append(out, survey.OrderEvent{Kind: survey.EventIssued, At: sv.IssuedAt, ExpiresAt: sv.ExpiresAt})
		if sv.CancelledAt != nil {
			out = append(out, survey.OrderEvent{Kind: survey.EventCancelled, At: *sv.CancelledAt})
		}
		if sv.AnsweredAt != nil {
			out = append(out, survey.OrderEvent{Kind: survey.EventAnswered, At: *sv.AnsweredAt})
		}
	}
	return out, nil
}

// IssueSurveysFor gives a survey link to each order of sid named in oids
// (at most survey.MaxSelection), read by _id: an order with a live link
// keeps it, an answered one is listed among the failures, another
// structure's order or an unknown id is refused as not found.
func (s *Store) IssueSurveysFor(ctx context.Context, sid string, oids []string) (*survey.BatchIssueResult, error) {
	if len(oids) == 0 {
		return nil, survey.Invalid("oid", "required", "Cochez au moins un bon de commande.")
	}
	if len(oids) > survey.MaxSelection {
		return nil, survey.Invalid("oid", "too_many", "Sélectionnez au plus 200 bons de commande à la fois.")
	}
	st, err := s.Structure(ctx, sid)
	if err != nil {
		return nil, err
	}
	questionnaireFor, err := s.publishedQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	res := &survey.BatchIssueResult{Links: []survey.IssuedLink{}, Failures: []survey.BatchIssueFailure{}}
	seen := map[string]bool{}
	for _, oid := range oids {
		if seen[oid] {
			continue
		}
		seen[oid] = true
		o, err := s.Order(ctx, sid, oid)
		if err != nil {
			return res, err
		}
		res.Matched++
		l, isNew, err := s.issueFor(ctx, o, st, questionnaireFor)
		if err != nil {
			if !isBatchRefusal(err) {
				return res, err
			}
			res.Failures = append(res.Failures, survey.BatchIssueFailure{OrderID: o.ID, Reference: o.Reference, Message: batchFailureMessage(err)})
			continue
		}
		if isNew {
			res.Issued++
		} else {
			res.Existing++
		}
		res.Links = append(res.Links, survey.IssuedLink{OrderID: o.ID, Reference: o.Reference, Link: *l, New: isNew})
	}
	return res, nil
}

// isBatchRefusal tells an order refused its link (answered, no published
// questionnaire, changed meanwhile) from a store fault that stops the batch.
func isBatchRefusal(err error) bool {
	return errors.Is(err, survey.ErrAlreadyAnswered) || errors.Is(err, survey.ErrConflict)
}
