package handlers

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// A selection of orders (checked on the orders list) gets its links in
// one action, then a printable page of their QR codes and a CSV of their
// links. The selection travels as repeated "oid" values; each order is
// read by _id, so the pages cost what they show.

// selectedLink is one order of a selection with its live link, if any.
type selectedLink struct {
	Order     *survey.Order
	Status    string
	URL       string
	ExpiresAt string
}

// selectionView is the data of selection.html and qr_print.html.
type selectionView struct {
	pageBase
	Rows                []selectedLink
	Issued, Existing    int
	Failures            []survey.BatchIssueFailure
	Query               string // the selection as a query, for the print page and the CSV
	WithLink, WithoutIt int
}

// issueSelection creates the links of the checked orders (or of those an
// import created, lot) and shows them; an empty or too large selection is
// told beside the checkboxes.
func (h *ordersPages) issueSelection(c *gin.Context) {
	sid := c.Param("sid")
	oids := c.PostFormArray("oid")
	if lot := c.PostForm("lot"); lot != "" {
		// "All from this import": the orders it created, as kept for the
		// result page (see SaveImportBatch), at most a selection's worth.
		batch, err := h.store.ImportBatch(c.Request.Context(), sid, lot)
		if err != nil {
			refusePage(c, err)
			return
		}
		oids = batch[:min(len(batch), survey.MaxSelection)]
	}
	res, err := h.store.IssueSurveysFor(c.Request.Context(), sid, oids)
	if fe, bad := newFormErrors(err, []string{"oid"}, nil); bad {
		fe.Message = "Aucun lien n'a été créé."
		h.renderList(c, http.StatusUnprocessableEntity, fe)
		return
	}
	if err != nil {
		refusePage(c, err)
		return
	}
	q := url.Values{"oid": oids}
	q.Set("crees", strconv.Itoa(res.Issued))
	q.Set("existants", strconv.Itoa(res.Existing))
	q.Set("refuses", strconv.Itoa(len(res.Failures)))
	c.Redirect(http.StatusSeeOther, structurePagesPath(sid)+"/commandes/liens?"+q.Encode())
}

// readSelection reads the orders named by the query's oid values, in their
// order, each by _id; another structure's order is a 404.
func (h *ordersPages) readSelection(c *gin.Context, active string) (selectionView, bool) {
	base, ok := newPageBase(c, h.store, active)
	if !ok {
		return selectionView{}, false
	}
	oids := c.QueryArray("oid")
	if len(oids) == 0 || len(oids) > survey.MaxSelection {
		refusePage(c, survey.ErrNotFound)
		return selectionView{}, false
	}
	v := selectionView{pageBase: base}
	q := url.Values{}
	seen := map[string]bool{}
	now := h.now()
	for _, oid := range oids {
		if seen[oid] {
			continue
		}
		seen[oid] = true
		o, err := h.store.Order(c.Request.Context(), base.SID, oid)
		if err != nil {
			refusePage(c, err)
			return selectionView{}, false
		}
		st := o.SurveyStatusAt(now)
		row := selectedLink{Order: o, Status: surveyStatusLabels[st]}
		if st == survey.SurveyIssued {
			row.URL, row.ExpiresAt = surveyLinkURL(h.baseURL, o.Survey.Token), o.Survey.ExpiresAt.In(parisTZ()).Format("02/01/2006")
			v.WithLink++
		} else {
			v.WithoutIt++
		}
		v.Rows = append(v.Rows, row)
		q.Add("oid", oid)
	}
	v.Query = q.Encode()
	return v, true
}

// selection shows the links of a selection, after their creation.
func (h *ordersPages) selection(c *gin.Context) {
	v, ok := h.readSelection(c, structurePagesPath(c.Param("sid"))+"/commandes")
	if !ok {
		return
	}
	v.Issued, v.Existing = atoiOr0(c.Query("crees")), atoiOr0(c.Query("existants"))
	h.views.render(c, http.StatusOK, "selection", v)
}

// printQR is the printable page of a selection's QR codes (A4, one label
// per order: QR, reference, client, link).
func (h *ordersPages) printQR(c *gin.Context) {
	v, ok := h.readSelection(c, structurePagesPath(c.Param("sid"))+"/commandes")
	if !ok {
		return
	}
	h.handOut(c, v, survey.ChannelQR)
	h.views.render(c, http.StatusOK, "qr_print", v)
}

// linksCSV is the selection's links as a CSV file for a spreadsheet:
// semicolons and a byte order mark, as French Excel expects.
func (h *ordersPages) linksCSV(c *gin.Context) {
	v, ok := h.readSelection(c, "")
	if !ok {
		return
	}
	h.handOut(c, v, survey.ChannelLink)
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	_ = w.Write([]string{"Référence", "Client", "Contact", "E-mail", "Téléphone", "Questionnaire", "Lien", "Valable jusqu'au"})
	for _, r := range v.Rows {
		o := r.Order
		_ = w.Write([]string{csvCell(o.Reference), csvCell(o.Client.Company), csvCell(o.Client.ContactName), csvCell(o.Client.Email),
			csvCell(o.Client.Phone), r.Status, r.URL, r.ExpiresAt})
	}
	w.Flush()
	c.Header("Content-Disposition", `attachment; filename="liens-questionnaires.csv"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// handOut records that the selection's live links went out through ch
// (printed as QR codes, or exported to a file to be sent by other means).
func (h *ordersPages) handOut(c *gin.Context, v selectionView, ch survey.Channel) {
	for _, r := range v.Rows {
		if r.URL != "" {
			recordHandOut(c, h.store, r.Order, ch)
		}
	}
}

// csvCell keeps a spreadsheet from reading user text as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
