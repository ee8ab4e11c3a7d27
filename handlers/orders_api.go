package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// orderStore is what the orders API needs from the store.
type orderStore interface {
	CreateOrder(ctx context.Context, sid string, in survey.OrderInput) (*survey.Order, error)
	Order(ctx context.Context, sid, oid string) (*survey.Order, error)
	UpdateOrder(ctx context.Context, sid, oid string, in survey.OrderInput) (*survey.Order, error)
	DeleteOrder(ctx context.Context, sid, oid string) error
	ListOrders(ctx context.Context, sid string, f survey.OrderFilter) (*survey.OrderPage, error)
	IssueSurvey(ctx context.Context, sid, oid string) (*survey.SurveyLink, error)
	IssueSurveys(ctx context.Context, sid string, f survey.OrderFilter) (*survey.BatchIssueResult, error)
	CancelSurvey(ctx context.Context, sid, oid string) error
	RecordLinkHandOut(ctx context.Context, l *survey.SurveyLink, ch survey.Channel) (survey.Channel, error)
}

// ordersAPI serves /api/v1/structures/{sid}/orders. Updates are PUT: the
// whole order is sent, as the forms and imports produce it.
type ordersAPI struct {
	store   orderStore
	baseURL string
	now     func() time.Time
	audit   auditor
}

// orderJSON is the API view of an order: the order, where its survey
// stands, and the survey URL while the link is live.
type orderJSON struct {
	*survey.Order
	SurveyStatus survey.SurveyStatus `json:"survey_status"`
	SurveyURL    string              `json:"survey_url,omitempty"`
}

func (h *ordersAPI) view(o *survey.Order) orderJSON {
	v := orderJSON{Order: o, SurveyStatus: o.SurveyStatusAt(h.now())}
	if v.SurveyStatus == survey.SurveyIssued {
		v.SurveyURL = h.surveyURL(o.Survey.Token)
	}
	return v
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
	c.JSON(http.StatusCreated, h.view(o))
}

func (h *ordersAPI) get(c *gin.Context) {
	o, err := h.store.Order(c.Request.Context(), c.Param("sid"), c.Param("oid"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, h.view(o))
}

// update replaces the order (PUT); refused once the order is answered.
func (h *ordersAPI) update(c *gin.Context) {
	var in survey.OrderInput
	if !bindJSON(c, &in) {
		return
	}
	o, err := h.store.UpdateOrder(c.Request.Context(), c.Param("sid"), c.Param("oid"), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, h.view(o))
}

// remove deletes an unanswered order and its survey links.
func (h *ordersAPI) remove(c *gin.Context) {
	if err := h.store.DeleteOrder(c.Request.Context(), c.Param("sid"), c.Param("oid")); err != nil {
		respondError(c, err)
		return
	}
	h.audit.record(c, accounts.AuditDataDelete, c.Param("sid"), "bon de commande "+c.Param("oid"))
	c.Status(http.StatusNoContent)
}

// orderListJSON is one page of orders.
type orderListJSON struct {
	Orders  []orderJSON `json:"orders"`
	Total   int         `json:"total"`
	Page    int         `json:"page"`
	PerPage int         `json:"per_page"`
	// TotalExact is false when total only counts the matches up to the
	// page's next one (a search ?q= on the embedded store stops there).
	TotalExact bool `json:"total_exact"`
}

// list answers GET .../orders?service_type=&start_from=&start_to=&status=&q=&page=&per_page=
func (h *ordersAPI) list(c *gin.Context) {
	f, ok := orderFilterFromQuery(c)
	if !ok {
		return
	}
	p, err := h.store.ListOrders(c.Request.Context(), c.Param("sid"), f)
	if err != nil {
		respondError(c, err)
		return
	}
	out := orderListJSON{Orders: make([]orderJSON, 0, len(p.Orders)), Total: p.Total, Page: p.Page, PerPage: p.PerPage, TotalExact: !p.TotalAtLeast}
	for i := range p.Orders {
		out.Orders = append(out.Orders, h.view(&p.Orders[i]))
	}
	c.JSON(http.StatusOK, out)
}

// orderFilterFromQuery reads the list filters; a page that is not a number
// is a 400 naming the parameter, other checks are the domain's.
func orderFilterFromQuery(c *gin.Context) (survey.OrderFilter, bool) {
	f := survey.OrderFilter{
		ServiceType: survey.ServiceType(c.Query("service_type")),
		StartFrom:   c.Query("start_from"),
		StartTo:     c.Query("start_to"),
		Status:      survey.SurveyStatus(c.Query("status")),
		Q:           c.Query("q"),
	}
	for name, dst := range map[string]*int{"page": &f.Page, "per_page": &f.PerPage} {
		raw := c.Query(name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			badRequest(c, "Paramètre invalide.", map[string]string{name: "Un nombre entier est attendu."})
			return f, false
		}
		*dst = n
	}
	return f, true
}

// surveyLinkJSON is the API view of an issued link.
type surveyLinkJSON struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
	IssuedAt  string `json:"issued_at"`
}

