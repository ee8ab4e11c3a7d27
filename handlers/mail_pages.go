package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"capsat/survey"
	"capsat/survey/mailer"
	"capsat/survey/store"

	"github.com/gin-gonic/gin"
)

// mailPages serve the back-office side of e-mail sending: the order page's
// section, the "Envois" page, the settings form and its preview, the
// selection send; and the public opt-out page.
type mailPages struct {
	store      mailStore
	views      *views
	templates  *mailer.Templates
	configured bool // an SMTP server is configured
	baseURL    string
	now        func() time.Time
	wake       func()
}

// messageRow is one message as the pages list it.
type messageRow struct {
	ID, OrderID, OrderLabel    string
	Kind, KindLabel            string
	To, Planned, Sent          string
	Status, StatusLabel, Error string
	Attempts                   int
	Manual                     bool
}

func (h *mailPages) row(m *survey.OutboxMessage) messageRow {
	r := messageRow{ID: m.ID, OrderID: m.OrderID, Kind: string(m.Kind), KindLabel: m.Kind.Label(), To: m.To,
		Planned: frDateTime(m.PlannedAt), Status: string(m.Status), StatusLabel: m.Status.Label(), Error: m.Error,
		Attempts: m.Attempts, Manual: m.Manual}
	if m.Kind == survey.KindReminder && m.Reminder > 0 {
		r.KindLabel += " " + strconv.Itoa(m.Reminder)
	}
	if m.SentAt != nil {
		r.Sent = frDateTime(*m.SentAt)
	}
	if m.Status == survey.MessageQueued && m.Attempts > 0 {
		r.StatusLabel = "Nouvel essai prévu le " + frDateTime(m.DueAt)
	}
	return r
}

// orderMailView is the order page's e-mail section.
type orderMailView struct {
	CSRF, SID, OrderID string
	Configured         bool
	HasEmail           bool
	CanSend, CanRemind bool
	Notice, Refusal    string
	Rows               []messageRow
	Opened             string // the survey page's first opening
	Answered           string
}

// sendNotices are the outcomes of the order page's buttons (?envoi=).
var sendNotices = map[string][2]string{
	"invitation": {"Le questionnaire a été mis dans la file d’envoi : il part dans quelques instants.", ""},
	"relance":    {"La relance a été mise dans la file d’envoi : elle part dans quelques instants.", ""},
	"sans-email": {"", store.MsgNoClientEmail},
	"desinscrit": {"", store.MsgOptedOut},
	"repondu":    {"", "Le client a déjà répondu : rien n’a été envoyé."},
	"sans-lien":  {"", store.MsgNoLiveLink},
	"impossible": {"", "L’envoi est impossible dans l’état actuel du bon de commande."},
}

// orderSection builds the e-mail section of order o's page.
func (h *mailPages) orderSection(c *gin.Context, base pageBase, o *survey.Order) (*orderMailView, error) {
	msgs, err := h.store.OrderMessages(c.Request.Context(), base.SID, o.ID)
	if err != nil {
		return nil, err
	}
	st := o.SurveyStatusAt(h.now())
	v := &orderMailView{CSRF: base.CSRF, SID: base.SID, OrderID: o.ID, Configured: h.configured, HasEmail: o.Client.Email != ""}
	// "Envoyer par e-mail" until an invitation went (a link copied by
	// hand may still be sent), "Relancer" after.
	invited := false
	for i := range msgs {
		invited = invited || (msgs[i].Kind == survey.KindInvitation && msgs[i].Status == survey.MessageSent)
	}
	v.CanSend = v.HasEmail && st != survey.SurveyAnswered && !(invited && st == survey.SurveyIssued)
	v.CanRemind = v.HasEmail && st == survey.SurveyIssued && invited
	if n, ok := sendNotices[c.Query("envoi")]; ok {
		v.Notice, v.Refusal = n[0], n[1]
	}
	for i := range msgs {
		v.Rows = append(v.Rows, h.row(&msgs[i]))
	}
	opened, err := h.store.LinkOpenedAt(c.Request.Context(), base.SID, o.ID)
	if err != nil {
		return nil, err
	}
	if opened != nil {
		v.Opened = frDateTime(*opened)
	}
	if st == survey.SurveyAnswered && o.Survey.AnsweredAt != nil {
		v.Answered = frDateTime(*o.Survey.AnsweredAt)
	}
	return v, nil
}

