package handlers

import (
	"context"
	"net/http"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// orderStore is what the orders API needs from the store.
type orderStore interface {
	CreateOrder(ctx context.Context, sid string, in survey.OrderInput) (*survey.Order, error)
	Order(ctx context.Context, sid, oid string) (*survey.Order, error)
	IssueSurvey(ctx context.Context, sid, oid string) (*survey.SurveyLink, error)
	CancelSurvey(ctx context.Context, sid, oid string) error
}

// ordersAPI serves /api/v1/structures/{sid}/orders.
type ordersAPI struct {
	store   orderStore
	baseURL string
}

func (h *ordersAPI) create(c *gin.Context) {
	var in survey.OrderInput
	if !bindJSON(c, &in) {
		return
	}
	o, err := h.store.CreateOrder(c.Request.Context(), c.Param("sid"), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, o)
}

func (h *ordersAPI) get(c *gin.Context) {
	o, err := h.store.Order(c.Request.Context(), c.Param("sid"), c.Param("oid"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

// surveyLinkJSON is the API view of an issued link.
type surveyLinkJSON struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
	IssuedAt  string `json:"issued_at"`
}

func (h *ordersAPI) surveyURL(token string) string { return h.baseURL + "/s/" + token }

// issueSurvey issues the order's survey link, or returns the live one.
func (h *ordersAPI) issueSurvey(c *gin.Context) {
	l, err := h.store.IssueSurvey(c.Request.Context(), c.Param("sid"), c.Param("oid"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, surveyLinkJSON{
		URL:       h.surveyURL(l.Token),
		ExpiresAt: l.ExpiresAt.Format("2006-01-02T15:04:05Z07:00"),
		IssuedAt:  l.IssuedAt.Format("2006-01-02T15:04:05Z07:00"),
	})
}

// cancelSurvey cancels the live link; a later issue makes a new one.
func (h *ordersAPI) cancelSurvey(c *gin.Context) {
	if err := h.store.CancelSurvey(c.Request.Context(), c.Param("sid"), c.Param("oid")); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
