package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/readmodel"

	"github.com/gin-gonic/gin"
)

// followUpStore is what the dissatisfaction follow-up pages need.
type followUpStore interface {
	backofficeStore
	// IndicatorSource lists a period's follow-ups (from the read model:
	// by _id per month on the embedded store).
	FollowUps(ctx context.Context, sid string, r survey.DateRange) (*readmodel.PeriodFollowUps, error)
	Response(ctx context.Context, sid, oid string) (*survey.Response, error)
	ListQuestionnaires(ctx context.Context, sid string) ([]survey.Questionnaire, error)
	RecordFollowUp(ctx context.Context, sid, oid, action string, close bool, by string) (*survey.Response, error)
	Order(ctx context.Context, sid, oid string) (*survey.Order, error)
}

// followUpsPerPage is how many items each list of the page shows: the
// answers and the client of each are read by _id, and the list itself
// comes from the period's ledgers, so a page costs what it shows.
const followUpsPerPage = 10

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
	SID, CSRF  string        // for the item's form
	Client     survey.Client // from the order: whom to call
}

// followUpsView is the data of followups.html.
type followUpsView struct {
	pageBase
	Open, Closed           []followUpItem
	OpenTotal, ClosedTotal int
	OpenPager, ClosedPager pager
	Errors                 *formErrors
	Saved                  string
	// From and To bound the period (surveys sent then), as typed.
	From, To string
}

// pager links the pages of one list of a page; key is its query parameter.
type pager struct {
	Label            string // "Page 2 sur 3", empty on a single page
	PrevURL, NextURL string
}

// pageOf cuts one page (from 1) of n items out of total and links its
// neighbours through the query parameter key, other parameters kept.
func pageOf(c *gin.Context, key string, page, total, n int) (from, to int, p pager) {
	pages := max(1, (total+n-1)/n)
	page = min(max(page, 1), pages)
	link := func(to int) string {
		q := c.Request.URL.Query()
		q.Set(key, strconv.Itoa(to))
		q.Del("action")
		return c.Request.URL.Path + "?" + q.Encode()
	}
	if pages > 1 {
		p.Label = "Page " + strconv.Itoa(page) + " sur " + strconv.Itoa(pages)
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return (page - 1) * n, min(page*n, total), p
}

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

// render draws the period's follow-ups, each list a page at a time;
// failedOID, typed and message describe a refused form, shown beside its
// field with the typed text kept.
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
	fus, err := h.store.FollowUps(ctx, base.SID, period)
	if err != nil {
		refusePage(c, err)
		return
	}
	openPage, _ := strconv.Atoi(c.Query("page"))
	if failedOID != "" {
		isOpen, at, found, err := fus.Position(ctx, failedOID)
		switch {
		case err != nil:
			refusePage(c, err)
			return
		case !found:
			refusePage(c, survey.ErrNotFound)
			return
		case isOpen:
			openPage = at/followUpsPerPage + 1 // the refused form stays in view
		}
	}
	closedPage, _ := strconv.Atoi(c.Query("clos"))
	page.OpenTotal, page.ClosedTotal = fus.OpenTotal, fus.ClosedTotal
	from, to, p := pageOf(c, "page", openPage, fus.OpenTotal, followUpsPerPage)
	open, err := fus.Page(ctx, true, from, to)
	if err != nil {
		refusePage(c, err)
		return
	}
	page.OpenPager = p
	from, to, p = pageOf(c, "clos", closedPage, fus.ClosedTotal, followUpsPerPage)
	closed, err := fus.Page(ctx, false, from, to)
	if err != nil {
		refusePage(c, err)
		return
	}
	page.ClosedPager = p
	qs, err := h.store.ListQuestionnaires(ctx, base.SID)
	if err != nil {
		refusePage(c, err)
		return
	}
	byID := map[string]*survey.Questionnaire{}
	for i := range qs {
		byID[qs[i].ID] = &qs[i]
	}
	shown := append(open, closed...)
	items, err := h.items(ctx, base, byID, shown)
	if err != nil {
		refusePage(c, err)
		return
	}
	for i := range items {
		item := &items[i]
		if item.OrderID == failedOID {
			item.Action, item.Error, item.CloseAsked = typed, message, closeAsked
			page.Errors = addFormError(nil, "action-"+item.OrderID, "Suivi du bon de commande "+item.OrderReference+" : "+message)
			page.Errors.Message = "L'action n'a pas été enregistrée."
		}
	}
	page.Open, page.Closed = items[:len(open)], items[len(open):]
	h.views.render(c, status, "followups", page)
}

// itemReaders is how many shown follow-ups are read at once: the embedded
// store converts one document while the next request is under way.
const itemReaders = 4

// items reads the shown follow-ups (see item), a few at once, in order.
func (h *followUpsPage) items(ctx context.Context, base pageBase, byID map[string]*survey.Questionnaire, shown []survey.Response) ([]followUpItem, error) {
	items := make([]followUpItem, len(shown))
	errs := make([]error, len(shown))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(itemReaders, len(shown)) {
		wg.Go(func() {
			for i := range next {
				items[i], errs[i] = h.item(ctx, base, byID, shown[i].OrderID)
			}
		})
	}
	for i := range shown {
		next <- i
	}
	close(next)
	wg.Wait()
	return items, errors.Join(errs...)
}

// item reads what one shown follow-up needs by _id: the response with its
// answers (the period's list leaves them out) and the order's client.
func (h *followUpsPage) item(ctx context.Context, base pageBase, byID map[string]*survey.Questionnaire, oid string) (followUpItem, error) {
	r, err := h.store.Response(ctx, base.SID, oid)
	if err != nil {
		return followUpItem{}, err
	}
	item := followUpItem{Response: *r, Answers: quotedAnswers(byID[r.QuestionnaireID], r.Answers), SID: base.SID, CSRF: base.CSRF}
	if r.FollowUp != nil {
		item.Action = r.FollowUp.Action
	}
	o, err := h.store.Order(ctx, base.SID, oid)
	switch {
	case err == nil:
		item.Client = o.Client
	case !errors.Is(err, survey.ErrNotFound):
		return followUpItem{}, err
	}
	return item, nil
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
