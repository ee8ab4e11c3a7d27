package handlers

import (
	"context"
	"net/http"
	"time"

	"capsat/survey"
	"capsat/survey/store"

	"github.com/gin-gonic/gin"
)

// mailStore is what the e-mail API and pages need from the store.
type mailStore interface {
	Structure(ctx context.Context, id string) (*survey.Structure, error)
	Order(ctx context.Context, sid, oid string) (*survey.Order, error)
	EmailSettings(ctx context.Context, sid string) (*survey.EmailSettings, error)
	SaveEmailSettings(ctx context.Context, sid string, in survey.EmailSettings) (*survey.EmailSettings, error)
	SendSurveyNow(ctx context.Context, sid, oid string, kind survey.MessageKind) (*survey.OutboxMessage, error)
	SendSurveysNow(ctx context.Context, sid string, ids []string) (int, map[string]error, error)
	OrderMessages(ctx context.Context, sid, oid string) ([]survey.OutboxMessage, error)
	StructureMessages(ctx context.Context, sid string, f store.MessageFilter) (*store.MessagePage, error)
	ResolveUnsubscribe(ctx context.Context, tok string) (*store.Unsubscription, error)
	OptOut(ctx context.Context, sid, email string) error
	ImportBatch(ctx context.Context, sid, id string) ([]string, error)
	LinkOpenedAt(ctx context.Context, sid, oid string) (*time.Time, error)
}

// mailAPI serves a structure's e-mail settings, sends and message history.
type mailAPI struct {
	store mailStore
	wake  func() // asks the sender loop for a round now
}

func (h *mailAPI) getSettings(c *gin.Context) {
	sid := c.Param("sid")
	if _, err := h.store.Structure(c.Request.Context(), sid); err != nil {
		respondError(c, err)
		return
	}
	s, err := h.store.EmailSettings(c.Request.Context(), sid)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, s)
}

func (h *mailAPI) putSettings(c *gin.Context) {
	var in survey.EmailSettings
	if !bindJSON(c, &in) {
		return
	}
	s, err := h.store.SaveEmailSettings(c.Request.Context(), c.Param("sid"), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, s)
}

// sentJSON answers a send: the message queued.
type sentJSON struct {
	MessageID string               `json:"message_id"`
	Status    survey.MessageStatus `json:"status"`
}

// sendSurvey queues the order's survey link for its client now (202).
func (h *mailAPI) sendSurvey(c *gin.Context) {
	m, err := h.store.SendSurveyNow(c.Request.Context(), c.Param("sid"), c.Param("oid"), survey.KindInvitation)
	if err != nil {
		respondError(c, err)
		return
	}
	h.wake()
	c.JSON(http.StatusAccepted, sentJSON{MessageID: m.ID, Status: m.Status})
}

// messageJSON is one message of an order's history.
type messageJSON struct {
	ID        string               `json:"id"`
	Kind      survey.MessageKind   `json:"kind"`
	To        string               `json:"to"`
	PlannedAt time.Time            `json:"planned_at"`
	SentAt    *time.Time           `json:"sent_at"`
	Status    survey.MessageStatus `json:"status"`
	Error     string               `json:"error"`
	Attempts  int                  `json:"attempts"`
	Manual    bool                 `json:"manual"`
}

// messagesJSON is an order's message history.
type messagesJSON struct {
	Messages []messageJSON `json:"messages"`
	// OpenedAt is when the client first opened the survey page (null:
	// never); opening the link is what counts, no tracking pixel.
	OpenedAt *time.Time `json:"opened_at"`
}

func messageView(m *survey.OutboxMessage) messageJSON {
	return messageJSON{ID: m.ID, Kind: m.Kind, To: m.To, PlannedAt: m.PlannedAt, SentAt: m.SentAt, Status: m.Status, Error: m.Error, Attempts: m.Attempts, Manual: m.Manual}
}

func (h *mailAPI) orderMessages(c *gin.Context) {
	sid, oid := c.Param("sid"), c.Param("oid")
	if _, err := h.store.Order(c.Request.Context(), sid, oid); err != nil {
		respondError(c, err)
		return
	}
	msgs, err := h.store.OrderMessages(c.Request.Context(), sid, oid)
	if err != nil {
		respondError(c, err)
		return
	}
	out := messagesJSON{Messages: []messageJSON{}}
	if out.OpenedAt, err = h.store.LinkOpenedAt(c.Request.Context(), sid, oid); err != nil {
		respondError(c, err)
		return
	}
	for i := range msgs {
		out.Messages = append(out.Messages, messageView(&msgs[i]))
	}
	c.JSON(http.StatusOK, out)
}