// send and remind are the order page's buttons; they come back to it.
func (h *mailPages) send(c *gin.Context)   { h.sendKind(c, survey.KindInvitation, "invitation") }
func (h *mailPages) remind(c *gin.Context) { h.sendKind(c, survey.KindReminder, "relance") }

func (h *mailPages) sendKind(c *gin.Context, kind survey.MessageKind, done string) {
	sid, oid := c.Param("sid"), c.Param("oid")
	_, err := h.store.SendSurveyNow(c.Request.Context(), sid, oid, kind)
	outcome := done
	var verr *survey.ValidationError
	var cerr *survey.ConflictError
	switch {
	case err == nil:
		h.wake()
	case errors.As(err, &verr):
		outcome = "sans-email"
	case errors.Is(err, survey.ErrAlreadyAnswered):
		outcome = "repondu"
	case errors.As(err, &cerr) && cerr.Fields["client.email"].Code != "":
		outcome = "desinscrit"
	case errors.As(err, &cerr) && cerr.Message == store.MsgNoLiveLink:
		outcome = "sans-lien"
	case errors.As(err, &cerr), errors.Is(err, survey.ErrConflict), errors.Is(err, survey.ErrExpired), errors.Is(err, survey.ErrCancelled):
		outcome = "impossible"
	default:
		refusePage(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, structurePagesPath(sid)+"/commandes/"+url.PathEscape(oid)+"?envoi="+outcome+"#envois")
}

// option is a choice of a filter.
type option struct {
	Value, Label string
	Selected     bool
}

// outboxView is the "Envois" page.
type outboxView struct {
	pageBase
	Configured        bool
	Notice            string
	Statuses, Kinds   []option
	Rows              []messageRow
	FirstURL, NextURL string
}

// outbox lists the structure's messages, newest first, read by _id from
// its list: a page costs what it shows.
func (h *mailPages) outbox(c *gin.Context) {
	root := structurePagesPath(c.Param("sid"))
	base, ok := newPageBase(c, h.store, root+"/envois")
	if !ok {
		return
	}
	f := store.MessageFilter{PerPage: 50}
	v := outboxView{pageBase: base, Configured: h.configured}
	for _, s := range survey.MessageStatuses {
		sel := c.Query("statut") == string(s)
		if sel {
			f.Status = s
		}
		v.Statuses = append(v.Statuses, option{string(s), s.Label(), sel})
	}
	for _, k := range []survey.MessageKind{survey.KindInvitation, survey.KindReminder} {
		sel := c.Query("type") == string(k)
		if sel {
			f.Kind = k
		}
		v.Kinds = append(v.Kinds, option{string(k), k.Label(), sel})
	}
	if b, err := strconv.Atoi(c.Query("avant")); err == nil && b > 0 {
		f.Before = b
	}
	page, err := h.store.StructureMessages(c.Request.Context(), base.SID, f)
	if err != nil {
		refusePage(c, err)
		return
	}
	refs := map[string]string{}
	for i := range page.Messages {
		m := &page.Messages[i]
		r := h.row(m)
		if m.OrderID != "" {
			label, seen := refs[m.OrderID]
			if !seen {
				label = "Bon supprimé"
				if o, err := h.store.Order(c.Request.Context(), base.SID, m.OrderID); err == nil {
					label = o.Reference
				}
				refs[m.OrderID] = label
			}
			r.OrderLabel = label
		}
		v.Rows = append(v.Rows, r)
	}
	q := url.Values{}
	if f.Status != "" {
		q.Set("statut", string(f.Status))
	}
	if f.Kind != "" {
		q.Set("type", string(f.Kind))
	}
	if f.Before > 0 {
		v.FirstURL = root + "/envois?" + q.Encode()
	}
	if page.Next > 0 {
		q.Set("avant", strconv.Itoa(page.Next))
		v.NextURL = root + "/envois?" + q.Encode()
	}
	if n, err := strconv.Atoi(c.Query("envoyes")); err == nil {
		v.Notice = frCount(n, "questionnaire mis", "questionnaires mis") + " dans la file d’envoi."
		if r, _ := strconv.Atoi(c.Query("refuses")); r > 0 {
			v.Notice += " " + frCount(r, "bon ignoré", "bons ignorés") + " : sans adresse e-mail, déjà répondu ou client désinscrit."
		}
	}
	h.views.render(c, http.StatusOK, "mail_outbox", v)
}

// sendSelection queues an invitation for each selected order ("Envoyer
// les questionnaires"), then shows the outbox.
func (h *mailPages) sendSelection(c *gin.Context) {
	sid := c.Param("sid")
	ids := c.PostFormArray("oid") // the orders list's checkboxes
	if lot := c.PostForm("lot"); lot != "" {
		batch, err := h.store.ImportBatch(c.Request.Context(), sid, lot)
		if err != nil {
			refusePage(c, err)
			return
		}
		ids = batch
	}
	if len(ids) > survey.MaxBatchIssue {
		ids = ids[:survey.MaxBatchIssue]
	}
	queued, refused, err := h.store.SendSurveysNow(c.Request.Context(), sid, ids)
	if err != nil {
		refusePage(c, err)
		return
	}
	if queued > 0 {
		h.wake()
	}
	c.Redirect(http.StatusSeeOther, structurePagesPath(sid)+"/envois?envoyes="+strconv.Itoa(queued)+"&refuses="+strconv.Itoa(len(refused)))
}

// settingsView is the e-mail settings form.
type settingsView struct {
	pageBase
	Configured                   bool
	Saved                        bool
	Errors                       *formErrors
	S                            survey.EmailSettings
	Services                     []option
	ReminderAfterDays, Reminders string
	AlertAddresses               string
	Preview                      *mailer.Mail
}

func (h *mailPages) settingsForm(c *gin.Context) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/reglages-email")
	if !ok {
		return
	}
	s, err := h.store.EmailSettings(c.Request.Context(), base.SID)
	if err != nil {
		refusePage(c, err)
		return
	}
	h.renderSettings(c, http.StatusOK, base, *s, nil, c.Query("enregistre") == "1")
}

