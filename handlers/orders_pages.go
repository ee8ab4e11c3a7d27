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

	"github.com/gin-gonic/gin"
)

// ordersPageStore is what the purchase order pages need.
type ordersPageStore interface {
	backofficeStore
	handOutStore
	CreateOrder(ctx context.Context, sid string, in survey.OrderInput) (*survey.Order, error)
	Order(ctx context.Context, sid, oid string) (*survey.Order, error)
	UpdateOrder(ctx context.Context, sid, oid string, in survey.OrderInput) (*survey.Order, error)
	ListOrders(ctx context.Context, sid string, f survey.OrderFilter) (*survey.OrderPage, error)
	IssueSurvey(ctx context.Context, sid, oid string) (*survey.SurveyLink, error)
	CancelSurvey(ctx context.Context, sid, oid string) error
	Validator() *survey.Validator
	OrderHistory(ctx context.Context, sid, oid string) ([]survey.OrderEvent, error)
	Response(ctx context.Context, sid, oid string) (*survey.Response, error)
	FrozenQuestionnaire(ctx context.Context, id string) (*survey.Questionnaire, error)
	IssueSurveysFor(ctx context.Context, sid string, oids []string) (*survey.BatchIssueResult, error)
	ImportBatch(ctx context.Context, sid, id string) ([]string, error)
}

// ordersPages serves the purchase order list, forms and order page.
type ordersPages struct {
	store   ordersPageStore
	views   *views
	baseURL string
	now     func() time.Time
	mail    *mailPages // the e-mail section of the order page (mail_pages.go)
}

// surveyStatusLabels are the French names of where a survey stands.
var surveyStatusLabels = map[survey.SurveyStatus]string{
	survey.SurveyNotIssued: "Questionnaire non envoyé",
	survey.SurveyIssued:    "En attente de réponse",
	survey.SurveyAnswered:  "Réponse reçue",
	survey.SurveyExpired:   "Lien expiré",
	survey.SurveyCancelled: "Lien annulé",
}

// statusOption is one choice of the status filter.
type statusOption struct {
	Value survey.SurveyStatus
	Label string
}

// orderRow is one order of the list.
type orderRow struct {
	survey.Order
	Status string
}

// ordersListView is the data of orders.html.
type ordersListView struct {
	pageBase
	Filter           survey.OrderFilter
	Errors           *formErrors
	Services         []survey.ServiceType
	Statuses         []statusOption
	Rows             []orderRow
	Total            int
	TotalAtLeast     bool // Total counts the matches up to the next page only
	PrevURL, NextURL string
	PageLabel        string
	Selection        *formErrors // a refused selection of orders
}

// list shows one page of the orders matching the filters of the query.
func (h *ordersPages) list(c *gin.Context) { h.renderList(c, http.StatusOK, nil) }

// renderList shows the list; selErr is the refusal of a selection (no
// order checked), shown beside the checkboxes.
func (h *ordersPages) renderList(c *gin.Context, status int, selErr *formErrors) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/commandes")
	if !ok {
		return
	}
	f := survey.OrderFilter{
		ServiceType: survey.ServiceType(c.Query("service_type")), StartFrom: c.Query("start_from"),
		StartTo: c.Query("start_to"), Status: survey.SurveyStatus(c.Query("status")), Q: c.Query("q"), PerPage: 25,
	}
	if n, err := strconv.Atoi(c.Query("page")); err == nil && n > 0 && n <= 100000 {
		f.Page = n
	}
	page := ordersListView{pageBase: base, Filter: f, Services: survey.ServiceTypes, Selection: selErr}
	for _, s := range []survey.SurveyStatus{survey.SurveyNotIssued, survey.SurveyIssued, survey.SurveyAnswered, survey.SurveyExpired, survey.SurveyCancelled} {
		page.Statuses = append(page.Statuses, statusOption{s, surveyStatusLabels[s]})
	}
	res, err := h.store.ListOrders(c.Request.Context(), base.SID, f)
	if fe, bad := newFormErrors(err, []string{"q", "service_type", "status", "start_from", "start_to"}, nil); bad {
		page.Errors = fe
		h.views.render(c, http.StatusUnprocessableEntity, "orders", page)
		return
	}
	if err != nil {
		refusePage(c, err)
		return
	}
	now := h.now()
	for _, o := range res.Orders {
		page.Rows = append(page.Rows, orderRow{Order: o, Status: surveyStatusLabels[o.SurveyStatusAt(now)]})
	}
	page.Total, page.TotalAtLeast = res.Total, res.TotalAtLeast
	pages := max((res.Total+res.PerPage-1)/res.PerPage, 1)
	page.PageLabel = "Page " + strconv.Itoa(res.Page) + " sur " + strconv.Itoa(pages)
	if res.TotalAtLeast {
		page.PageLabel = "Page " + strconv.Itoa(res.Page) // more pages than counted: the search stopped
	}
	link := func(n int) string {
		q := c.Request.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return "?" + q.Encode()
	}
	if res.Page > 1 {
		page.PrevURL = link(res.Page - 1)
	}
	if res.Page < pages {
		page.NextURL = link(res.Page + 1)
	}
	h.views.render(c, status, "orders", page)
}

