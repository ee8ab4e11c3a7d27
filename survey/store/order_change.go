package store

import (
	"capsat/survey"
	"slices"
	"strconv"
	"time"
)

// One fate per link, decided by the store: the argument.
//
// Every change of an order that another change could contradict (issuing
// a survey link, cancelling it, answering it, editing the order, deleting
// it) is first claimed as a document of its own, in colChanges, whose _id
// is "<order id>:<n>": n is one more than the number of the last change its
// writer has read. Changes are read by _id, n = 1, 2, ... up to the first
// one missing, which is the only filter the embedded store answers without
// a scan. Both stores refuse a second document with the same _id (a unique
// index on MongoDB and on FerretDB's SQLite tables), and only that is
// relied upon: no transaction, no update that must not be lost. So:
//
//  1. An order's changes are in one total order with no gaps: at most one
//     claim of each n is stored, and a writer claims n only after reading
//     the state changes 1..n-1 left: a copy up to some change (the order's
//     document, or the link's for an answer, each with its Rev) and the
//     changes after it. A claim that is stored was decided on that state,
//     whatever ran concurrently, in this process or any other: had another
//     change taken n first, the claim would have failed.
//  2. The claim is the decision and nothing is written before it. A writer
//     whose claim fails reads the change that took its place and decides
//     again on the new state: returns the link another issuer made, or is
//     refused with the state that won (ErrAlreadyAnswered, ErrCancelled,
//     ErrExpired, ErrNotFound).
//  3. Everything else is a copy derived from the claims and written after
//     them: the order document (survey, link tokens, fields, Rev = the last
//     change it shows), the link documents (Rev, cancelled_at, the order's
//     shown fields) and the response. A copy is written only over one of an
//     older Rev: on MongoDB with a filter on rev; on the embedded store,
//     which loses concurrent updates of one document (FerretDB issue 3040)
//     but is one process, under a lock per order (orderLocks). Whoever
//     reads a change its copies do not show yet writes them (Store.settle),
//     so a crash between a claim and its copies delays them and never
//     contradicts the claims.
//
// What follows for survey links:
//
//   - At most one live link per order. A link is issued (an "issued" claim)
//     only by a writer who read every earlier change and found no live link:
//     none issued, or the last one cancelled or expired. Two concurrent
//     issuers claim the same n; the second's claim fails, it reads the
//     first's, and returns that link.
//   - A link ends once. Its end is the first claim after its issue that
//     ends it: "answered" (carrying the response), "cancelled", "deleted"
//     (with the order), or the "issued" of its successor, claimed only once
//     it had expired. Whoever claims next reads that end first, so no answer
//     to the link can be claimed after it; the loser of a race is told what
//     won.
//   - An answered order is never edited, cancelled, re-issued or deleted:
//     each of those is claimed at n only by a writer who read changes
//     1..n-1 without an answer, and an answer claimed at the same n makes
//     its claim fail. When the edit wins, the answer is claimed again at
//     n+1 on the edited order, so a response always carries the order as it
//     was when it was answered.
//   - A response exists only after its "answered" claim, which carries it.
//     Answering is two inserts (the claim, then the response), grouped with
//     the other answers of the moment (see responseBatcher), and the client
//     is told 303 only after both. If the second fails or the process stops
//     between them, whoever reads the claim inserts the response from it:
//     the client's retry, the link's page, or any refused change of the
//     order (Store.ensureResponse); when such a reader comes first, the
//     answer's own insert finds its response there and the answer stands.
//     No other change can come after an answer, so the response never
//     belongs to a deleted order or to a cancelled link, and the read
//     model, which counts responses and the orders' copies, never counts an
//     answer for a link that did not win.
//
// Orders and links from before changes were numbered have Rev 0 and no
// changes until their next one; their answers are told by the response
// itself, as before (hasResponse), and their next change is claimed as 1.

// changeKind is what a change of an order does.
type changeKind string

// The changes of an order.
const (
	changeIssued    changeKind = "issued"    // a new survey link
	changeCancelled changeKind = "cancelled" // the live link is cancelled
	changeAnswered  changeKind = "answered"  // the live link is answered
	changeEdited    changeKind = "edited"    // the order's fields change
	changeDeleted   changeKind = "deleted"   // the order and its links go
)

// orderChange is one claimed change of an order, stored with _id
// changeID(OrderID, Seq). It carries what its copies are written from.
type orderChange struct {
	ID       string             `bson:"_id"`
	OrderID  string             `bson:"order_id"`
	Seq      int                `bson:"seq"`
	Kind     changeKind         `bson:"kind"`
	At       time.Time          `bson:"at"`
	Token    string             `bson:"token,omitempty"`    // the link issued, cancelled or answered
	Link     *survey.SurveyLink `bson:"link,omitempty"`     // issued: the whole link
	Fields   *orderFields       `bson:"fields,omitempty"`   // edited: the new fields
	Response *survey.Response   `bson:"response,omitempty"` // answered: the whole response
}

// changeID is the _id of the seq-th change of order oid.
func changeID(oid string, seq int) string { return oid + ":" + strconv.Itoa(seq) }

