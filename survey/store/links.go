package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// IssueSurvey returns the order's live survey link, or issues a new one with
// the questionnaire version frozen at this moment. An answered order keeps
// its answer: issuing again is ErrAlreadyAnswered.
func (s *Store) IssueSurvey(ctx context.Context, sid, oid string) (*survey.SurveyLink, error) {
	o, err := s.Order(ctx, sid, oid)
	if err != nil {
		return nil, err
	}
	// The live link first: sending again must not read the structure and
	// its questionnaires (a scan on the embedded store).
	if l, err := s.liveLink(ctx, o); l != nil || err != nil {
		return l, err
	}
	st, err := s.Structure(ctx, sid)
	if err != nil {
		return nil, err
	}
	questionnaireFor, err := s.publishedQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	l, _, err := s.issueNew(ctx, o, st, questionnaireFor)
	return l, err
}

// liveLink returns the order's live link, nil when a new one is needed, or
// ErrAlreadyAnswered. The link itself is checked too: a cancel whose order
// write failed must not hand out a dead link. An answer whose answered_at
// copy is not written yet (it trails the answer) is caught by the response
// itself, before a live link is handed out or a new one made.
func (s *Store) liveLink(ctx context.Context, o *survey.Order) (*survey.SurveyLink, error) {
	now := s.Now()
	if o.SurveyStatusAt(now) == survey.SurveyAnswered {
		return nil, survey.ErrAlreadyAnswered
	}
	if o.Survey != nil {
		answered, err := s.hasResponse(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		if answered {
			// The copy trails the answer; a refresh sets it from the
			// response's date (queued again in case a crash lost it).
			s.changed(ctx, o.StructureID, o.Survey.IssuedAt)
			return nil, survey.ErrAlreadyAnswered
		}
	}
	if o.SurveyStatusAt(now) == survey.SurveyIssued {
		var l survey.SurveyLink
		if err := s.findByID(ctx, colLinks, o.Survey.Token, &l); err == nil && l.CancelledAt == nil && now.Before(l.ExpiresAt) {
			return &l, nil
		}
	}
	return nil, nil
}

// newLink issues a link for o with questionnaire q and records it on the
// order, the link's token appended to the order's list in the same write.
func (s *Store) newLink(ctx context.Context, o *survey.Order, st *survey.Structure, q *survey.Questionnaire) (*survey.SurveyLink, error) {
	now := s.Now()
	days := st.Settings.SurveyExpiryDays
	if days <= 0 {
		days = survey.DefaultSurveyExpiryDays
	}
	l := &survey.SurveyLink{
		Token: survey.NewToken(), StructureID: o.StructureID, OrderID: o.ID, QuestionnaireID: q.ID,
		ServiceType: o.ServiceType, IssuedAt: now, ExpiresAt: now.AddDate(0, 0, days), Order: survey.NewLinkOrder(o),
	}
	if _, err := s.db.Collection(colLinks).InsertOne(ctx, l); err != nil {
		return nil, fmt.Errorf("issue survey: %w", Translate(err))
	}
	live := survey.OrderSurvey{Token: l.Token, QuestionnaireID: q.ID, IssuedAt: now, ExpiresAt: l.ExpiresAt}
	update := bson.M{"$set": bson.M{"survey": live, "updated_at": now}, "$push": bson.M{"link_tokens": l.Token}}
	if _, err := s.db.Collection(colOrders).UpdateOne(ctx, bson.M{"_id": o.ID}, update); err != nil {
		s.deleteIDs(ctx, colLinks, []any{l.Token})
		return nil, fmt.Errorf("issue survey: %w", Translate(err))
	}
	previous := o.Survey
	o.Survey, o.LinkTokens, o.UpdatedAt = &live, append(o.LinkTokens, l.Token), now
	if previous != nil && survey.SummaryMonth(previous.IssuedAt) != survey.SummaryMonth(now) {
		s.changed(ctx, o.StructureID, previous.IssuedAt) // the order left its old cohort
	}
	s.changed(ctx, o.StructureID, now)
	return l, nil
}

// CancelSurvey cancels the order's live link; the link stops working at once.
func (s *Store) CancelSurvey(ctx context.Context, sid, oid string) error {
	o, err := s.Order(ctx, sid, oid)
	if err != nil {
		return err
	}
	now := s.Now()
	switch o.SurveyStatusAt(now) {
	case survey.SurveyNotIssued:
		return survey.Conflict("Aucun questionnaire n'a été envoyé pour ce bon de commande : il n'y a rien à annuler.")
	case survey.SurveyAnswered:
		return survey.ErrAlreadyAnswered
	case survey.SurveyCancelled:
		return nil
	}
	if answered, err := s.hasResponse(ctx, o.ID); err != nil || answered {
		if err != nil {
			return fmt.Errorf("cancel survey: %w", Translate(err))
		}
		return survey.ErrAlreadyAnswered // the order's copy has not caught up yet
	}
	if _, err := s.db.Collection(colLinks).UpdateOne(ctx, bson.M{"_id": o.Survey.Token}, bson.M{"$set": bson.M{"cancelled_at": now}}); err != nil {
		return fmt.Errorf("cancel survey: %w", Translate(err))
	}
	if _, err := s.db.Collection(colOrders).UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": bson.M{"survey.cancelled_at": now, "updated_at": now}}); err != nil {
		return fmt.Errorf("cancel survey: %w", Translate(err))
	}
	s.changed(ctx, sid, o.Survey.IssuedAt)
	return nil
}

