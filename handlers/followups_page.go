package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// followUpStore is what the dissatisfaction follow-up pages need.
type followUpStore interface {
	backofficeStore
	// IndicatorSource lists a period's follow-ups (from the read model:
	// by _id per month on the embedded store).
	IndicatorSource(ctx context.Context, sid string, r survey.DateRange) (*survey.IndicatorSource, error)
	Response(ctx context.Context, sid, oid string) (*survey.Response, error)
	ListQuestionnaires(ctx context.Context, sid string) ([]survey.Questionnaire, error)
	RecordFollowUp(ctx context.Context, sid, oid, action string, close bool, by string) (*survey.Response, error)
}

// followUpsPage lists the dissatisfied answers and records what was done.
type followUpsPage struct {
	store followUpStore
	views *views
	audit auditor
	now   func() time.Time
}

// answerView is one answer quoted in a follow-up item.
type answerView struct {
	Question string
	Answer   string
}

// followUpItem is one flagged response as the list shows it.
type followUpItem struct {
	survey.Response
	Answers    []answerView
	Action     string // typed or stored action
	Error      string
	CloseAsked bool
	SID, CSRF  string // for the item's form
}

// followUpsView is the data of followups.html: one page of a period's
// follow-ups, open ones first.
type followUpsView struct {
	pageBase
	Open, Closed []followUpItem
	Errors       *formErrors
	Saved        string
	// From and To bound the period (surveys sent then), as typed.
	From, To string
	// OpenCount and ClosedCount count the period's items; Page is the
	// page shown of PageCount, FollowUpsPerPage items each.
	OpenCount, ClosedCount int
	Page, PageCount        int
	PrevURL, NextURL       string
}

// FollowUpsPerPage is how many follow-ups a page of "Suivi" shows, so that a
// page costs what it shows whatever the period holds.
const FollowUpsPerPage = 20

// list shows the open items to treat, then the closed ones.
func (h *followUpsPage) list(c *gin.Context) {
	h.render(c, http.StatusOK, "", "", false, "")
}

// record saves the action taken on one item and closes it when asked; bad
// input re-renders the list with the message beside that item's field.
func (h *followUpsPage) record(c *gin.Context) {
	oid, action, closeIt := c.Param("oid"), c.PostForm("action"), c.PostForm("close") == "1"
	_, err := h.store.RecordFollowUp(c.Request.Context(), c.Param("sid"), oid, action, closeIt, principal(c).Name)
	var verr *survey.ValidationError
	switch {
	case errors.As(err, &verr):
		h.render(c, http.StatusUnprocessableEntity, oid, action, closeIt, verr.Fields["action"].Message)
		return
	case err != nil:
		refusePage(c, err)
		return
	}
	h.audit.record(c, accounts.AuditFollowUp, c.Param("sid"), oid)
	saved := "enregistre"
	if closeIt {
		saved = "cloture"
	}
	c.Redirect(http.StatusSeeOther, structurePagesPath(c.Param("sid"))+"/suivi?action="+saved)
}

// render draws a page of the list; failedOID, typed and message describe
// a refused form, shown beside its field with the typed text kept.
func (h *followUpsPage) render(c *gin.Context, status int, failedOID, typed string, closeAsked bool, message string) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/suivi")
	if !ok {
		return
	}
	page := followUpsView{pageBase: base, Saved: savedMessage(c.Query("action")), From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to"))}
	period := dashboardPeriod(h.now())
	if page.From != "" || page.To != "" {
		r, err := survey.ParseDateRange(page.From, page.To, survey.IndicatorLocation())
		if fe, bad := newFormErrors(err, []string{"from", "to"}, nil); bad {
			page.Errors, status = fe, http.StatusUnprocessableEntity
		} else {
			period = r
		}
	}
	if page.From == "" && page.To == "" {
		page.From, page.To = period.From.Format(time.DateOnly), period.To.Format(time.DateOnly)
	}
	ctx := c.Request.Context()
	src, err := h.store.IndicatorSource(ctx, base.SID, period)
	if err != nil {
		refusePage(c, err)
		return
	}
	shown, found := h.pageOf(&page, src.FollowUps, c.Query("page"), failedOID)
	if !found {
		refusePage(c, survey.ErrNotFound)
		return
	}
	qs, err := h.store.ListQuestionnaires(ctx, base.SID)
	if err != nil {
		refusePage(c, err)
		return
	}
	byID := map[string]*survey.Questionnaire{}
	for i := range qs {
		byID[qs[i].ID] = &qs[i]
	}
	for _, fu := range shown {
		r, err := h.store.Response(ctx, base.SID, fu.OrderID) // with its answers, which the period's list leaves out
		if err != nil {
			refusePage(c, err)
			return
		}
		item := followUpItem{Response: *r, Answers: quotedAnswers(byID[r.QuestionnaireID], r.Answers), SID: base.SID, CSRF: base.CSRF}
		if r.FollowUp != nil {
			item.Action = r.FollowUp.Action
		}
		if r.OrderID == failedOID {
			item.Action, item.Error, item.CloseAsked = typed, message, closeAsked
			page.Errors = addFormError(nil, "action-"+r.OrderID, "Suivi du bon de commande "+r.OrderReference+" : "+message)
			page.Errors.Message = "L'action n'a pas été enregistrée."
		}
		if r.Open() {
			page.Open = append(page.Open, item)
		} else {
			page.Closed = append(page.Closed, item)
		}
	}
	h.views.render(c, status, "followups", page)
}

