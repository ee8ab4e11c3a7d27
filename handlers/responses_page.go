package handlers

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// responsesStore is what the responses pages need: the period's responses
// from the read model (ledgers by _id, or an indexed find), one response
// by _id, and the questionnaire versions they answered.
type responsesStore interface {
	backofficeStore
	Responses(ctx context.Context, sid string, r survey.DateRange) ([]survey.Response, error)
	Response(ctx context.Context, sid, oid string) (*survey.Response, error)
	ListQuestionnaires(ctx context.Context, sid string) ([]survey.Questionnaire, error)
	FrozenQuestionnaire(ctx context.Context, id string) (*survey.Questionnaire, error)
}

// responsesPages list a structure's responses and show one of them.
type responsesPages struct {
	store responsesStore
	views *views
	now   func() time.Time
}

// responsesPerPage is the length of a page of the responses list.
const responsesPerPage = 25

// answerRow is one question of a response as the client saw it.
type answerRow struct {
	Code, Question, Answer string
	Text                   bool // free text: shown as a quote
	NotApplicable, Missing bool
}

// answerRows lists q's questions with r's answers, in the questionnaire's
// order and wording (the version the client answered).
func answerRows(q *survey.Questionnaire, r *survey.Response) []answerRow {
	var out []answerRow
	for _, qu := range q.Questions {
		v := r.Answers[qu.Code]
		out = append(out, answerRow{Code: qu.Code, Question: qu.Label, Answer: survey.AnswerLabel(qu, v),
			Text: qu.Type == survey.QuestionText && v != "", NotApplicable: v == survey.NotApplicable, Missing: v == ""})
	}
	return out
}

// questionOption is one question of the filter, followed by its code
// across versions.
type questionOption struct {
	Code, Label string
}

// responseRow is one response of the list.
type responseRow struct {
	survey.Response
	Overall, Recommend, Comment, Picked string
}

// sortOption is one order of the list.
type sortOption struct{ Value, Label string }

var responseSorts = []sortOption{
	{survey.SortRecent, "Les plus récentes"},
	{survey.SortOldest, "Les plus anciennes"},
	{survey.SortReference, "Référence du bon de commande"},
	{survey.SortSatisfaction, "Les moins satisfaits d'abord"},
}

// answerOption is one answer value of the filter.
type answerOption struct{ Value, Label string }

func answerOptions() []answerOption {
	var out []answerOption
	for _, l := range survey.ScaleLevels {
		if l.Value != survey.NotApplicable {
			out = append(out, answerOption{l.Value, l.Label})
		}
	}
	return append(out, answerOption{survey.YesAnswer, "Oui"}, answerOption{survey.NoAnswer, "Non"}, answerOption{survey.NotApplicable, "Sans objet"})
}

// responsesView is the data of responses.html.
type responsesView struct {
	pageBase
	From, To, Service, Question, Answer, Sort string
	Dissatisfied, WithComment                 bool
	Errors                                    *formErrors
	Services                                  []survey.ServiceType
	Questions                                 []questionOption
	Answers                                   []answerOption
	Sorts                                     []sortOption
	PickedLabel                               string
	Period                                    string
	Rows                                      []responseRow
	Total                                     int
	PageLabel, PrevURL, NextURL               string
}

