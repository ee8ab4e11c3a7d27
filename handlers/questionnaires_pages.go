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

// questionnairePagesStore is what the questionnaire pages need.
type questionnairePagesStore interface {
	backofficeStore
	ListQuestionnaires(ctx context.Context, sid string) ([]survey.Questionnaire, error)
	Questionnaire(ctx context.Context, sid, id string) (*survey.Questionnaire, error)
	NewQuestionnaireVersion(ctx context.Context, sid, id string) (*survey.Questionnaire, error)
	PublishQuestionnaire(ctx context.Context, sid, id string) (*survey.Questionnaire, error)
}

// questionnairePages lists a structure's questionnaire versions, previews
// one as clients see it, creates the next version and publishes drafts.
type questionnairePages struct {
	store questionnairePagesStore
	views *views
}

// questionnaireRow is one version of the list.
type questionnaireRow struct {
	survey.Questionnaire
	StatusLabel string
	Services    string
	CanVersion  bool // a published version with no draft after it
	CanPublish  bool
	CanEdit     bool // a draft: edited and deleted in the editor
}

// questionnairesView is the data of questionnaires.html.
type questionnairesView struct {
	pageBase
	Rows    []questionnaireRow
	IsAdmin bool
	Message string
	Notice  string
}

var questionnaireStatusLabels = map[survey.QuestionnaireStatus]string{
	survey.StatusDraft: "Brouillon", survey.StatusPublished: "Publiée", survey.StatusArchived: "Archivée",
}

// list shows every version, newest first within each questionnaire.
func (h *questionnairePages) list(c *gin.Context) {
	h.render(c, http.StatusOK, "")
}

func (h *questionnairePages) render(c *gin.Context, status int, message string) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/questionnaires")
	if !ok {
		return
	}
	qs, err := h.store.ListQuestionnaires(c.Request.Context(), base.SID)
	if err != nil {
		refusePage(c, err)
		return
	}
	v := questionnairesView{pageBase: base, IsAdmin: principal(c).Role == accounts.RoleStructureAdmin, Message: message}
	switch c.Query("fait") {
	case "version":
		v.Notice = "La nouvelle version a été créée en brouillon : modifiez-la, puis publiez-la."
	case "supprime":
		v.Notice = "Le brouillon a été supprimé."
	case "publie":
		v.Notice = "La version a été publiée : les nouveaux liens l'utiliseront."
	}
	hasDraft := map[string]bool{}
	for _, q := range qs {
		if q.Status == survey.StatusDraft {
			hasDraft[q.FamilyID] = true
		}
	}
	for _, q := range qs {
		row := questionnaireRow{Questionnaire: q, StatusLabel: questionnaireStatusLabels[q.Status]}
		for i, st := range q.ServiceTypes {
			if i > 0 {
				row.Services += ", "
			}
			row.Services += st.Label()
		}
		row.CanVersion = q.Status == survey.StatusPublished && !hasDraft[q.FamilyID]
		row.CanPublish = q.Status == survey.StatusDraft && v.IsAdmin
		row.CanEdit = q.Status == survey.StatusDraft
		v.Rows = append(v.Rows, row)
	}
	h.views.render(c, status, "questionnaires", v)
}

// preview draws a version with the survey page's template, as a client
// sees it, its send button disabled (no link, nothing to store).
func (h *questionnairePages) preview(c *gin.Context) {
	ctx := c.Request.Context()
	q, err := h.store.Questionnaire(ctx, c.Param("sid"), c.Param("qid"))
	if err != nil {
		refusePage(c, err)
		return
	}
	st, err := h.store.Structure(ctx, c.Param("sid"))
	if err != nil {
		refusePage(c, err)
		return
	}
	service := "Aperçu"
	if len(q.ServiceTypes) > 0 {
		service = q.ServiceTypes[0].Label() + " — aperçu du questionnaire"
	}
	p := surveyFormPage{Token: "apercu", Structure: st.Name, Service: service, Title: q.Title, Intro: q.Intro, Version: q.Version, Preview: true}
	for i, qu := range q.Questions {
		p.Questions = append(p.Questions, newQuestionView(i+1, qu, ""))
	}
	h.views.render(c, http.StatusOK, "survey", p)
}

// newVersion copies a published version into the next draft.
func (h *questionnairePages) newVersion(c *gin.Context) {
	h.change(c, "version", h.store.NewQuestionnaireVersion)
}

// publish publishes a draft (structure admins).
func (h *questionnairePages) publish(c *gin.Context) {
	h.change(c, "publie", h.store.PublishQuestionnaire)
}

func (h *questionnairePages) change(c *gin.Context, done string, act func(ctx context.Context, sid, id string) (*survey.Questionnaire, error)) {
	_, err := act(c.Request.Context(), c.Param("sid"), c.Param("qid"))
	var verr *survey.ValidationError
	var cerr *survey.ConflictError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, structurePagesPath(c.Param("sid"))+"/questionnaires?fait="+url.QueryEscape(done))
	case errors.As(err, &verr):
		h.render(c, http.StatusUnprocessableEntity, verr.Message)
	case errors.As(err, &cerr):
		h.render(c, http.StatusConflict, cerr.Message)
	default:
		refusePage(c, err)
	}
}
