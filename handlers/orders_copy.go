package handlers

import (
	"net/http"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// copied is the beacon of the order page's "Copier le lien" button (a
// same-origin POST from copy.js, with the session's CSRF token in its
// header): the live link was copied, to be handed to the client by hand.
// It answers 204 and nothing else; without the script there is no button,
// and the page works the same.
func (h *ordersPages) copied(c *gin.Context) {
	sid := c.Param("sid")
	o, err := h.store.Order(c.Request.Context(), sid, c.Param("oid"))
	if err != nil {
		refusePage(c, err)
		return
	}
	if o.SurveyStatusAt(h.now()) != survey.SurveyIssued {
		c.Status(http.StatusConflict)
		return
	}
	if _, err := h.store.RecordHandOut(c.Request.Context(), o, survey.ChannelLink); err != nil {
		refusePage(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
