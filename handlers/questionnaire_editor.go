package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// questionnaireEditorStore is what the draft editor needs.
type questionnaireEditorStore interface {
	backofficeStore
	Questionnaire(ctx context.Context, sid, id string) (*survey.Questionnaire, error)
	UpdateQuestionnaire(ctx context.Context, sid, id string, in survey.QuestionnaireInput) (*survey.Questionnaire, error)
	DeleteQuestionnaire(ctx context.Context, sid, id string) error
}

// questionnaireEditor edits a draft's questions without JavaScript: every
// button posts the whole form; "Enregistrer" saves it, the others (add,
// remove, move a question) redraw the typed form changed, unsaved.
type questionnaireEditor struct {
	store questionnaireEditorStore
	views *views
	// list draws the questionnaires page with a refusal (a frozen version).
	list func(c *gin.Context, status int, message string)
}

// questionnaireEditView is the data of questionnaire_edit.html.
type questionnaireEditView struct {
	pageBase
	Q        *survey.Questionnaire
	Form     questionnaireForm
	Errors   *formErrors
	Notice   string
	Unsaved  bool
	IsAdmin  bool
	Services []survey.ServiceType
	Types    []survey.QuestionType
	Roles    []survey.QuestionRole
}

func (h *questionnaireEditor) path(c *gin.Context) string {
	return structurePagesPath(c.Param("sid")) + "/questionnaires/" + c.Param("qid")
}

// draft reads the draft of the URL; a frozen version is refused with the
// list and its reason (409), anything else with the refusal page.
func (h *questionnaireEditor) draft(c *gin.Context) (*survey.Questionnaire, bool) {
	q, err := h.store.Questionnaire(c.Request.Context(), c.Param("sid"), c.Param("qid"))
	if err != nil {
		refusePage(c, err)
		return nil, false
	}
	if q.Status != survey.StatusDraft {
		var cerr *survey.ConflictError
		errors.As(survey.ErrNotDraft(q), &cerr)
		h.list(c, http.StatusConflict, cerr.Message)
		return nil, false
	}
	return q, true
}

// show draws the stored draft.
func (h *questionnaireEditor) show(c *gin.Context) {
	q, ok := h.draft(c)
	if !ok {
		return
	}
	v := questionnaireEditView{Q: q, Form: questionnaireFormOf(q)}
	if c.Query("fait") == "enregistre" {
		v.Notice = "Le brouillon a été enregistré."
	}
	h.render(c, http.StatusOK, v)
}

// save handles every button of the editor.
func (h *questionnaireEditor) save(c *gin.Context) {
	q, ok := h.draft(c)
	if !ok {
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		refusePage(c, survey.Invalid("form", "unreadable", "Formulaire illisible."))
		return
	}
	f := parseQuestionnaireForm(c.Request.PostForm)
	action := c.PostForm("action")
	if f.apply(action) {
		h.render(c, http.StatusOK, questionnaireEditView{Q: q, Form: f, Unsaved: true})
		return
	}
	in, fe := f.input()
	if fe != nil {
		h.render(c, http.StatusUnprocessableEntity, questionnaireEditView{Q: q, Form: f, Errors: fe})
		return
	}
	_, err := h.store.UpdateQuestionnaire(c.Request.Context(), c.Param("sid"), c.Param("qid"), in)
	var verr *survey.ValidationError
	var cerr *survey.ConflictError
	switch {
	case err == nil && action == "preview":
		c.Redirect(http.StatusSeeOther, h.path(c)+"/apercu")
	case err == nil:
		c.Redirect(http.StatusSeeOther, h.path(c)+"/modifier?fait=enregistre")
	case errors.As(err, &verr):
		rename := map[string]string{}
		for k := range verr.Fields {
			rename[k] = questionnaireFieldKey(k)
		}
		fe, _ := newFormErrors(err, questionnaireFieldOrder(f), rename)
		h.render(c, http.StatusUnprocessableEntity, questionnaireEditView{Q: q, Form: f, Errors: fe})
	case errors.As(err, &cerr):
		// Stale revision (or published meanwhile): the typed form stays
		// on the page, so that nothing typed is lost either.
		fresh, rerr := h.store.Questionnaire(c.Request.Context(), c.Param("sid"), c.Param("qid"))
		if rerr != nil || fresh.Status != survey.StatusDraft {
			h.list(c, http.StatusConflict, cerr.Message)
			return
		}
		h.render(c, http.StatusConflict, questionnaireEditView{Q: fresh, Form: f, Errors: &formErrors{Message: cerr.Message}})
	default:
		refusePage(c, err)
	}
}

// remove deletes a draft.
func (h *questionnaireEditor) remove(c *gin.Context) {
	err := h.store.DeleteQuestionnaire(c.Request.Context(), c.Param("sid"), c.Param("qid"))
	var cerr *survey.ConflictError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, structurePagesPath(c.Param("sid"))+"/questionnaires?fait="+url.QueryEscape("supprime"))
	case errors.As(err, &cerr):
		h.list(c, http.StatusConflict, cerr.Message)
	default:
		refusePage(c, err)
	}
}

func (h *questionnaireEditor) render(c *gin.Context, status int, v questionnaireEditView) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/questionnaires")
	if !ok {
		return
	}
	v.pageBase = base
	v.IsAdmin = principal(c).Role == accounts.RoleStructureAdmin
	v.Services, v.Types, v.Roles = survey.ServiceTypes, survey.QuestionTypes, survey.QuestionRoles
	// Revision is the one read when the editing began, kept through
	// structural actions and failed saves, so that a save is checked
	// against what the editor started from.
	h.views.render(c, status, "questionnaire_edit", v)
}