// orderForm is the typed content of the create and edit forms.
type orderForm struct {
	Reference, ServiceType, Company, SIRET, ContactName, Email, Phone string
	JobTitle, StartDate, EndDate, Hours, Notes                        string
}

// orderFormView is the data of order_form.html.
type orderFormView struct {
	pageBase
	OrderID  string // empty for a new order
	Form     orderForm
	Errors   *formErrors
	Services []survey.ServiceType
}

// orderFormFields lists the form's fields in page order, for the summary.
var orderFormFields = []string{"reference", "service_type", "client.company", "client.siret", "client.contact_name",
	"client.email", "client.phone", "job_title", "start_date", "end_date", "hours", "notes"}

func formOf(o *survey.Order) orderForm {
	hours := ""
	if o.Hours != 0 {
		hours = strings.Replace(strconv.FormatFloat(o.Hours, 'f', -1, 64), ".", ",", 1)
	}
	return orderForm{
		Reference: o.Reference, ServiceType: string(o.ServiceType), Company: o.Client.Company, SIRET: o.Client.SIRET,
		ContactName: o.Client.ContactName, Email: o.Client.Email, Phone: o.Client.Phone, JobTitle: o.JobTitle,
		StartDate: o.StartDate, EndDate: o.EndDate, Hours: hours, Notes: o.Notes,
	}
}

func postedOrderForm(c *gin.Context) orderForm {
	return orderForm{
		Reference: c.PostForm("reference"), ServiceType: c.PostForm("service_type"), Company: c.PostForm("client.company"),
		SIRET: c.PostForm("client.siret"), ContactName: c.PostForm("client.contact_name"), Email: c.PostForm("client.email"),
		Phone: c.PostForm("client.phone"), JobTitle: c.PostForm("job_title"), StartDate: c.PostForm("start_date"),
		EndDate: c.PostForm("end_date"), Hours: c.PostForm("hours"), Notes: c.PostForm("notes"),
	}
}

// input converts the typed form; hours accept a decimal comma. A number
// that does not parse is reported with the domain's own checks.
func (f orderForm) input(v *survey.Validator) (survey.OrderInput, error) {
	in := survey.OrderInput{
		Reference: f.Reference, ServiceType: survey.ServiceType(f.ServiceType), JobTitle: f.JobTitle,
		StartDate: f.StartDate, EndDate: f.EndDate, Notes: f.Notes,
		Client: survey.Client{Company: f.Company, SIRET: f.SIRET, ContactName: f.ContactName, Email: f.Email, Phone: f.Phone},
	}
	hours := strings.TrimSpace(strings.Replace(f.Hours, ",", ".", 1))
	if hours == "" {
		return in, nil
	}
	n, err := strconv.ParseFloat(hours, 64)
	if err == nil {
		in.Hours = n
		return in, nil
	}
	verr := &survey.ValidationError{Message: "Le bon de commande contient des erreurs."}
	var domain *survey.ValidationError
	if errors.As(v.Order(&in), &domain) {
		verr = domain
	}
	verr.Add("hours", "number", "Nombre d'heures invalide : écrivez un nombre, par exemple 35 ou 7,5.")
	return in, verr
}

