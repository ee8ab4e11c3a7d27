package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
)

// IssueSurveys gives a survey link to every order of the structure matching
// f (pages ignored). Without a status, only orders never issued are taken:
// re-issuing cancelled or expired links must be asked for explicitly, and
// answered orders never get a new link. The structure and its published
// questionnaires are read once for the whole batch.
func (s *Store) IssueSurveys(ctx context.Context, sid string, f survey.OrderFilter) (*survey.BatchIssueResult, error) {
	if f.Status == "" {
		f.Status = survey.SurveyNotIssued
	}
	if err := s.validate.OrderFilter(&f); err != nil {
		return nil, err
	}
	if f.Status == survey.SurveyAnswered {
		return nil, survey.Invalid("status", "answered", "Un bon de commande déjà répondu ne reçoit pas de nouveau questionnaire.")
	}
	orders, err := s.matchingOrders(ctx, sid, f)
	if err != nil {
		return nil, err
	}
	if len(orders) > survey.MaxBatchIssue {
		return nil, survey.Invalid("filter", "too_many", fmt.Sprintf("%d bons de commande correspondent : précisez le filtre (%d au plus par envoi).", len(orders), survey.MaxBatchIssue))
	}
	st, err := s.Structure(ctx, sid)
	if err != nil {
		return nil, err
	}
	questionnaireFor, err := s.publishedQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	res := &survey.BatchIssueResult{Matched: len(orders), Links: []survey.IssuedLink{}, Failures: []survey.BatchIssueFailure{}}
	for i := range orders {
		o := &orders[i]
		l, isNew, err := s.issueFor(ctx, o, st, questionnaireFor)
		if err != nil {
			if !errors.Is(err, survey.ErrAlreadyAnswered) && !errors.Is(err, survey.ErrConflict) {
				return res, fmt.Errorf("batch issue at order %s: %w", o.ID, Translate(err))
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

// issueFor is issueOne for order o as listed: the changes its document does
// not show yet are read first.
func (s *Store) issueFor(ctx context.Context, o *survey.Order, st *survey.Structure, questionnaireFor func(survey.ServiceType) (*survey.Questionnaire, error)) (*survey.SurveyLink, bool, error) {
	state, err := s.stateOf(ctx, o)
	var l *survey.SurveyLink
	isNew := false
	if err == nil {
		l, isNew, err = s.issueOne(ctx, state, st, questionnaireFor)
	}
	if errors.Is(err, survey.ErrNotFound) {
		err = survey.Conflict("Ce bon de commande a été supprimé entre-temps.") // since it was listed
	}
	return l, isNew, err
}

func batchFailureMessage(err error) string {
	var conflict *survey.ConflictError
	switch {
	case errors.Is(err, survey.ErrAlreadyAnswered):
		return "Ce bon de commande a déjà reçu une réponse."
	case errors.As(err, &conflict) && conflict.Message != "":
		return conflict.Message
	}
	return "Aucun questionnaire publié pour ce type de prestation."
}
