package survey

import (
	"context"
	"errors"
	"fmt"
)

// MaxBatchIssue caps the orders one batch issue may touch, so that one
// request stays within a reasonable time; a larger selection must be narrowed.
const MaxBatchIssue = 5000

// IssuedLink is the link of one order in a batch issue.
type IssuedLink struct {
	OrderID   string
	Reference string
	Link      SurveyLink
	New       bool // false when the live link was returned
}

// BatchIssueFailure is an order a batch issue could not give a link to.
type BatchIssueFailure struct {
	OrderID   string `json:"order_id"`
	Reference string `json:"reference"`
	Message   string `json:"message"`
}

// BatchIssueResult tells what a batch issue did.
type BatchIssueResult struct {
	Matched  int
	Issued   int // new links
	Existing int // live links returned as they were
	Links    []IssuedLink
	Failures []BatchIssueFailure
}

// IssueSurveys gives a survey link to every order of the structure matching
// f (pages ignored). Without a status, only orders never issued are taken:
// re-issuing cancelled or expired links must be asked for explicitly, and
// answered orders never get a new link. The structure and its published
// questionnaires are read once for the whole batch.
func (s *Store) IssueSurveys(ctx context.Context, sid string, f OrderFilter) (*BatchIssueResult, error) {
	if f.Status == "" {
		f.Status = SurveyNotIssued
	}
	if err := s.validate.OrderFilter(&f); err != nil {
		return nil, err
	}
	if f.Status == SurveyAnswered {
		return nil, Invalid("status", "answered", "Un bon de commande déjà répondu ne reçoit pas de nouveau questionnaire.")
	}
	orders, err := s.matchingOrders(ctx, sid, f)
	if err != nil {
		return nil, err
	}
	if len(orders) > MaxBatchIssue {
		return nil, Invalid("filter", "too_many", fmt.Sprintf("%d bons de commande correspondent : précisez le filtre (%d au plus par envoi).", len(orders), MaxBatchIssue))
	}
	st, err := s.Structure(ctx, sid)
	if err != nil {
		return nil, err
	}
	questionnaireFor, err := s.publishedQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	res := &BatchIssueResult{Matched: len(orders), Links: []IssuedLink{}, Failures: []BatchIssueFailure{}}
	for i := range orders {
		o := &orders[i]
		l, isNew, err := s.issueOne(ctx, o, st, questionnaireFor)
		if err != nil {
			if !errors.Is(err, ErrAlreadyAnswered) && !errors.Is(err, ErrConflict) {
				return res, fmt.Errorf("batch issue at order %s: %w", o.ID, err)
			}
			res.Failures = append(res.Failures, BatchIssueFailure{OrderID: o.ID, Reference: o.Reference, Message: batchFailureMessage(err)})
			continue
		}
		if isNew {
			res.Issued++
		} else {
			res.Existing++
		}
		res.Links = append(res.Links, IssuedLink{OrderID: o.ID, Reference: o.Reference, Link: *l, New: isNew})
	}
	return res, nil
}

func (s *Store) issueOne(ctx context.Context, o *Order, st *Structure, questionnaireFor func(ServiceType) (*Questionnaire, error)) (*SurveyLink, bool, error) {
	if l, err := s.liveLink(ctx, o); l != nil || err != nil {
		return l, false, err
	}
	return s.issueNew(ctx, o, st, questionnaireFor)
}

// issueNew issues a new link for o, which has no live one.
func (s *Store) issueNew(ctx context.Context, o *Order, st *Structure, questionnaireFor func(ServiceType) (*Questionnaire, error)) (*SurveyLink, bool, error) {
	q, err := questionnaireFor(o.ServiceType)
	if err != nil {
		return nil, false, err
	}
	l, err := s.newLink(ctx, o, st, q)
	return l, err == nil, err
}

func batchFailureMessage(err error) string {
	var conflict *ConflictError
	switch {
	case errors.Is(err, ErrAlreadyAnswered):
		return "Ce bon de commande a déjà reçu une réponse."
	case errors.As(err, &conflict) && conflict.Message != "":
		return conflict.Message
	}
	return "Aucun questionnaire publié pour ce type de prestation."
}

// publishedQuestionnaires reads the structure's questionnaires once and
// answers PublishedQuestionnaireFor's question for each service type.
func (s *Store) publishedQuestionnaires(ctx context.Context, sid string) (func(ServiceType) (*Questionnaire, error), error) {
	qs, err := s.ListQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	return func(st ServiceType) (*Questionnaire, error) { return latestPublished(qs, st) }, nil
}
