package store

import (
	"capsat/survey"
	"time"
)

// linkReading is a survey link as its order's changes leave it: what its
// page shows, the number of the order's last change read (an answer is
// claimed as the one after it) and, once answered, the answer.
type linkReading struct {
	sc     *survey.SurveyContext
	seq    int
	answer *orderChange
}

// follow applies the order's changes read after the link's Rev and tells
// the link's state if one of them ended it (see "One fate per link" in
// order_change.go): answered, cancelled, deleted with its order (told as
// cancelled: the structure withdrew it), or replaced by a new link, which
// is issued only once it had been cancelled or had expired. An edit
// changes what the page shows.
func (r *linkReading) follow(changes []orderChange) error {
	token := r.sc.Link.Token
	for i := range changes {
		c := &changes[i]
		r.seq = c.Seq
		switch c.Kind {
		case changeEdited:
			c.Fields.showOn(r.sc)
		case changeAnswered:
			if c.Token == token {
				r.answer = c
				return survey.ErrAlreadyAnswered
			}
			return r.replaced()
		case changeCancelled:
			if c.Token == token {
				return survey.ErrCancelled
			}
			return r.replaced()
		case changeDeleted:
			return survey.ErrCancelled
		case changeIssued:
			if c.Token != token {
				return r.replaced()
			}
		}
	}
	return nil
}

// replaced is the state of a link another one followed: it had been
// cancelled (said by its copy, or by a cancel from before changes were
// numbered) or it had expired.
func (r *linkReading) replaced() error {
	if r.sc.Link.CancelledAt != nil {
		return survey.ErrCancelled
	}
	return survey.ErrExpired
}

// showOn puts the edited fields where the survey page reads them: the
// order shown and the link's copy (when the link has one).
func (f *orderFields) showOn(sc *survey.SurveyContext) {
	o := &sc.Order
	o.Reference, o.JobTitle, o.StartDate, o.EndDate = f.Reference, f.JobTitle, f.StartDate, f.EndDate
	if sc.Link.Order != nil {
		sc.Link.Order = f.linkOrder()
	}
}

// linkOrder is the link's copy of the edited fields.
func (f *orderFields) linkOrder() *survey.LinkOrder {
	return &survey.LinkOrder{Reference: f.Reference, JobTitle: f.JobTitle, StartDate: f.StartDate, EndDate: f.EndDate}
}

// newResponse is the answer to the link read, given at now.
func (r *linkReading) newResponse(answers map[string]string, now time.Time) *survey.Response {
	sc := r.sc
	return &survey.Response{
		OrderID: sc.Order.ID, StructureID: sc.Order.StructureID, OrderReference: sc.Order.Reference,
		ServiceType: sc.Order.ServiceType, JobTitle: sc.Order.JobTitle,
		QuestionnaireID: sc.Questionnaire.ID, QuestionnaireFamily: sc.Questionnaire.FamilyID,
		QuestionnaireVersion: sc.Questionnaire.Version, IssuedAt: sc.Link.IssuedAt, SubmittedAt: now,
		Answers: answers, Flagged: survey.IsDissatisfied(&sc.Questionnaire, answers),
	}
}