func (h *mailPages) renderSettings(c *gin.Context, status int, base pageBase, s survey.EmailSettings, fe *formErrors, saved bool) {
	v := settingsView{pageBase: base, Configured: h.configured, Saved: saved, Errors: fe, S: s,
		ReminderAfterDays: strconv.Itoa(s.ReminderAfterDays), Reminders: strconv.Itoa(s.Reminders),
		AlertAddresses: strings.Join(s.AlertAddresses, ", ")}
	for _, t := range survey.ServiceTypes {
		checked := false
		for _, x := range s.ServiceTypes {
			checked = checked || x == t
		}
		v.Services = append(v.Services, option{string(t), t.Label(), checked})
	}
	saved2, err := h.store.EmailSettings(c.Request.Context(), base.SID)
	if err != nil {
		refusePage(c, err)
		return
	}
	if v.Preview, err = h.templates.PreviewSurvey(survey.KindInvitation, base.structure, saved2, h.baseURL, h.now()); err != nil {
		refusePage(c, err)
		return
	}
	h.views.render(c, status, "mail_settings", v)
}

// settingsFields orders the form's fields for its error summary.
var settingsFields = []string{"service_types", "reminder_after_days", "reminders", "sender_name", "reply_to", "alert_addresses", "greeting", "signature"}