// newForm shows an empty order form.
func (h *ordersPages) newForm(c *gin.Context) {
	h.renderForm(c, http.StatusOK, "", orderForm{ServiceType: string(survey.ServiceMAD)}, nil)
}

// editForm shows the form filled with the order; an answered order is
// never edited, so its page says so instead of a form that would be refused.
func (h *ordersPages) editForm(c *gin.Context) {
	o, err := h.store.Order(c.Request.Context(), c.Param("sid"), c.Param("oid"))
	if err != nil {
		refusePage(c, err)
		return
	}
	if o.SurveyStatusAt(h.now()) == survey.SurveyAnswered {
		h.renderOrder(c, http.StatusConflict, answeredNoEdit)
		return
	}
	h.renderForm(c, http.StatusOK, o.ID, formOf(o), nil)
}

// create stores a new order and goes to its page; errors re-render the form.
func (h *ordersPages) create(c *gin.Context) {
	h.save(c, "")
}

// update saves the edited order and goes to its page.
func (h *ordersPages) update(c *gin.Context) {
	h.save(c, c.Param("oid"))
}

func (h *ordersPages) save(c *gin.Context, oid string) {
	ctx, sid := c.Request.Context(), c.Param("sid")
	if oid != "" { // another structure's order is a 404 before anything is checked
		if _, err := h.store.Order(ctx, sid, oid); err != nil {
			refusePage(c, err)
			return
		}
	}
	form := postedOrderForm(c)
	in, err := form.input(h.store.Validator())
	var o *survey.Order
	if err == nil {
		if oid == "" {
			o, err = h.store.CreateOrder(ctx, sid, in)
		} else {
			o, err = h.store.UpdateOrder(ctx, sid, oid, in)
		}
	}
	if fe, bad := fieldFormErrors(err); bad {
		h.renderForm(c, formStatus(err), oid, form, fe)
		return
	}
	if err != nil {
		refusePage(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, structurePagesPath(sid)+"/commandes/"+o.ID+"?enregistre=1")
}

// fieldFormErrors turns validation errors, and conflicts naming a field
// (a reference already used), into the form's messages.
func fieldFormErrors(err error) (*formErrors, bool) {
	if fe, ok := newFormErrors(err, orderFormFields, nil); ok {
		return fe, true
	}
	fe, ok := conflictFormErrors(err, nil)
	if ok && len(fe.Fields) > 0 {
		fe.Message = "Le bon de commande n'a pas été enregistré."
	}
	return fe, ok
}

func (h *ordersPages) renderForm(c *gin.Context, status int, oid string, form orderForm, fe *formErrors) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/commandes")
	if !ok {
		return
	}
	h.views.render(c, status, "order_form", orderFormView{pageBase: base, OrderID: oid, Form: form, Errors: fe, Services: survey.ServiceTypes})
}

// answeredNoEdit is the refusal of an edit of an answered order.
const answeredNoEdit = "Ce bon de commande a reçu la réponse du client : il ne peut plus être modifié."

// orderView is the data of order.html: the order as the hub of its survey.
type orderView struct {
	pageBase
	Order      *survey.Order
	Status     survey.SurveyStatus
	StatusText string
	SurveyURL  string
	Saved      bool
	Message    string
	CanIssue   bool
	CanCancel  bool
	CanEdit    bool // not once answered
	HoursText  string
	History    []survey.OrderEvent
	// Response and Answers, once the client answered: question by question
	// in the wording of the version answered.
	Response      *survey.Response
	Questionnaire *survey.Questionnaire
	Answers       []answerRow
	Mail          *orderMailView // nil: no e-mail section
}

// show is the order page: details, status, survey link, QR codes, actions.
func (h *ordersPages) show(c *gin.Context) {
	h.renderOrder(c, http.StatusOK, "")
}

