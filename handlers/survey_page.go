package handlers

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// surveyPageStore is what the public survey page needs from the store.
type surveyPageStore interface {
	ResolveToken(ctx context.Context, token string) (*survey.SurveyContext, error)
	SubmitResponseVia(ctx context.Context, token string, raw map[string]string, ch survey.Channel) (*survey.Response, error)
	RecentSurvey(token string) (*survey.SurveyContext, bool)
	RecordLinkOpen(ctx context.Context, sid, oid string) error
}

// surveyPage serves the public survey a client opens from its purchase
// order: /s/{token}, its form post and its thank-you page.
type surveyPage struct {
	store         surveyPageStore
	alerts        *alerter // nil: no alerts
	views         *views
	secureCookies bool
	// writes bounds the submissions under way at once; waiting here is
	// fair and bounded by the request's context.
	writes chan struct{}
}

// maxConcurrentSubmissions is the size of surveyPage.writes. The store
// itself queues the answers' writes and commits those queued together
// (see survey.Store.SubmitResponse): this only bounds the goroutines.
const maxConcurrentSubmissions = 64

const (
	// formTokenCookie and formTokenField carry the same random value
	// (double-submit): a cross-site post cannot read the SameSite=Strict
	// cookie, so it cannot copy it into the field.
	formTokenCookie = "capsat_form"
	formTokenField  = "_form"
	formTokenBytes  = 18
	// honeypotField is hidden from people (CSS, aria-hidden, no tab stop);
	// robots that fill every field fill it too.
	honeypotField = "site_web"
	// maxSurveyFormBytes bounds a posted answer: a few free-text answers of
	// 2,000 characters, URL-encoded, fit with room to spare.
	maxSurveyFormBytes = 256 << 10
)

// show renders the questionnaire, or the page of the link's state.
func (h *surveyPage) show(c *gin.Context) {
	sc, ok := h.resolve(c)
	if !ok {
		return
	}
	// The first opening goes to the order's history. The page does not
	// depend on it: a failure is logged, the client still answers.
	if err := h.store.RecordLinkOpen(c.Request.Context(), sc.Link.StructureID, sc.Link.OrderID); err != nil {
		logger(c).Warn("link opening not recorded", slog.String("error", err.Error()))
	}
	h.renderForm(c, http.StatusOK, sc, nil, nil, "")
}

// submit stores the answers in one write and redirects to the thank-you
// page; on a mistake it renders the same page with the answers kept.
func (h *surveyPage) submit(c *gin.Context) {
	token := c.Param("token")
	if !survey.ValidTokenShape(token) {
		h.renderState(c, nil, survey.ErrNotFound)
		return
	}
	values, ok := h.readForm(c)
	if !ok {
		return
	}
	if !h.formTokenMatches(c) {
		h.refuse(c, http.StatusForbidden, values, "Pour votre sécurité, votre réponse n'a pas été enregistrée : la page a expiré. Vérifiez vos réponses ci-dessous puis envoyez-les à nouveau.")
		return
	}
	if strings.TrimSpace(c.Request.PostForm.Get(honeypotField)) != "" {
		// Refused rather than faked: nothing is stored, and a person whose
		// browser filled the hidden field by mistake can send again.
		h.refuse(c, http.StatusBadRequest, values, "Votre réponse n'a pas pu être enregistrée. Vérifiez vos réponses ci-dessous puis envoyez-les à nouveau.")
		return
	}
	select {
	case h.writes <- struct{}{}:
	case <-c.Request.Context().Done():
		h.renderState(c, nil, c.Request.Context().Err())
		return
	}
	resp, err := h.store.SubmitResponseVia(c.Request.Context(), token, values, survey.ChannelFromQuery(c.Query(survey.ChannelParam)))
	<-h.writes
	var verr *survey.ValidationError
	switch {
	case err == nil:
		h.alerts.answered(c.Request.Context(), resp)
		c.Redirect(http.StatusSeeOther, "/s/"+token+"/merci")
	case errors.As(err, &verr):
		sc, ok := h.resolve(c)
		if ok {
			h.renderForm(c, http.StatusUnprocessableEntity, sc, values, verr, "")
		}
	case errors.Is(err, survey.ErrUnavailable):
		h.unavailable(c, token, values, err)
	default:
		h.renderState(c, nil, err)
	}
}

// unavailable answers a post the store could not take: the same form with
// the answers typed, when this process drew it lately (the store cannot be
// asked for it), or else the page saying the service is unavailable.
func (h *surveyPage) unavailable(c *gin.Context, token string, values map[string]string, err error) {
	sc, ok := h.store.RecentSurvey(token)
	if !ok {
		h.renderState(c, nil, err)
		return
	}
	logger(c).Warn("survey answer not stored: store unavailable", slog.String("error", err.Error()))
	h.renderForm(c, http.StatusServiceUnavailable, sc, values, nil, "Votre réponse n'a pas été enregistrée. "+textUnavailable)
}