func (h *ordersAPI) surveyURL(token string) string { return surveyLinkURL(h.baseURL, token) }

// surveyLinkURL is the public address of a survey link: what the API
// returns, the order page shows and the QR codes encode.
func surveyLinkURL(baseURL, token string) string {
	return survey.SurveyURL(baseURL, token, survey.ChannelLink)
}

func (h *ordersAPI) linkView(l *survey.SurveyLink) surveyLinkJSON {
	return surveyLinkJSON{
		URL:       h.surveyURL(l.Token),
		ExpiresAt: l.ExpiresAt.Format(time.RFC3339),
		IssuedAt:  l.IssuedAt.Format(time.RFC3339),
	}
}

// issueSurvey issues the order's survey link, or returns the live one.
func (h *ordersAPI) issueSurvey(c *gin.Context) {
	l, err := h.store.IssueSurvey(c.Request.Context(), c.Param("sid"), c.Param("oid"))
	if err != nil {
		respondError(c, err)
		return
	}
	h.handOut(c, l)
	c.JSON(http.StatusOK, h.linkView(l))
}

// handOut records that the API handed link l out as a plain link (the
// caller passes it on by its own means), unless it went out before. A
// failure is logged: the link is returned all the same.
func (h *ordersAPI) handOut(c *gin.Context, l *survey.SurveyLink) {
	if _, err := h.store.RecordLinkHandOut(c.Request.Context(), l, survey.ChannelLink); err != nil {
		logger(c).Warn("link hand-out not recorded", slog.String("order", l.OrderID), slog.String("error", err.Error()))
	}
}

// cancelSurvey cancels the live link; a later issue makes a new one.
func (h *ordersAPI) cancelSurvey(c *gin.Context) {
	if err := h.store.CancelSurvey(c.Request.Context(), c.Param("sid"), c.Param("oid")); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// batchLinkJSON is one order's link in a batch issue.
type batchLinkJSON struct {
	OrderID   string `json:"order_id"`
	Reference string `json:"reference"`
	New       bool   `json:"new"`
	surveyLinkJSON
}

// batchIssueJSON is the answer of a batch issue.
type batchIssueJSON struct {
	Matched  int                        `json:"matched"`
	Issued   int                        `json:"issued"`
	Existing int                        `json:"existing"`
	Failed   int                        `json:"failed"`
	Links    []batchLinkJSON            `json:"links"`
	Failures []survey.BatchIssueFailure `json:"failures"`
}

// issueBatch gives a link to every order matching the JSON filter (the list
// filters; status defaults to not_issued). An empty body is the default filter.
func (h *ordersAPI) issueBatch(c *gin.Context) {
	var f survey.OrderFilter
	if c.Request.ContentLength != 0 && !bindJSON(c, &f) {
		return
	}
	res, err := h.store.IssueSurveys(c.Request.Context(), c.Param("sid"), f)
	if err != nil {
		respondError(c, err)
		return
	}
	out := batchIssueJSON{Matched: res.Matched, Issued: res.Issued, Existing: res.Existing, Failed: len(res.Failures), Links: make([]batchLinkJSON, 0, len(res.Links)), Failures: res.Failures}
	for _, l := range res.Links {
		h.handOut(c, &l.Link)
		out.Links = append(out.Links, batchLinkJSON{OrderID: l.OrderID, Reference: l.Reference, New: l.New, surveyLinkJSON: h.linkView(&l.Link)})
	}
	c.JSON(http.StatusOK, out)
}
