package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
)

// ResolveToken finds what a survey token points to. It checks the token's
// shape first; then only lookups by _id: the link (which carries what the
// page shows of its order), the order's changes after the link's Rev
// (usually none), and the structure and the questionnaire from the store's
// caches. The error says the link's state: ErrNotFound, ErrCancelled,
// ErrExpired or ErrAlreadyAnswered (with the context still returned, so
// the page can name the structure).
func (s *Store) ResolveToken(ctx context.Context, token string) (*survey.SurveyContext, error) {
	r, err := s.resolveLink(ctx, token, true)
	if r == nil {
		return nil, err
	}
	sc := r.sc
	st, serr := s.structures.get(sc.Link.StructureID, func() (*survey.Structure, error) {
		var st survey.Structure
		return &st, s.findByID(ctx, colStructures, sc.Link.StructureID, &st)
	})
	if serr != nil {
		return nil, serr
	}
	sc.Structure = *st
	if r.answer != nil {
		if rerr := s.ensureResponse(ctx, r.answer); rerr != nil {
			return nil, rerr
		}
	}
	if r.numberless() && (err == nil || errors.Is(err, survey.ErrExpired)) {
		// An answer from before changes were numbered is told by the
		// response itself (and an answered link may have expired since).
		answered, rerr := s.hasResponse(ctx, sc.Order.ID)
		switch {
		case rerr != nil:
			return nil, rerr
		case answered:
			err = survey.ErrAlreadyAnswered
		}
	}
	if err == nil {
		s.recent.put(sc)
	}
	return sc, err
}

// RecentSurvey returns the open survey context of token as this process
// last resolved it, if it did lately: what a page needs to draw the form
// again while the store is unavailable (ErrUnavailable). Its state may be
// out of date; it never decides anything.
func (s *Store) RecentSurvey(token string) (*survey.SurveyContext, bool) {
	return s.recent.get(token)
}

// resolveLink is ResolveToken without the structure: the link, its order's
// shown fields and its questionnaire, and the state; with follow, the
// order's changes after the link's Rev applied. Submitting does without
// them: its claim, of the change after the link's Rev, fails if there is
// one, and they are read then.
func (s *Store) resolveLink(ctx context.Context, token string, follow bool) (*linkReading, error) {
	if !survey.ValidTokenShape(token) {
		return nil, survey.ErrNotFound
	}
	sc := &survey.SurveyContext{}
	if err := s.findByID(ctx, colLinks, token, &sc.Link); err != nil {
		return nil, err
	}
	q, err := s.FrozenQuestionnaire(ctx, sc.Link.QuestionnaireID)
	if err != nil {
		return nil, err
	}
	sc.Questionnaire = *q
	if lo := sc.Link.Order; lo != nil {
		sc.Order = survey.Order{
			ID: sc.Link.OrderID, StructureID: sc.Link.StructureID, Reference: lo.Reference, ServiceType: sc.Link.ServiceType,
			JobTitle: lo.JobTitle, StartDate: lo.StartDate, EndDate: lo.EndDate,
		}
	} else if err := s.findByID(ctx, colOrders, sc.Link.OrderID, &sc.Order); err != nil {
		return nil, err
	}
	r := &linkReading{sc: sc, seq: sc.Link.Rev}
	if follow {
		changes, err := s.changesAfter(ctx, sc.Link.OrderID, sc.Link.Rev)
		if err != nil {
			return nil, err
		}
		if err := r.follow(changes); err != nil {
			return r, err
		}
	}
	if sc.Link.Order == nil {
		return r, s.orderLinkState(sc)
	}
	return r, s.linkState(&sc.Link)
}

// numberless tells a link issued before changes were numbered, of an order
// with no change since.
func (r *linkReading) numberless() bool { return r.sc.Link.Rev == 0 && r.seq == 0 }

// linkState reads the rest of the state from the link alone, once the
// order's changes after it were read: its copy of a cancel, its expiry.
func (s *Store) linkState(l *survey.SurveyLink) error {
	switch {
	case l.CancelledAt != nil:
		return survey.ErrCancelled
	case !s.Now().Before(l.ExpiresAt):
		return survey.ErrExpired
	}
	return nil
}

// orderLinkState is the state of a link issued before links carried their
// order's fields, read from the link and the order's copy of the survey.
func (s *Store) orderLinkState(sc *survey.SurveyContext) error {
	switch {
	case sc.Order.Survey != nil && sc.Order.Survey.AnsweredAt != nil && sc.Order.Survey.Token == sc.Link.Token:
		return survey.ErrAlreadyAnswered
	case sc.Order.Survey == nil || sc.Order.Survey.Token != sc.Link.Token:
		return survey.ErrCancelled // a re-issued link replaces the old one
	}
	return s.linkState(&sc.Link)
}

