package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// followUpStore is what the dissatisfaction follow-up pages need.
type followUpStore interface {
	backofficeStore
	ListFollowUps(ctx context.Context, sid string) ([]survey.Response, error)
	ListQuestionnaires(ctx context.Context, sid string) ([]survey.Questionnaire, error)
	RecordFollowUp(ctx context.Context, sid, oid, action string, close bool, by string) (*survey.Response, error)
}

// followUpsPage lists the dissatisfied answers and records what was done.
type followUpsPage struct {
	store followUpStore
	views *views
	audit auditor
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

// followUpsView is the data of followups.html.
type followUpsView struct {
	pageBase
	Open, Closed []followUpItem
	Errors       *formErrors
	Saved        string
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

// render draws the list; failedOID, typed and message describe a refused
// form, shown beside its field with the typed text kept.
func (h *followUpsPage) render(c *gin.Context, status int, failedOID, typed string, closeAsked bool, message string) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/suivi")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	all, err := h.store.ListFollowUps(ctx, base.SID)
	if err != nil {
		refusePage(c, err)
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
	page := followUpsView{pageBase: base, Saved: savedMessage(c.Query("action"))}
	found := failedOID == ""
	for _, r := range all {
		item := followUpItem{Response: r, Answers: quotedAnswers(byID[r.QuestionnaireID], r.Answers), SID: base.SID, CSRF: base.CSRF}
		if r.FollowUp != nil {
			item.Action = r.FollowUp.Action
		}
		if r.OrderID == failedOID {
			found = true
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
	if !found {
		refusePage(c, survey.ErrNotFound)
		return
	}
	h.views.render(c, status, "followups", page)
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