// newChange returns change seq of order oid.
func newChange(oid string, seq int, kind changeKind, at time.Time) *orderChange {
	return &orderChange{ID: changeID(oid, seq), OrderID: oid, Seq: seq, Kind: kind, At: at}
}

// orderFields are an order's editable fields, as an edit claims them.
type orderFields struct {
	Reference   string             `bson:"reference"`
	ServiceType survey.ServiceType `bson:"service_type"`
	Client      survey.Client      `bson:"client"`
	JobTitle    string             `bson:"job_title"`
	StartDate   string             `bson:"start_date"`
	EndDate     string             `bson:"end_date"`
	Hours       float64            `bson:"hours"`
	Notes       string             `bson:"notes,omitempty"`
	// ReferenceKey is the order's reference_key after the edit (normally
	// survey.ReferenceKey(Reference); empty in edits claimed before it was
	// recorded, which applyTo derives).
	ReferenceKey string `bson:"reference_key,omitempty"`
}

func fieldsOf(in survey.OrderInput) *orderFields {
	return &orderFields{
		Reference: in.Reference, ServiceType: in.ServiceType, Client: in.Client, JobTitle: in.JobTitle,
		StartDate: in.StartDate, EndDate: in.EndDate, Hours: in.Hours, Notes: in.Notes,
		ReferenceKey: survey.ReferenceKey(in.Reference),
	}
}

func (f *orderFields) applyTo(o *survey.Order) {
	o.Reference, o.ServiceType, o.Client, o.JobTitle = f.Reference, f.ServiceType, f.Client, f.JobTitle
	o.ReferenceKey = f.ReferenceKey
	if o.ReferenceKey == "" {
		o.ReferenceKey = survey.ReferenceKey(f.Reference)
	}
	o.StartDate, o.EndDate, o.Hours, o.Notes = f.StartDate, f.EndDate, f.Hours, f.Notes
}

// orderState is an order as its changes leave it: its document, with the
// changes read after the document's Rev applied.
type orderState struct {
	order survey.Order
	seq   int // the last change read (order.Rev when none was)
	// copySeq is the last change the order document's copy is to show: an
	// answer's is left to MarkAnswered, which writes answered_at with it.
	copySeq int
	answer  *orderChange // the answer, when read among the changes
	deleted bool
	// pending are the changes applied here that the document does not show
	// yet: their copies are to be written (Store.settle).
	pending []pendingChange
	// touched are the survey dates whose months the pending changes alter.
	touched []time.Time
}

// pendingChange is a change read or made, with the link whose copy it alters.
type pendingChange struct {
	c    *orderChange
	link string
}

func newOrderState(o *survey.Order) *orderState {
	return &orderState{order: *o, seq: o.Rev, copySeq: o.Rev}
}

// apply folds change c, the next one, into the state.
func (st *orderState) apply(c *orderChange) {
	o := &st.order
	st.seq = c.Seq
	p := pendingChange{c: c}
	switch c.Kind {
	case changeIssued:
		l := c.Link
		if o.Survey != nil && survey.SummaryMonth(o.Survey.IssuedAt) != survey.SummaryMonth(l.IssuedAt) {
			st.touched = append(st.touched, o.Survey.IssuedAt) // the order leaves its old cohort
		}
		o.Survey = &survey.OrderSurvey{Token: l.Token, QuestionnaireID: l.QuestionnaireID, IssuedAt: l.IssuedAt, ExpiresAt: l.ExpiresAt}
		if !slices.Contains(o.LinkTokens, l.Token) {
			o.LinkTokens = append(o.LinkTokens, l.Token)
		}
		st.touched = append(st.touched, l.IssuedAt)
	case changeCancelled:
		if o.Survey != nil && o.Survey.Token == c.Token {
			at := c.At
			o.Survey.CancelledAt = &at
			st.touched = append(st.touched, o.Survey.IssuedAt)
		}
		p.link = c.Token
	case changeEdited:
		if o.Survey != nil {
			p.link = o.Survey.Token
			if c.Fields.ServiceType != o.ServiceType {
				st.touched = append(st.touched, o.Survey.IssuedAt) // its survey counts under the new type
			}
		}
		c.Fields.applyTo(o)
	case changeAnswered:
		// The order's answered_at copy is the read model's to write
		// (MarkAnswered), and nothing can follow an answer.
		st.answer = c
		st.pending = append(st.pending, p)
		return
	case changeDeleted:
		st.deleted = true
		if o.Survey != nil {
			st.touched = append(st.touched, o.Survey.IssuedAt) // the order leaves its cohort
		}
	}
	o.UpdatedAt = c.At
	st.copySeq = c.Seq
	st.pending = append(st.pending, p)
}

// status is where the order's survey stands, its answer included.
func (st *orderState) status(now time.Time) survey.SurveyStatus {
	if st.answer != nil {
		return survey.SurveyAnswered
	}
	return st.order.SurveyStatusAt(now)
}

// next returns the change that would follow the state.
func (st *orderState) next(kind changeKind, at time.Time) *orderChange {
	return newChange(st.order.ID, st.seq+1, kind, at)
}
