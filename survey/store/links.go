package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"time"
)

// IssueSurvey returns the order's live survey link, or issues a new one with
// the questionnaire version frozen at this moment. An answered order keeps
// its answer: issuing again is ErrAlreadyAnswered. Concurrent issues, here
// or in another process, return the same link (see "One fate per link" in
// order_change.go).
func (s *Store) IssueSurvey(ctx context.Context, sid, oid string) (*survey.SurveyLink, error) {
	st, err := s.orderState(ctx, sid, oid)
	if err != nil {
		return nil, err
	}
	// The live link first: sending again must not read the structure and
	// its questionnaires (a scan on the embedded store).
	if l, err := s.liveLink(ctx, st); l != nil || err != nil {
		return l, err
	}
	structure, err := s.Structure(ctx, sid)
	if err != nil {
		return nil, err
	}
	questionnaireFor, err := s.publishedQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	l, _, err := s.issueNew(ctx, st, structure, questionnaireFor)
	return l, err
}

// liveLink returns the order's live link, nil when a new one is needed, or
// ErrAlreadyAnswered. An answer is told by the order's changes, by its
// answered_at copy, or by the response itself (answers from before changes
// were numbered). The link's document is checked too: a cancel from before
// changes were numbered whose order write failed must not hand out a dead
// link.
func (s *Store) liveLink(ctx context.Context, st *orderState) (*survey.SurveyLink, error) {
	o := &st.order
	now := s.Now()
	if err := s.refuseAnswered(ctx, st); err != nil {
		return nil, err
	}
	if o.Survey != nil {
		answered, err := s.hasResponse(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		if answered {
			// The copy trails the answer; a refresh sets it from the
			// response's date (queued again in case a crash lost it).
			s.changed(ctx, o.StructureID, o.ID, o.Survey.IssuedAt)
			return nil, survey.ErrAlreadyAnswered
		}
	}
	if st.status(now) != survey.SurveyIssued {
		return nil, nil
	}
	var l survey.SurveyLink
	err := s.findByID(ctx, colLinks, o.Survey.Token, &l)
	if c := st.issueOf(o.Survey.Token); errors.Is(err, survey.ErrNotFound) && c != nil {
		// Claimed, its document not written yet (by a concurrent issuer,
		// or one that stopped): written here, from the claim.
		l, err = *c.Link, s.insertLink(ctx, c.Link)
	}
	if err == nil && l.CancelledAt == nil && now.Before(l.ExpiresAt) {
		return &l, nil
	}
	return nil, nil
}

// issueNew issues a new link for st's order, which has no live one: it
// claims the issue as the order's next change. When another change was
// claimed first, it reads it and decides again: the link another issuer
// made is returned (not new), an answer or a deletion refuses.
func (s *Store) issueNew(ctx context.Context, st *orderState, structure *survey.Structure, questionnaireFor func(survey.ServiceType) (*survey.Questionnaire, error)) (*survey.SurveyLink, bool, error) {
	for attempt := 1; ; attempt++ {
		q, err := questionnaireFor(st.order.ServiceType)
		if err != nil {
			return nil, false, err
		}
		c := st.next(changeIssued, s.Now())
		c.Link = newLink(&st.order, structure, q, c)
		c.Token = c.Link.Token
		err = s.claimChange(ctx, c)
		if retry, err := s.lostClaim(ctx, st, err, attempt); err != nil {
			return nil, false, err
		} else if retry {
			if l, err := s.liveLink(ctx, st); l != nil || err != nil {
				return l, false, err // the winner's link
			}
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("issue survey: %w", Translate(err))
		}
		st.apply(c)
		if err := s.settle(ctx, st); err != nil {
			return nil, false, err
		}
		return c.Link, true, nil
	}
}

// newLink is the link that change c issues for order o with questionnaire q.
func newLink(o *survey.Order, st *survey.Structure, q *survey.Questionnaire, c *orderChange) *survey.SurveyLink {
	days := st.Settings.SurveyExpiryDays
	if days <= 0 {
		days = survey.DefaultSurveyExpiryDays
	}
	return &survey.SurveyLink{
		Token: survey.NewToken(), StructureID: o.StructureID, OrderID: o.ID, QuestionnaireID: q.ID,
		ServiceType: o.ServiceType, IssuedAt: c.At, ExpiresAt: c.At.AddDate(0, 0, days), Order: survey.NewLinkOrder(o),
		Rev: c.Seq,
	}
}

// CancelSurvey cancels the order's live link; the link stops working at
// once. Cancelling a cancelled link does nothing; an answered one is
// ErrAlreadyAnswered, also when the answer and the cancel race (see "One
// fate per link" in order_change.go).
func (s *Store) CancelSurvey(ctx context.Context, sid, oid string) error {
	st, err := s.orderState(ctx, sid, oid)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		if err := s.refuseAnswered(ctx, st); err != nil {
			return err
		}
		now := s.Now()
		switch st.status(now) {
		case survey.SurveyNotIssued:
			return survey.Conflict("Aucun questionnaire n'a été envoyé pour ce bon de commande : il n'y a rien à annuler.")
		case survey.SurveyCancelled:
			return nil
		}
		if answered, err := s.hasResponse(ctx, oid); err != nil || answered {
			if err != nil {
				return fmt.Errorf("cancel survey: %w", Translate(err))
			}
			return survey.ErrAlreadyAnswered // an answer from before changes were numbered
		}
		c := st.next(changeCancelled, now)
		c.Token = st.order.Survey.Token
		err := s.claimChange(ctx, c)
		if retry, err := s.lostClaim(ctx, st, err, attempt); err != nil {
			return err
		} else if retry {
			continue
		}
		if err != nil {
			return fmt.Errorf("cancel survey: %w", Translate(err))
		}
		st.apply(c)
		return s.settle(ctx, st)
	}
}

// MarkAnswered writes the order's answered_at copy (the read model does,
// from the response's date), holding a write slot (AcquireWrite).
func (s *Store) MarkAnswered(ctx context.Context, oid string, at time.Time) error {
	return s.markAnswered(ctx, oid, at)
}

func (s *Store) issueOne(ctx context.Context, st *orderState, structure *survey.Structure, questionnaireFor func(survey.ServiceType) (*survey.Questionnaire, error)) (*survey.SurveyLink, bool, error) {
	if l, err := s.liveLink(ctx, st); l != nil || err != nil {
		return l, false, err
	}
	return s.issueNew(ctx, st, structure, questionnaireFor)
}