// pageOf picks the follow-ups of the page asked (open ones first, newest
// answer first within each), counts them, and sets the links to the pages
// around. A refused form shows the page of its item; found is false when
// that item is not in the period.
func (h *followUpsPage) pageOf(page *followUpsView, all []survey.Response, asked, failedOID string) (shown []survey.Response, found bool) {
	ordered := make([]survey.Response, 0, len(all))
	for _, open := range []bool{true, false} {
		for _, r := range all {
			if r.Open() == open {
				ordered = append(ordered, r)
			}
		}
	}
	page.OpenCount = 0
	for _, r := range all {
		if r.Open() {
			page.OpenCount++
		}
	}
	page.ClosedCount = len(all) - page.OpenCount
	page.PageCount = max(1, (len(ordered)+FollowUpsPerPage-1)/FollowUpsPerPage)
	page.Page = 1
	if n, err := strconv.Atoi(asked); err == nil && n >= 1 {
		page.Page = min(n, page.PageCount)
	}
	found = failedOID == ""
	for i, r := range ordered {
		if r.OrderID == failedOID {
			page.Page, found = i/FollowUpsPerPage+1, true
		}
	}
	from := (page.Page - 1) * FollowUpsPerPage
	shown = ordered[from:min(len(ordered), from+FollowUpsPerPage)]
	link := func(n int) string {
		q := url.Values{"from": {page.From}, "to": {page.To}, "page": {strconv.Itoa(n)}}
		return structurePagesPath(page.SID) + "/suivi?" + q.Encode()
	}
	if page.Page > 1 {
		page.PrevURL = link(page.Page - 1)
	}
	if page.Page < page.PageCount {
		page.NextURL = link(page.Page + 1)
	}
	return shown, found
}

func savedMessage(v string) string {
	switch v {
	case "enregistre":
		return "L'action a été enregistrée ; le suivi reste ouvert."
	case "cloture":
		return "L'action a été enregistrée et le suivi clôturé."
	}
	return ""
}

// quotedAnswers lists the answers that explain the flag (the lowest
// satisfaction levels, low recommendations) and the free comments.
func quotedAnswers(q *survey.Questionnaire, answers map[string]string) []answerView {
	if q == nil {
		return nil
	}
	var out []answerView
	for _, qu := range q.Questions {
		v := strings.TrimSpace(answers[qu.Code])
		if v == "" {
			continue
		}
		switch qu.Type {
		case survey.QuestionScale:
			if score, ok := survey.ScaleScore(v); ok && score > 0 && score <= 2 {
				out = append(out, answerView{qu.Label, scaleLabel(v)})
			}
		case survey.QuestionNPS:
			if n, ok := survey.ParseNPS(v); ok && n <= 6 {
				out = append(out, answerView{qu.Label, v + " / 10"})
			}
		case survey.QuestionText:
			out = append(out, answerView{qu.Label, v})
		}
	}
	return out
}

func scaleLabel(v string) string {
	for _, l := range survey.ScaleLevels {
		if l.Value == v {
			return l.Label
		}
	}
	return v
}