// SubmitResponse validates and stores the answer to a link. The answer is
// claimed as the order's next change, then its response is stored (two
// inserts, grouped with concurrent answers): see "One fate per link" in
// order_change.go. A link cancelled, expired or deleted first refuses the
// answer (ErrCancelled, ErrExpired; ErrCancelled for a deleted order); an
// answer first refuses every later one (ErrAlreadyAnswered), as the
// response's _id, the order id, does too; an edit first has the order
// answered as edited.
func (s *Store) SubmitResponse(ctx context.Context, token string, raw map[string]string) (*survey.Response, error) {
	return s.SubmitResponseVia(ctx, token, raw, survey.ChannelLink)
}

// SubmitResponseVia is SubmitResponse for an answer that came through
// channel ch (from the URL the client opened). The response records its
// link's first channel: the one recorded when the link was handed out, or
// ch when it was not (see claimChannel).
func (s *Store) SubmitResponseVia(ctx context.Context, token string, raw map[string]string, ch survey.Channel) (*survey.Response, error) {
	r, err := s.resolveLink(ctx, token, false)
	if err != nil {
		if r != nil && r.answer != nil {
			if rerr := s.ensureResponse(ctx, r.answer); rerr != nil {
				return nil, rerr
			}
		}
		return nil, err
	}
	answers, err := survey.ValidateAnswers(&r.sc.Questionnaire, raw)
	if err != nil {
		return nil, err
	}
	oid := r.sc.Order.ID
	// The response counts under its link's first channel: the one recorded
	// when it was handed out, or else the one the client came through
	// (ch, a hint: ?c=qr on a printed code), recorded now so that the link
	// and its response never disagree. The answer's own change tells the
	// read model.
	if ch, _, err = s.claimChannel(ctx, r.sc.Order.StructureID, oid, token, ch); err != nil {
		return nil, err
	}
	if r.numberless() {
		if answered, err := s.hasResponse(ctx, oid); err != nil || answered {
			if err != nil {
				return nil, fmt.Errorf("check response: %w", Translate(err))
			}
			return nil, survey.ErrAlreadyAnswered
		}
	}
	for attempt := 1; ; attempt++ {
		now := s.Now()
		c := newChange(oid, r.seq+1, changeAnswered, now)
		c.Token, c.Response = token, r.newResponse(answers, now)
		if ch.Normal() != survey.ChannelLink {
			c.Response.Channel = ch.Normal() // the default is left out of the document
		}
		err := s.insertAnswer(ctx, c)
		switch {
		case err == nil:
			// The claim and the response are the answer's only writes. The
			// order's answered_at copy, which serves lists and filters, is
			// set by the refresh of the order's summary (queued while
			// `serve` runs), so that a burst of answers does not also queue
			// for order updates.
			s.recent.forget(token)
			s.changed(ctx, c.Response.StructureID, c.Response.OrderID, c.Response.IssuedAt)
			// Planned reminders are cancelled now, for the order's history;
			// the sender checks the order again before sending anyway.
			if err := s.CancelOrderMessages(ctx, c.Response.StructureID, oid, survey.CancelAnswered); err != nil {
				s.log.Warn("cancel messages after answer", "order", oid, "error", err.Error())
			}
			return c.Response, nil
		case errors.Is(err, errChangeTaken) && attempt < maxClaims:
			// Another change of the order came first: its end, or an edit.
			changes, cerr := s.changesAfter(ctx, oid, r.seq)
			if cerr != nil {
				return nil, cerr
			}
			if ferr := r.follow(changes); ferr != nil {
				if r.answer != nil {
					if rerr := s.ensureResponse(ctx, r.answer); rerr != nil {
						return nil, rerr
					}
				}
				return nil, ferr
			}
			if lerr := s.linkState(&r.sc.Link); lerr != nil {
				return nil, lerr
			}
		case errors.Is(err, errChangeTaken):
			return nil, err
		case errors.Is(Translate(err), survey.ErrConflict):
			// The claim is stored and the order has a response already:
			// this answer's, written from the claim by a change of the
			// order that read it meanwhile (see ensureResponse): the
			// answer stands. Answers from before changes were numbered
			// were checked above.
			s.recent.forget(token)
			s.changed(ctx, c.Response.StructureID, c.Response.OrderID, c.Response.IssuedAt)
			// Planned reminders are cancelled now, for the order's history;
			// the sender checks the order again before sending anyway.
			if err := s.CancelOrderMessages(ctx, c.Response.StructureID, oid, survey.CancelAnswered); err != nil {
				s.log.Warn("cancel messages after answer", "order", oid, "error", err.Error())
			}
			return c.Response, nil
		default:
			// The claim may be stored without its response: the client's
			// retry, or anyone reading the claim, completes it.
			return nil, fmt.Errorf("store response: %w", Translate(err))
		}
	}
}