// thanks is where a successful post lands (post/redirect/get).
func (h *surveyPage) thanks(c *gin.Context) {
	token := c.Param("token")
	if !survey.ValidTokenShape(token) {
		h.renderState(c, nil, survey.ErrNotFound)
		return
	}
	sc, err := h.store.ResolveToken(c.Request.Context(), token)
	switch {
	case errors.Is(err, survey.ErrAlreadyAnswered):
		h.views.render(c, http.StatusOK, "thanks", statePage{Title: "Merci pour votre réponse", Structure: sc.Structure.Name})
	case err == nil:
		// Not answered yet: the thank-you page is not the place to say so.
		c.Redirect(http.StatusSeeOther, "/s/"+token)
	default:
		h.renderState(c, sc, err)
	}
}

// resolve checks the token's shape, then asks the store; on any state but
// "open" it renders that state's page and returns false.
func (h *surveyPage) resolve(c *gin.Context) (*survey.SurveyContext, bool) {
	token := c.Param("token")
	if !survey.ValidTokenShape(token) {
		h.renderState(c, nil, survey.ErrNotFound)
		return nil, false
	}
	sc, err := h.store.ResolveToken(c.Request.Context(), token)
	if err != nil {
		h.renderState(c, sc, err)
		return nil, false
	}
	return sc, true
}

// readForm parses the posted form within the size limit and returns its
// values (the first of each name). On failure it renders the error page.
func (h *surveyPage) readForm(c *gin.Context) (map[string]string, bool) {
	if c.Request.ContentLength > maxSurveyFormBytes {
		h.renderState(c, nil, errFormTooLarge)
		return nil, false
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxSurveyFormBytes)
	if err := c.Request.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.renderState(c, nil, errFormTooLarge)
		} else {
			h.renderState(c, nil, errFormMalformed)
		}
		return nil, false
	}
	values := make(map[string]string, len(c.Request.PostForm))
	for name, vs := range c.Request.PostForm {
		if name == formTokenField || name == honeypotField || len(vs) == 0 {
			continue
		}
		values[name] = vs[0]
	}
	return values, true
}

// refuse re-renders the form with the answers kept and a message at the
// top, storing nothing.
func (h *surveyPage) refuse(c *gin.Context, status int, values map[string]string, message string) {
	sc, ok := h.resolve(c)
	if !ok {
		return
	}
	h.renderForm(c, status, sc, values, nil, message)
}

// formToken returns the browser's form token, or sets a new one. An
// existing token is kept so that two open tabs both stay valid.
func (h *surveyPage) formToken(c *gin.Context) string {
	if v, err := c.Cookie(formTokenCookie); err == nil && validFormToken(v) {
		return v
	}
	b := make([]byte, formTokenBytes)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(c.Writer, &http.Cookie{
		Name: formTokenCookie, Value: v, Path: "/s/",
		HttpOnly: true, Secure: h.secureCookies, SameSite: http.SameSiteStrictMode,
	})
	return v
}

// formTokenMatches compares the cookie and the hidden field in constant time.
func (h *surveyPage) formTokenMatches(c *gin.Context) bool {
	cookie, err := c.Cookie(formTokenCookie)
	field := c.Request.PostForm.Get(formTokenField)
	if err != nil || !validFormToken(cookie) || !validFormToken(field) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(cookie), []byte(field)) == 1
}

func validFormToken(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == formTokenBytes
}

// tooManyRequests is the page of a client over the public rate limit.
func (h *surveyPage) tooManyRequests(c *gin.Context) {
	h.views.render(c, http.StatusTooManyRequests, "survey_state", statePage{
		Title:   "Trop de demandes",
		Heading: "Trop de demandes en peu de temps",
		Lines:   []string{"Merci de patienter une minute avant de réessayer. Vos réponses déjà envoyées ne sont pas perdues."},
	})
}

// Errors of the form itself, rendered like link states.
var (
	errFormTooLarge  = errors.New("survey form too large")
	errFormMalformed = errors.New("survey form malformed")
)

// statePage is the data of the pages that show a link's state.
type statePage struct {
	Title     string
	Heading   string
	Lines     []string
	Structure string
}

