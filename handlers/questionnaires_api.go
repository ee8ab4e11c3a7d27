package handlers

import (
	"context"
	"net/http"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// questionnaireStore is what the questionnaires API needs from the store.
type questionnaireStore interface {
	ListQuestionnaires(ctx context.Context, sid string) ([]survey.Questionnaire, error)
	Questionnaire(ctx context.Context, sid, id string) (*survey.Questionnaire, error)
	CreateQuestionnaire(ctx context.Context, sid string, in survey.QuestionnaireInput) (*survey.Questionnaire, error)
	UpdateQuestionnaire(ctx context.Context, sid, id string, in survey.QuestionnaireInput) (*survey.Questionnaire, error)
	PublishQuestionnaire(ctx context.Context, sid, id string) (*survey.Questionnaire, error)
	ArchiveQuestionnaire(ctx context.Context, sid, id string) (*survey.Questionnaire, error)
	NewQuestionnaireVersion(ctx context.Context, sid, id string) (*survey.Questionnaire, error)
	DeleteQuestionnaire(ctx context.Context, sid, id string) error
}

// questionnairesAPI serves /api/v1/structures/{sid}/questionnaires. Drafts
// are replaced whole (PUT); a published version never changes.
type questionnairesAPI struct {
	store questionnaireStore
}

func (h *questionnairesAPI) list(c *gin.Context) {
	qs, err := h.store.ListQuestionnaires(c.Request.Context(), c.Param("sid"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"questionnaires": qs})
}

func (h *questionnairesAPI) get(c *gin.Context) {
	q, err := h.store.Questionnaire(c.Request.Context(), c.Param("sid"), c.Param("qid"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

func (h *questionnairesAPI) create(c *gin.Context) {
	var in survey.QuestionnaireInput
	if !bindJSON(c, &in) {
		return
	}
	q, err := h.store.CreateQuestionnaire(c.Request.Context(), c.Param("sid"), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, q)
}

func (h *questionnairesAPI) update(c *gin.Context) {
	var in survey.QuestionnaireInput
	if !bindJSON(c, &in) {
		return
	}
	q, err := h.store.UpdateQuestionnaire(c.Request.Context(), c.Param("sid"), c.Param("qid"), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

func (h *questionnairesAPI) publish(c *gin.Context) {
	h.transition(c, h.store.PublishQuestionnaire, http.StatusOK)
}

func (h *questionnairesAPI) archive(c *gin.Context) {
	h.transition(c, h.store.ArchiveQuestionnaire, http.StatusOK)
}

// newVersion copies a version into the next draft of its family.
func (h *questionnairesAPI) newVersion(c *gin.Context) {
	h.transition(c, h.store.NewQuestionnaireVersion, http.StatusCreated)
}

// transition runs a body-less state change on the questionnaire in :qid.
func (h *questionnairesAPI) transition(c *gin.Context, do func(context.Context, string, string) (*survey.Questionnaire, error), status int) {
	q, err := do(c.Request.Context(), c.Param("sid"), c.Param("qid"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(status, q)
}

// remove deletes a draft; a published or archived version is a 409.
func (h *questionnairesAPI) remove(c *gin.Context) {
	if err := h.store.DeleteQuestionnaire(c.Request.Context(), c.Param("sid"), c.Param("qid")); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
