package survey

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// MaxResponseMonths bounds the period of a responses list: the page reads
// every response of the period (by _id on the embedded store), so it reads
// at most a year.
const MaxResponseMonths = 12

// Sort orders of a responses list.
const (
	SortRecent       = "recentes"     // newest answer first (default)
	SortOldest       = "anciennes"    // oldest answer first
	SortReference    = "reference"    // by order reference
	SortSatisfaction = "satisfaction" // least satisfied first (overall question)
)

// ResponseQuery selects and orders a page of a structure's responses.
type ResponseQuery struct {
	Range        DateRange // cohort: the date the survey was issued
	Service      ServiceType
	Question     string // a question code: only responses that answered it
	Answer       string // with Question: only this stored answer
	Dissatisfied bool   // flagged responses only
	WithComment  bool   // responses with a free-text answer only
	Sort         string
	Page         int // from 1
	PerPage      int
}

// ResponsePage is one page of a responses list.
type ResponsePage struct {
	Rows               []Response
	Total, Page, Pages int
}

// ResponsePeriod reads the period of a responses list: the current month
// when both dates are empty, else both dates, at most MaxResponseMonths.
func ResponsePeriod(from, to string, now time.Time) (DateRange, error) {
	loc := IndicatorLocation()
	if from == "" && to == "" {
		n := now.In(loc)
		first := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc)
		return DateRange{From: first, To: first.AddDate(0, 1, -1)}, nil
	}
	r, err := ParseDateRange(from, to, loc)
	if err != nil {
		return r, err
	}
	if !r.To.Before(r.From.AddDate(0, MaxResponseMonths, 0)) {
		return r, Invalid("to", "range", "La période ne peut pas dépasser 12 mois : choisissez une date de fin plus proche.")
	}
	return r, nil
}

// ListResponses filters, sorts and pages responses; questionnaires are
// the versions they answered, by id (a missing one drops no response).
func ListResponses(rs []Response, questionnaires map[string]*Questionnaire, q ResponseQuery) ResponsePage {
	var kept []Response
	for i := range rs {
		r := &rs[i]
		if q.Service != "" && r.ServiceType != q.Service || q.Dissatisfied && !r.Flagged {
			continue
		}
		if q.Question != "" {
			v := r.Answers[q.Question]
			if v == "" || q.Answer != "" && v != q.Answer {
				continue
			}
		}
		if q.WithComment && !HasComment(questionnaires[r.QuestionnaireID], r) {
			continue
		}
		kept = append(kept, *r)
	}
	overall := func(r *Response) int {
		qn := questionnaires[r.QuestionnaireID]
		if qn == nil {
			return 5
		}
		for _, qu := range qn.Questions {
			if qu.Role == RoleOverall {
				if s, ok := ScaleScore(r.Answers[qu.Code]); ok && s > 0 {
					return s
				}
			}
		}
		return 5 // unanswered or Sans objet: after every score
	}
	slices.SortStableFunc(kept, func(a, b Response) int {
		switch q.Sort {
		case SortOldest:
			return a.SubmittedAt.Compare(b.SubmittedAt)
		case SortReference:
			return cmp.Compare(strings.ToLower(a.OrderReference), strings.ToLower(b.OrderReference))
		case SortSatisfaction:
			if c := cmp.Compare(overall(&a), overall(&b)); c != 0 {
				return c
			}
		}
		return b.SubmittedAt.Compare(a.SubmittedAt)
	})
	per := max(q.PerPage, 1)
	p := ResponsePage{Total: len(kept), Pages: max((len(kept)+per-1)/per, 1)}
	p.Page = min(max(q.Page, 1), p.Pages)
	from := (p.Page - 1) * per
	p.Rows = kept[min(from, len(kept)):min(from+per, len(kept))]
	return p
}

// HasComment tells whether r holds a free-text answer of q.
func HasComment(q *Questionnaire, r *Response) bool {
	if q == nil {
		return false
	}
	for _, qu := range q.Questions {
		if qu.Type == QuestionText && strings.TrimSpace(r.Answers[qu.Code]) != "" {
			return true
		}
	}
	return false
}

// AnswerLabel is a stored answer as the client saw it: "Très satisfait",
// "Sans objet", "Oui", "9 sur 10", a choice or the text itself.
func AnswerLabel(q Question, v string) string {
	if v == "" {
		return "Pas de réponse"
	}
	switch q.Type {
	case QuestionScale:
		for _, l := range ScaleLevels {
			if l.Value == v {
				return l.Label
			}
		}
	case QuestionYesNo:
		switch v {
		case YesAnswer:
			return "Oui"
		case NoAnswer:
			return "Non"
		case NotApplicable:
			return "Sans objet"
		}
	case QuestionNPS:
		if v == NotApplicable {
			return "Sans objet"
		}
		return v + " sur 10"
	}
	if v == NotApplicable {
		return "Sans objet"
	}
	return v
}