// ResolveToken finds what a survey token points to. It checks the token's
// shape first; then only lookups by _id: the link (which carries what the
// page shows of its order), the response, and the structure and the
// questionnaire from the store's caches. The error says the link's state:
// ErrNotFound, ErrCancelled, ErrExpired or ErrAlreadyAnswered (with the
// context still returned, so the page can name the structure).
func (s *Store) ResolveToken(ctx context.Context, token string) (*survey.SurveyContext, error) {
	sc, err := s.resolveLink(ctx, token)
	if sc == nil {
		return nil, err
	}
	st, serr := s.structures.get(sc.Link.StructureID, func() (*survey.Structure, error) {
		var st survey.Structure
		return &st, s.findByID(ctx, colStructures, sc.Link.StructureID, &st)
	})
	if serr != nil {
		return nil, serr
	}
	sc.Structure = *st
	if err == nil || errors.Is(err, survey.ErrExpired) {
		// The order's answered_at copy trails the answer (see
		// SubmitResponse), and an answered link may have expired since:
		// the response itself tells.
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

// resolveLink is ResolveToken without the structure and the response,
// which submitting does not need (its insert is the answered check): the
// link, its order's shown fields and its questionnaire, and the state.
func (s *Store) resolveLink(ctx context.Context, token string) (*survey.SurveyContext, error) {
	if !survey.ValidTokenShape(token) {
		return nil, survey.ErrNotFound
	}
	var sc survey.SurveyContext
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
		return &sc, s.linkState(&sc.Link)
	}
	if err := s.findByID(ctx, colOrders, sc.Link.OrderID, &sc.Order); err != nil {
		return nil, err
	}
	return &sc, s.orderLinkState(&sc)
}

// linkState reads the state from the link alone. A link is only replaced
// once cancelled or expired, and cancelling writes the link first, so the
// link knows whether it is still open; whether it was answered is the
// response's to tell.
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

// SubmitResponse validates and stores the answer to a link in one write.
// The response's _id is the order id, so a second submission, however it
// races with the first, is refused by the store: ErrAlreadyAnswered.
func (s *Store) SubmitResponse(ctx context.Context, token string, raw map[string]string) (*survey.Response, error) {
	sc, err := s.resolveLink(ctx, token)
	if err != nil {
		return nil, err
	}
	answers, err := survey.ValidateAnswers(&sc.Questionnaire, raw)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	r := &survey.Response{
		OrderID: sc.Order.ID, StructureID: sc.Order.StructureID, OrderReference: sc.Order.Reference,
		ServiceType: sc.Order.ServiceType, JobTitle: sc.Order.JobTitle,
		QuestionnaireID: sc.Questionnaire.ID, QuestionnaireFamily: sc.Questionnaire.FamilyID,
		QuestionnaireVersion: sc.Questionnaire.Version, IssuedAt: sc.Link.IssuedAt, SubmittedAt: now,
		Answers: answers, Flagged: survey.IsDissatisfied(&sc.Questionnaire, answers),
	}
	if err := s.insertResponse(ctx, r); err != nil {
		if errors.Is(Translate(err), survey.ErrConflict) {
			// The first answer's refresh sets the order's copy, from the
			// response's own date; queued again in case a crash lost it.
			s.changed(ctx, sc.Order.StructureID, sc.Link.IssuedAt)
			return nil, survey.ErrAlreadyAnswered
		}
		return nil, fmt.Errorf("store response: %w", Translate(err))
	}
	// The response is the source of truth and the answer's only write. The
	// order's answered_at copy, which serves lists and filters, is set by
	// the refresh of the order's summary (queued while `serve` runs), so
	// that a burst of answers does not also queue for order updates.
	s.recent.forget(token)
	s.changed(ctx, r.StructureID, r.IssuedAt)
	return r, nil
}

func (s *Store) MarkAnswered(ctx context.Context, oid string, at time.Time) error {
	_, err := s.db.Collection(colOrders).UpdateOne(ctx, bson.M{"_id": oid}, bson.M{"$set": bson.M{"survey.answered_at": at, "updated_at": at}})
	return Translate(err)
}

func (s *Store) issueOne(ctx context.Context, o *survey.Order, st *survey.Structure, questionnaireFor func(survey.ServiceType) (*survey.Questionnaire, error)) (*survey.SurveyLink, bool, error) {
	if l, err := s.liveLink(ctx, o); l != nil || err != nil {
		return l, false, err
	}
	return s.issueNew(ctx, o, st, questionnaireFor)
}

// issueNew issues a new link for o, which has no live one.
func (s *Store) issueNew(ctx context.Context, o *survey.Order, st *survey.Structure, questionnaireFor func(survey.ServiceType) (*survey.Questionnaire, error)) (*survey.SurveyLink, bool, error) {
	q, err := questionnaireFor(o.ServiceType)
	if err != nil {
		return nil, false, err
	}
	l, err := s.newLink(ctx, o, st, q)
	return l, err == nil, err
}