// list shows one page of the structure's responses of a period (the
// current month by default, at most 12 months), filtered and sorted.
func (h *responsesPages) list(c *gin.Context) {
	root := structurePagesPath(c.Param("sid"))
	base, ok := newPageBase(c, h.store, root+"/reponses")
	if !ok {
		return
	}
	v := responsesView{pageBase: base, Services: survey.ServiceTypes, Answers: answerOptions(), Sorts: responseSorts,
		From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to")), Service: c.Query("service"),
		Question: c.Query("question"), Answer: c.Query("reponse"), Sort: c.Query("tri"),
		Dissatisfied: c.Query("insatisfaits") == "1", WithComment: c.Query("commentaire") == "1"}
	ctx := c.Request.Context()
	qs, err := h.store.ListQuestionnaires(ctx, base.SID)
	if err != nil {
		refusePage(c, err)
		return
	}
	byID := map[string]*survey.Questionnaire{}
	labels := map[string]string{}
	var codes []string
	slices.SortFunc(qs, func(a, b survey.Questionnaire) int { return a.Version - b.Version })
	for i := range qs {
		byID[qs[i].ID] = &qs[i]
		for _, qu := range qs[i].Questions {
			if _, seen := labels[qu.Code]; !seen {
				codes = append(codes, qu.Code)
			}
			labels[qu.Code] = qu.Label // the latest version's wording
		}
	}
	for _, code := range codes {
		v.Questions = append(v.Questions, questionOption{code, labels[code]})
	}
	r, err := survey.ResponsePeriod(v.From, v.To, h.now())
	fe, bad := newFormErrors(err, []string{"from", "to"}, nil)
	q := survey.ResponseQuery{Range: r, Service: survey.ServiceType(v.Service), Question: v.Question, Answer: v.Answer,
		Dissatisfied: v.Dissatisfied, WithComment: v.WithComment, Sort: v.Sort, PerPage: responsesPerPage}
	if v.Service != "" && !q.Service.Valid() {
		fe, bad = addFormError(fe, "service", "Type de prestation inconnu."), true
	}
	if v.Question != "" && labels[v.Question] == "" {
		fe, bad = addFormError(fe, "question", "Question inconnue : choisissez-en une dans la liste."), true
	}
	if v.Answer != "" && v.Question == "" {
		fe, bad = addFormError(fe, "reponse", "Choisissez d'abord la question dont filtrer la réponse."), true
	}
	if v.Sort != "" && !slices.ContainsFunc(responseSorts, func(s sortOption) bool { return s.Value == v.Sort }) {
		fe, bad = addFormError(fe, "tri", "Ordre de tri inconnu."), true
	}
	if bad {
		v.Errors = fe
		h.views.render(c, http.StatusUnprocessableEntity, "responses", v)
		return
	}
	if v.From == "" && v.To == "" {
		v.From, v.To = r.From.Format(time.DateOnly), r.To.Format(time.DateOnly)
	}
	v.Period = r.String()
	if n, err := strconv.Atoi(c.Query("page")); err == nil && n > 0 {
		q.Page = n
	}
	all, err := h.store.Responses(ctx, base.SID, r)
	if err != nil {
		refusePage(c, err)
		return
	}
	page := survey.ListResponses(all, byID, q)
	v.PickedLabel = labels[v.Question]
	for _, resp := range page.Rows {
		row := responseRow{Response: resp, Overall: "—", Recommend: "—"}
		if qn := byID[resp.QuestionnaireID]; qn != nil {
			for _, qu := range qn.Questions {
				val := resp.Answers[qu.Code]
				switch {
				case qu.Role == survey.RoleOverall:
					row.Overall = survey.AnswerLabel(qu, val)
				case qu.Role == survey.RoleRecommend && val != "":
					row.Recommend = survey.AnswerLabel(qu, val)
				case qu.Type == survey.QuestionText && val != "" && row.Comment == "":
					row.Comment = shorten(val, 120)
				}
				if qu.Code == v.Question {
					row.Picked = survey.AnswerLabel(qu, val)
				}
			}
		}
		v.Rows = append(v.Rows, row)
	}
	v.Total = page.Total
	v.PageLabel = "page " + strconv.Itoa(page.Page) + " sur " + strconv.Itoa(page.Pages)
	link := func(n int) string {
		qv := c.Request.URL.Query()
		qv.Set("page", strconv.Itoa(n))
		return "?" + qv.Encode()
	}
	if page.Page > 1 {
		v.PrevURL = link(page.Page - 1)
	}
	if page.Page < page.Pages {
		v.NextURL = link(page.Page + 1)
	}
	h.views.render(c, http.StatusOK, "responses", v)
}

// shorten cuts s to n characters at most, with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

// responseView is the data of response.html.
type responseView struct {
	pageBase
	Response      *survey.Response
	Questionnaire *survey.Questionnaire
	Rows          []answerRow
	Back          string
}

// show is one response, question by question, in the wording of the
// questionnaire version the client answered.
func (h *responsesPages) show(c *gin.Context) {
	root := structurePagesPath(c.Param("sid"))
	base, ok := newPageBase(c, h.store, root+"/reponses")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	r, err := h.store.Response(ctx, base.SID, c.Param("oid"))
	if err != nil {
		refusePage(c, err)
		return
	}
	q, err := h.store.FrozenQuestionnaire(ctx, r.QuestionnaireID)
	if err != nil {
		refusePage(c, err)
		return
	}
	back := root + "/reponses"
	if ret := c.Query("retour"); strings.HasPrefix(ret, "?") {
		if _, err := url.ParseQuery(ret[1:]); err == nil {
			back += ret // only our own list's query: never an arbitrary redirect
		}
	}
	h.views.render(c, http.StatusOK, "response", responseView{pageBase: base, Response: r, Questionnaire: q, Rows: answerRows(q, r), Back: back})
}