func (h *ordersPages) renderOrder(c *gin.Context, status int, message string) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/commandes")
	if !ok {
		return
	}
	o, err := h.store.Order(c.Request.Context(), base.SID, c.Param("oid"))
	if err != nil {
		refusePage(c, err)
		return
	}
	st := o.SurveyStatusAt(h.now())
	v := orderView{pageBase: base, Order: o, Status: st, StatusText: surveyStatusLabels[st], Message: message,
		Saved: c.Query("enregistre") == "1", CanIssue: st != survey.SurveyIssued && st != survey.SurveyAnswered,
		CanCancel: st == survey.SurveyIssued, CanEdit: st != survey.SurveyAnswered, HoursText: formOf(o).Hours}
	if st == survey.SurveyIssued {
		v.SurveyURL = surveyLinkURL(h.baseURL, o.Survey.Token)
	}
	ctx := c.Request.Context()
	if v.History, err = h.store.OrderHistory(ctx, base.SID, o.ID); err != nil {
		refusePage(c, err)
		return
	}
	if st == survey.SurveyAnswered {
		if !h.addAnswers(c, &v) {
			return
		}
	}
	if message == "" {
		v.Message = linkNotice(c.Query("lien"))
	}
	if h.mail != nil {
		if v.Mail, err = h.mail.orderSection(c, base, o); err != nil {
			refusePage(c, err)
			return
		}
	}
	h.views.render(c, status, "order", v)
}

// addAnswers puts the client's response on the order page; a response not
// readable yet (its copy still being written) leaves the section out.
func (h *ordersPages) addAnswers(c *gin.Context, v *orderView) bool {
	ctx := c.Request.Context()
	r, err := h.store.Response(ctx, v.SID, v.Order.ID)
	if errors.Is(err, survey.ErrNotFound) {
		return true
	}
	if err != nil {
		refusePage(c, err)
		return false
	}
	q, err := h.store.FrozenQuestionnaire(ctx, r.QuestionnaireID)
	if err != nil {
		refusePage(c, err)
		return false
	}
	v.Response, v.Questionnaire, v.Answers = r, q, answerRows(q, r)
	return true
}

func linkNotice(v string) string {
	switch v {
	case "emis":
		return "Le lien du questionnaire est prêt : transmettez-le au client."
	case "annule":
		return "Le lien du questionnaire a été annulé."
	}
	return ""
}

// issue issues (or re-issues) the order's survey link.
func (h *ordersPages) issue(c *gin.Context) {
	h.linkAction(c, "emis", func(ctx context.Context, sid, oid string) error {
		_, err := h.store.IssueSurvey(ctx, sid, oid)
		return err
	})
}

// cancelConfirmView is the data of cancel_link.html.
type cancelConfirmView struct {
	pageBase
	Order *survey.Order
}

// confirmCancel asks before cancelling the live link: the client holding
// it could no longer answer.
func (h *ordersPages) confirmCancel(c *gin.Context) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/commandes")
	if !ok {
		return
	}
	o, err := h.store.Order(c.Request.Context(), base.SID, c.Param("oid"))
	if err != nil {
		refusePage(c, err)
		return
	}
	if o.SurveyStatusAt(h.now()) != survey.SurveyIssued {
		h.renderOrder(c, http.StatusConflict, "Ce bon de commande n'a pas de lien en cours à annuler.")
		return
	}
	h.views.render(c, http.StatusOK, "cancel_link", cancelConfirmView{pageBase: base, Order: o})
}

// cancel cancels the order's live survey link once confirmed; a post
// without the confirmation shows the question instead.
func (h *ordersPages) cancel(c *gin.Context) {
	if c.PostForm("confirmation") != "oui" {
		h.confirmCancel(c)
		return
	}
	h.linkAction(c, "annule", h.store.CancelSurvey)
}

// linkAction runs a link change and comes back to the order page; a
// refusal of the domain (already answered, no questionnaire) is shown there.
func (h *ordersPages) linkAction(c *gin.Context, done string, act func(ctx context.Context, sid, oid string) error) {
	sid, oid := c.Param("sid"), c.Param("oid")
	err := act(c.Request.Context(), sid, oid)
	var cerr *survey.ConflictError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, structurePagesPath(sid)+"/commandes/"+url.PathEscape(oid)+"?lien="+done)
	case errors.As(err, &cerr):
		h.renderOrder(c, http.StatusConflict, cerr.Message)
	case errors.Is(err, survey.ErrConflict) || errors.Is(err, survey.ErrAlreadyAnswered):
		h.renderOrder(c, http.StatusConflict, "Cette action n'est pas possible dans l'état actuel du questionnaire.")
	default:
		refusePage(c, err)
	}
}
