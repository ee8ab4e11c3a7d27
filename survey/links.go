package survey

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// IssueSurvey returns the order's live survey link, or issues a new one with
// the questionnaire version frozen at this moment. An answered order keeps
// its answer: issuing again is ErrAlreadyAnswered.
func (s *Store) IssueSurvey(ctx context.Context, sid, oid string) (*SurveyLink, error) {
	o, err := s.Order(ctx, sid, oid)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	switch o.SurveyStatusAt(now) {
	case SurveyAnswered:
		return nil, ErrAlreadyAnswered
	case SurveyIssued:
		var l SurveyLink
		if err := s.findByID(ctx, colLinks, o.Survey.Token, &l); err == nil {
			return &l, nil
		}
	}
	st, err := s.Structure(ctx, sid)
	if err != nil {
		return nil, err
	}
	q, err := s.PublishedQuestionnaireFor(ctx, sid, o.ServiceType)
	if err != nil {
		return nil, err
	}
	days := st.Settings.SurveyExpiryDays
	if days <= 0 {
		days = DefaultSurveyExpiryDays
	}
	l := &SurveyLink{
		Token: NewToken(), StructureID: sid, OrderID: o.ID, QuestionnaireID: q.ID,
		ServiceType: o.ServiceType, IssuedAt: now, ExpiresAt: now.AddDate(0, 0, days),
	}
	if _, err := s.db.Collection(colLinks).InsertOne(ctx, l); err != nil {
		return nil, fmt.Errorf("issue survey: %w", translate(err))
	}
	survey := OrderSurvey{Token: l.Token, QuestionnaireID: q.ID, IssuedAt: now, ExpiresAt: l.ExpiresAt}
	if _, err := s.db.Collection(colOrders).UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": bson.M{"survey": survey, "updated_at": now}}); err != nil {
		s.deleteIDs(ctx, colLinks, []any{l.Token})
		return nil, fmt.Errorf("issue survey: %w", translate(err))
	}
	if o.Survey != nil && SummaryMonth(o.Survey.IssuedAt) != SummaryMonth(now) {
		s.refreshAfterChange(ctx, sid, o.Survey.IssuedAt) // the order left its old cohort
	}
	s.refreshAfterChange(ctx, sid, now)
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
	case SurveyNotIssued:
		return fmt.Errorf("%w: no survey issued", ErrConflict)
	case SurveyAnswered:
		return ErrAlreadyAnswered
	case SurveyCancelled:
		return nil
	}
	if _, err := s.db.Collection(colLinks).UpdateOne(ctx, bson.M{"_id": o.Survey.Token}, bson.M{"$set": bson.M{"cancelled_at": now}}); err != nil {
		return fmt.Errorf("cancel survey: %w", translate(err))
	}
	if _, err := s.db.Collection(colOrders).UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": bson.M{"survey.cancelled_at": now, "updated_at": now}}); err != nil {
		return fmt.Errorf("cancel survey: %w", translate(err))
	}
	s.refreshAfterChange(ctx, sid, o.Survey.IssuedAt)
	return nil
}

// SurveyContext is everything the public page needs to show a link.
type SurveyContext struct {
	Link          SurveyLink
	Order         Order
	Structure     Structure
	Questionnaire Questionnaire
}

// ResolveToken finds what a survey token points to. It checks the token's
// shape first; then only lookups by _id. The error says the link's state:
// ErrNotFound, ErrCancelled, ErrExpired or ErrAlreadyAnswered (with the
// context still returned, so the page can name the structure).
func (s *Store) ResolveToken(ctx context.Context, token string) (*SurveyContext, error) {
	if !ValidTokenShape(token) {
		return nil, ErrNotFound
	}
	var sc SurveyContext
	if err := s.findByID(ctx, colLinks, token, &sc.Link); err != nil {
		return nil, err
	}
	if err := s.findByID(ctx, colOrders, sc.Link.OrderID, &sc.Order); err != nil {
		return nil, err
	}
	if err := s.findByID(ctx, colStructures, sc.Link.StructureID, &sc.Structure); err != nil {
		return nil, err
	}
	if err := s.findByID(ctx, colQuestionnaires, sc.Link.QuestionnaireID, &sc.Questionnaire); err != nil {
		return nil, err
	}
	return &sc, s.linkState(ctx, &sc)
}

func (s *Store) linkState(ctx context.Context, sc *SurveyContext) error {
	answered, err := s.hasResponse(ctx, sc.Order.ID)
	if err != nil {
		return err
	}
	switch {
	case answered:
		if sc.Order.Survey != nil && sc.Order.Survey.AnsweredAt == nil {
			_ = s.markAnswered(ctx, sc.Order.ID, s.Now()) // repair a copy a crash left behind
		}
		return ErrAlreadyAnswered
	case sc.Link.CancelledAt != nil || sc.Order.Survey == nil || sc.Order.Survey.Token != sc.Link.Token:
		// A re-issued link replaces the old one: the old token stops working.
		return ErrCancelled
	case !s.Now().Before(sc.Link.ExpiresAt):
		return ErrExpired
	}
	return nil
}

func (s *Store) hasResponse(ctx context.Context, oid string) (bool, error) {
	var r struct {
		ID string `bson:"_id"`
	}
	err := s.findByID(ctx, colResponses, oid, &r)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// SubmitResponse validates and stores the answer to a link in one write.
// The response's _id is the order id, so a second submission, however it
// races with the first, is refused by the store: ErrAlreadyAnswered.
func (s *Store) SubmitResponse(ctx context.Context, token string, raw map[string]string) (*Response, error) {
	sc, err := s.ResolveToken(ctx, token)
	if err != nil {
		return nil, err
	}
	answers, err := ValidateAnswers(&sc.Questionnaire, raw)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	r := &Response{
		OrderID: sc.Order.ID, StructureID: sc.Order.StructureID, OrderReference: sc.Order.Reference,
		ServiceType: sc.Order.ServiceType, JobTitle: sc.Order.JobTitle,
		QuestionnaireID: sc.Questionnaire.ID, QuestionnaireFamily: sc.Questionnaire.FamilyID,
		QuestionnaireVersion: sc.Questionnaire.Version, IssuedAt: sc.Link.IssuedAt, SubmittedAt: now,
		Answers: answers, Flagged: IsDissatisfied(&sc.Questionnaire, answers),
	}
	if _, err := s.db.Collection(colResponses).InsertOne(ctx, r); err != nil {
		if errors.Is(translate(err), ErrConflict) {
			return nil, ErrAlreadyAnswered
		}
		return nil, fmt.Errorf("store response: %w", err)
	}
	// The response is the source of truth; the order's copy serves lists and
	// filters. A failure here is repaired when the token is next resolved.
	_ = s.markAnswered(ctx, sc.Order.ID, now)
	s.refreshAfterChange(ctx, r.StructureID, r.IssuedAt)
	return r, nil
}

func (s *Store) markAnswered(ctx context.Context, oid string, at time.Time) error {
	_, err := s.db.Collection(colOrders).UpdateOne(ctx, bson.M{"_id": oid}, bson.M{"$set": bson.M{"survey.answered_at": at, "updated_at": at}})
	return translate(err)
}

// Response returns the response to an order of structure sid.
func (s *Store) Response(ctx context.Context, sid, oid string) (*Response, error) {
	var r Response
	if err := s.findByID(ctx, colResponses, oid, &r); err != nil {
		return nil, err
	}
	if r.StructureID != sid {
		return nil, ErrNotFound
	}
	return &r, nil
}