// renderState renders the page of a link state or form error. sc, when the
// store returned it, names the structure; the status tells the state.
func (h *surveyPage) renderState(c *gin.Context, sc *survey.SurveyContext, err error) {
	name := ""
	if sc != nil {
		name = sc.Structure.Name
	}
	contact := "Si vous souhaitez donner votre avis, contactez directement la structure qui vous l'a envoyé."
	if name != "" {
		contact = "Si vous souhaitez donner votre avis, contactez directement " + name + "."
	}
	var status int
	var p statePage
	switch {
	case errors.Is(err, survey.ErrAlreadyAnswered):
		status = http.StatusOK
		p = statePage{Title: "Réponse déjà enregistrée", Heading: "Merci, votre réponse a déjà été enregistrée",
			Lines: []string{"Ce questionnaire ne peut recevoir qu'une seule réponse, et nous l'avons bien reçue. Vous n'avez rien d'autre à faire."}}
	case errors.Is(err, survey.ErrExpired):
		status = http.StatusGone
		p = statePage{Title: "Lien expiré", Heading: "Ce lien a expiré",
			Lines: []string{"Le délai pour répondre à ce questionnaire est dépassé.", contact}}
	case errors.Is(err, survey.ErrCancelled):
		status = http.StatusGone
		p = statePage{Title: "Lien annulé", Heading: "Ce questionnaire a été annulé",
			Lines: []string{"La structure a annulé ce lien : il ne permet plus de répondre. Si elle vous a envoyé un nouveau lien, utilisez celui-ci.", contact}}
	case errors.Is(err, survey.ErrNotFound):
		status = http.StatusNotFound
		p = statePage{Title: "Lien introuvable", Heading: "Ce lien ne correspond à aucun questionnaire",
			Lines: []string{"Vérifiez que l'adresse est complète, par exemple en la copiant de nouveau depuis votre bon de commande ou en scannant à nouveau le code QR."}}
	case errors.Is(err, errFormTooLarge):
		status = http.StatusRequestEntityTooLarge
		p = statePage{Title: "Réponse trop volumineuse", Heading: "Votre réponse est trop volumineuse",
			Lines: []string{"Raccourcissez vos commentaires puis envoyez à nouveau le questionnaire."}}
	case errors.Is(err, errFormMalformed):
		status = http.StatusBadRequest
		p = statePage{Title: "Réponse illisible", Heading: "Votre réponse n'a pas pu être lue",
			Lines: []string{"Revenez au questionnaire puis envoyez-le à nouveau."}}
	case errors.Is(err, survey.ErrUnavailable):
		logger(c).Warn("survey page: store unavailable", slog.String("error", err.Error()))
		status = http.StatusServiceUnavailable
		p = statePage{Title: "Service indisponible", Heading: "Service momentanément indisponible", Lines: []string{textUnavailable}}
		if c.Request.Method == http.MethodPost {
			p.Lines = []string{"Votre réponse n'a pas été enregistrée. " + textUnavailable}
		}
	default:
		logger(c).Error("survey page failed", slog.String("error", err.Error()))
		status = http.StatusInternalServerError
		p = statePage{Title: "Erreur", Heading: "Une erreur est survenue",
			Lines: []string{"Votre réponse n'a pas été enregistrée. Réessayez dans quelques instants."}}
	}
	p.Structure = name
	h.views.render(c, status, "survey_state", p)
}

// surveyFormPage is the data of survey.html.
type surveyFormPage struct {
	Token  string
	Action string // the form's path, with the channel the client came through
	// Preview is a structure's look at a questionnaire: the form sends
	// nothing (no link, no answer to store).
	Preview   bool
	FormToken string
	Structure string
	Service   string // "Mise à disposition — agent d'entretien, du 3 au 14 mars 2026"
	Title     string
	Intro     string
	Version   int
	Questions []questionView
	Message   string      // summary heading when the post was refused
	Errors    []errorLink // summary list, in question order
}

// questionView is one question as the template draws it.
type questionView struct {
	Number      int
	Code        string
	Label       string
	Help        string
	Kind        string // radios, nps or text
	Optional    bool
	Value       string
	MaxLength   int
	Options     []optionView
	Error       string
	InputID     string // first input: target of the summary link
	HelpID      string
	ScaleID     string // NPS end labels
	ErrorID     string
	DescribedBy string // help, scale and error ids, for the fieldset or textarea
}

// optionView is one radio button.
type optionView struct {
	ID      string
	Value   string
	Label   string
	Checked bool
}