func (h *mailPages) saveSettings(c *gin.Context) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/reglages-email")
	if !ok {
		return
	}
	in := survey.EmailSettings{
		AutoSend: c.PostForm("auto_send") == "1", SenderName: c.PostForm("sender_name"), ReplyTo: c.PostForm("reply_to"),
		Greeting: c.PostForm("greeting"), Signature: c.PostForm("signature"), ServiceTypes: []survey.ServiceType{}, AlertAddresses: []string{},
	}
	for _, t := range c.PostFormArray("service_types") {
		in.ServiceTypes = append(in.ServiceTypes, survey.ServiceType(t))
	}
	for _, a := range strings.Split(c.PostForm("alert_addresses"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			in.AlertAddresses = append(in.AlertAddresses, a)
		}
	}
	var fe *formErrors // addFormError makes it at the first error
	var err error
	if in.ReminderAfterDays, err = strconv.Atoi(strings.TrimSpace(c.PostForm("reminder_after_days"))); err != nil {
		fe = addFormError(fe, "reminder_after_days", "Indiquez un nombre de jours.")
	}
	if in.Reminders, err = strconv.Atoi(strings.TrimSpace(c.PostForm("reminders"))); err != nil {
		fe = addFormError(fe, "reminders", "Indiquez un nombre de relances.")
	}
	if fe == nil {
		_, err = h.store.SaveEmailSettings(c.Request.Context(), base.SID, in)
		if err == nil {
			c.Redirect(http.StatusSeeOther, structurePagesPath(base.SID)+"/reglages-email?enregistre=1")
			return
		}
		rename := map[string]string{}
		for i := range in.AlertAddresses {
			rename["alert_addresses."+strconv.Itoa(i)] = "alert_addresses"
		}
		var ok bool
		if fe, ok = newFormErrors(err, settingsFields, rename); !ok {
			refusePage(c, err)
			return
		}
	} else {
		fe.Message = "Certaines données sont invalides."
	}
	h.renderSettings(c, http.StatusUnprocessableEntity, base, in, fe, false)
}

// preview shows a mail as the client would see it (HTML part), for a
// made-up order, with the saved settings. The mail's inline styles need
// their own content policy; nothing else is allowed.
func (h *mailPages) preview(c *gin.Context) {
	sid := c.Param("sid")
	st, err := h.store.Structure(c.Request.Context(), sid)
	if err != nil {
		refusePage(c, err)
		return
	}
	s, err := h.store.EmailSettings(c.Request.Context(), sid)
	if err != nil {
		refusePage(c, err)
		return
	}
	kind := survey.KindInvitation
	if c.Query("type") == string(survey.KindReminder) {
		kind = survey.KindReminder
	}
	m, err := h.templates.PreviewSurvey(kind, st, s, h.baseURL, h.now())
	if err != nil {
		refusePage(c, err)
		return
	}
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(m.HTML))
}

// unsubscribeView is the public opt-out page.
type unsubscribeView struct {
	Structure, Email, Token string
	Done                    bool
}

// unsubscribe shows the opt-out page of a mail's link: a button to confirm.
func (h *mailPages) unsubscribe(c *gin.Context) {
	tok := c.Param("token")
	u, err := h.store.ResolveUnsubscribe(c.Request.Context(), tok)
	if err != nil {
		refusePage(c, err)
		return
	}
	st, err := h.store.Structure(c.Request.Context(), u.StructureID)
	if err != nil {
		refusePage(c, err)
		return
	}
	h.views.render(c, http.StatusOK, "unsubscribe", unsubscribeView{Structure: st.Name, Email: u.Email, Token: tok, Done: u.OptedOut})
}

// confirmUnsubscribe opts the address out: the page's button, or a mail
// client's one-click POST (RFC 8058, body List-Unsubscribe=One-Click),
// which carries no cookie: the token is the proof.
func (h *mailPages) confirmUnsubscribe(c *gin.Context) {
	tok := c.Param("token")
	u, err := h.store.ResolveUnsubscribe(c.Request.Context(), tok)
	if err != nil {
		refusePage(c, err)
		return
	}
	if err := h.store.OptOut(c.Request.Context(), u.StructureID, u.Email); err != nil {
		refusePage(c, err)
		return
	}
	st, err := h.store.Structure(c.Request.Context(), u.StructureID)
	if err != nil {
		refusePage(c, err)
		return
	}
	h.views.render(c, http.StatusOK, "unsubscribe", unsubscribeView{Structure: st.Name, Email: u.Email, Token: tok, Done: true})
}