// renderForm draws the questionnaire with the given answers and errors.
func (h *surveyPage) renderForm(c *gin.Context, status int, sc *survey.SurveyContext, values map[string]string, verr *survey.ValidationError, message string) {
	p := surveyFormPage{
		Token:     sc.Link.Token,
		Action:    survey.SurveyURL("", sc.Link.Token, survey.ChannelFromQuery(c.Query(survey.ChannelParam))),
		FormToken: h.formToken(c),
		Structure: sc.Structure.Name,
		Service:   serviceSummary(&sc.Order),
		Title:     sc.Questionnaire.Title,
		Intro:     sc.Questionnaire.Intro,
		Version:   sc.Questionnaire.Version,
		Message:   message,
	}
	for i, q := range sc.Questionnaire.Questions {
		qv := newQuestionView(i+1, q, values[q.Code])
		if verr != nil {
			if fe, ok := verr.Fields[q.Code]; ok {
				qv.Error = fe.Message
				qv.ErrorID = "q" + strconv.Itoa(qv.Number) + "-erreur"
				p.Errors = append(p.Errors, errorLink{Href: "#" + qv.InputID, Message: "Question " + strconv.Itoa(qv.Number) + " : " + fe.Message})
			}
		}
		qv.DescribedBy = strings.Join(nonEmpty(qv.HelpID, qv.ScaleID, qv.ErrorID), " ")
		p.Questions = append(p.Questions, qv)
	}
	if len(p.Errors) > 0 && p.Message == "" {
		p.Message = "Votre réponse n'a pas été enregistrée : " + lowerFirst(verr.Message)
	}
	h.views.render(c, status, "survey", p)
}

// newQuestionView prepares a question and its options with the typed answer.
func newQuestionView(n int, q survey.Question, value string) questionView {
	id := "q" + strconv.Itoa(n)
	qv := questionView{Number: n, Code: q.Code, Label: q.Label, Help: q.Help, Optional: !q.Required, Value: value, InputID: id}
	if q.Help != "" {
		qv.HelpID = id + "-aide"
	}
	var options [][2]string // value, label
	switch q.Type {
	case survey.QuestionScale:
		qv.Kind = "radios"
		for _, l := range survey.ScaleLevels {
			options = append(options, [2]string{l.Value, l.Label})
		}
	case survey.QuestionYesNo:
		qv.Kind = "radios"
		options = [][2]string{{survey.YesAnswer, "Oui"}, {survey.NoAnswer, "Non"}}
	case survey.QuestionChoice:
		qv.Kind = "radios"
		for _, ch := range q.Choices {
			options = append(options, [2]string{ch, ch})
		}
	case survey.QuestionNPS:
		qv.Kind = "nps"
		qv.ScaleID = id + "-echelle"
		for i := 0; i <= 10; i++ {
			options = append(options, [2]string{strconv.Itoa(i), strconv.Itoa(i)})
		}
	default:
		qv.Kind = "text"
		qv.MaxLength = q.MaxLength
		if qv.MaxLength <= 0 {
			qv.MaxLength = survey.DefaultTextMaxLen
		}
	}
	for i, o := range options {
		qv.Options = append(qv.Options, optionView{ID: id + "-" + strconv.Itoa(i), Value: o[0], Label: o[1], Checked: o[0] == value})
	}
	if len(qv.Options) > 0 {
		qv.InputID = qv.Options[0].ID
	}
	return qv
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToLower(string(r[0])) + string(r[1:])
}

func nonEmpty(ss ...string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// serviceSummary names the service in plain words, for example
// "Mise à disposition — agent d'entretien, du 3 au 14 mars 2026". It says
// nothing of the employee beyond the job title.
func serviceSummary(o *survey.Order) string {
	s := o.ServiceType.Label()
	if job := strings.TrimSpace(o.JobTitle); job != "" {
		s += " — " + lowerWord(job)
	}
	if period := frPeriod(o.StartDate, o.EndDate); period != "" {
		s += ", " + period
	}
	return s
}

// lowerWord lowers the first letter of a job title unless it starts an
// acronym ("Agent d'entretien" → "agent d'entretien", "ASH" stays).
func lowerWord(s string) string {
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[1]) {
		return s
	}
	return lowerFirst(s)
}

// frPeriod writes two "YYYY-MM-DD" dates as French words: "du 3 au 14 mars
// 2026", "du 28 février au 3 mars 2026", "le 3 mars 2026", "à partir du
// 1er mars 2026". Unreadable dates give "".
func frPeriod(start, end string) string {
	from, err := time.Parse(time.DateOnly, start)
	if err != nil {
		return ""
	}
	to, err := time.Parse(time.DateOnly, end)
	switch {
	case err != nil:
		return "à partir du " + frDay(from) + " " + frMonthYear(from)
	case from.Equal(to):
		return "le " + frDay(from) + " " + frMonthYear(from)
	case from.Year() == to.Year() && from.Month() == to.Month():
		return "du " + frDay(from) + " au " + frDay(to) + " " + frMonthYear(to)
	case from.Year() == to.Year():
		return "du " + frDay(from) + " " + frMonths[from.Month()-1] + " au " + frDay(to) + " " + frMonthYear(to)
	}
	return "du " + frDay(from) + " " + frMonthYear(from) + " au " + frDay(to) + " " + frMonthYear(to)
}

func frDay(t time.Time) string {
	if t.Day() == 1 {
		return "1er"
	}
	return strconv.Itoa(t.Day())
}

func frMonthYear(t time.Time) string { return frMonths[t.Month()-1] + " " + strconv.Itoa(t.Year()) }
