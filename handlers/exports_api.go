package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"capsat/export"
	"capsat/survey"
	"capsat/survey/store"

	"github.com/gin-gonic/gin"
)

// uploadEnvelopeBytes is what a multipart request may carry beyond its file.
const uploadEnvelopeBytes = 64 << 10

// xlsxContentType is the media type of .xlsx workbooks.
const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// exportStore is what the indicators and exports need from the store.
type exportStore interface {
	Structure(ctx context.Context, id string) (*survey.Structure, error)
	IndicatorSource(ctx context.Context, sid string, r survey.DateRange) (*survey.IndicatorSource, error)
	Benchmark(ctx context.Context, sid string, p survey.MonthSpan, service survey.ServiceType) (*survey.Benchmark, error)
}

// exportsAPI serves a structure's indicators, its satisfaction workbook and
// the filling of its CAP dashboard.
type exportsAPI struct {
	store     exportStore
	now       func() time.Time
	maxUpload int64
	limits    export.UploadLimits
	audit     auditor
}

// indicatorQuery reads from, to, service and by (query string or form).
// No dates: the last 12 full months. Mistakes are a validation error (422).
func (h *exportsAPI) indicatorQuery(get func(string) string) (survey.IndicatorQuery, error) {
	loc := survey.IndicatorLocation()
	q := survey.IndicatorQuery{By: survey.ByMonth}
	v := &survey.ValidationError{Message: "Paramètres invalides."}
	from, to := strings.TrimSpace(get("from")), strings.TrimSpace(get("to"))
	switch {
	case from == "" && to == "":
		q.Range = survey.LastFullMonths(h.now(), 12, loc)
	default:
		r, err := survey.ParseDateRange(from, to, loc)
		var dateErr *survey.ValidationError
		if errors.As(err, &dateErr) {
			for k, f := range dateErr.Fields {
				v.Add(k, f.Code, f.Message)
			}
		}
		q.Range = r
	}
	if s := get("service"); s != "" {
		q.Service = survey.ServiceType(s)
		if !q.Service.Valid() {
			v.Add("service", "enum", "Type de prestation inconnu (mise_a_disposition ou mise_a_contrat).")
		}
	}
	if b := get("by"); b != "" {
		q.By = survey.Granularity(b)
		if !q.By.Valid() {
			v.Add("by", "enum", "Découpage inconnu (month, quarter ou year).")
		}
	}
	return q, v.OrNil()
}

// indicators returns the figures as JSON, cut by month, quarter or year.
func (h *exportsAPI) indicators(c *gin.Context) {
	q, err := h.indicatorQuery(c.Query)
	if err != nil {
		respondError(c, err)
		return
	}
	src, err := h.store.IndicatorSource(c.Request.Context(), c.Param("sid"), q.Range)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, survey.ComputeIndicators(src, q, h.now()))
}

// satisfaction returns the satisfaction workbook, built in memory before
// the first byte is sent so that an error still gets a proper answer.
func (h *exportsAPI) satisfaction(c *gin.Context) {
	q, err := h.indicatorQuery(c.Query)
	if err != nil {
		respondError(c, err)
		return
	}
	name, data, err := h.buildSatisfaction(c.Request.Context(), c.Param("sid"), q)
	if err != nil {
		respondError(c, err)
		return
	}
	h.audit.record(c, store.AuditExportDownload, c.Param("sid"), "classeur de satisfaction "+periodFileName(q.Range))
	sendWorkbook(c, name, data)
}

// buildSatisfaction builds the satisfaction workbook of structure sid for
// q (by month) and names it; the API and the exports page both use it.
func (h *exportsAPI) buildSatisfaction(ctx context.Context, sid string, q survey.IndicatorQuery) (string, []byte, error) {
	q.By = survey.ByMonth
	st, err := h.store.Structure(ctx, sid)
	if err != nil {
		return "", nil, err
	}
	prev := q.Range.Previous()
	src, err := h.store.IndicatorSource(ctx, st.ID, survey.DateRange{From: prev.From, To: q.Range.To})
	if err != nil {
		return "", nil, err
	}
	followUps := followUpsIn(src, q.Range)
	span := survey.MonthSpan{From: survey.SummaryMonth(q.Range.From), To: survey.SummaryMonth(q.Range.To)}
	comparison, err := h.store.Benchmark(ctx, st.ID, span, q.Service)
	if err != nil {
		return "", nil, err
	}
	now := h.now()
	in := export.Satisfaction{
		FollowUps:     followUps,
		StructureName: st.Name,
		Current:       survey.ComputeIndicators(src, q, now),
		Previous:      survey.ComputeIndicators(src, survey.IndicatorQuery{Range: prev, By: survey.ByMonth, Service: q.Service}, now),
		Source:        src,
		GeneratedAt:   now,
		Comparison:    comparison,
	}
	// Counted now, the issued surveys are not written anywhere: let them go
	// before the workbook is built (120,000 of them for the largest
	// structures), as the follow-ups of the previous range.
	src.Surveys, src.FollowUps = nil, nil
	data, err := export.SatisfactionWorkbook(in)
	if err != nil {
		return "", nil, err
	}
	return "satisfaction-" + st.Name + "-" + periodFileName(q.Range), data, nil
}

// followUpsIn returns the flagged responses of src whose survey was issued
// in r: the period attribution of every other sheet. It filters in place.
func followUpsIn(src *survey.IndicatorSource, r survey.DateRange) []survey.Response {
	out := src.FollowUps[:0]
	for _, f := range src.FollowUps {
		if r.Contains(f.IssuedAt) {
			out = append(out, f)
		}
	}
	return out
}

// notDashboardXLSX refuses a dashboard that is not an .xlsx file.
const notDashboardXLSX = "Le tableau de bord doit être un classeur Excel .xlsx."

// dashboard fills the uploaded CAP dashboard with the figures of the period.
func (h *exportsAPI) dashboard(c *gin.Context) {
	fh, err := uploadedWorkbook(c, h.maxUpload, "Joignez le classeur du tableau de bord (champ « file », fichier .xlsx).", notDashboardXLSX)
	if err != nil {
		respondError(c, err)
		return
	}
	q, err := h.indicatorQuery(c.PostForm)
	if err != nil {
		respondError(c, err)
		return
	}
	data, report, err := h.fillDashboard(c.Request.Context(), c.Param("sid"), fh, q)
	if err != nil {
		respondError(c, err)
		return
	}
	h.audit.record(c, store.AuditExportDownload, c.Param("sid"), "tableau de bord CAP "+periodFileName(q.Range))
	c.Header("X-Capsat-Names-Filled", strconv.Itoa(len(report.Filled)))
	c.Header("X-Capsat-Names-Unmatched", strconv.Itoa(len(report.Unmatched)))
	sendWorkbook(c, strings.TrimSuffix(filepath.Base(fh.Filename), filepath.Ext(fh.Filename)), data)
}

// fillDashboard fills the uploaded CAP dashboard fh with the figures of
// structure sid for q, by month, quarter and year.
func (h *exportsAPI) fillDashboard(ctx context.Context, sid string, fh *multipart.FileHeader, q survey.IndicatorQuery) ([]byte, *export.FillReport, error) {
	file, err := fh.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open upload: %w", err)
	}
	defer file.Close()
	src, err := h.store.IndicatorSource(ctx, sid, q.Range)
	if err != nil {
		return nil, nil, err
	}
	now := h.now()
	by := func(g survey.Granularity) *survey.Indicators {
		q.By = g
		return survey.ComputeIndicators(src, q, now)
	}
	d := export.Dashboard{Monthly: by(survey.ByMonth), Quarterly: by(survey.ByQuarter), Yearly: by(survey.ByYear)}
	var buf bytes.Buffer
	report, err := export.FillDashboard(file, fh.Size, d, h.limits, &buf)
	if err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), report, nil
}

// periodFileName names a range in file names: "2026-03" for one month,
// "2025-03_2026-02" for whole months, else the two dates.
func periodFileName(r survey.DateRange) string {
	if r.WholeMonths() {
		first, last := r.From.Format("2006-01"), r.To.Format("2006-01")
		if first == last {
			return first
		}
		return first + "_" + last
	}
	return r.From.Format(time.DateOnly) + "_" + r.To.Format(time.DateOnly)
}

// sendWorkbook answers with a complete workbook as an attachment named
// base + ".xlsx": an ASCII name for old clients, the French one in filename*.
func sendWorkbook(c *gin.Context, base string, data []byte) {
	c.Header("Content-Disposition", contentDisposition(base))
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, xlsxContentType, data)
}

// contentDisposition is an attachment header with an ASCII fallback and the
// UTF-8 name (RFC 6266 / RFC 5987).
func contentDisposition(base string) string {
	parts := strings.Split(base, "_") // "_" separates the two ends of a period
	for i, p := range parts {
		parts[i] = survey.Slug(p)
	}
	ascii := strings.Trim(strings.Join(parts, "_"), "_")
	if ascii == "" {
		ascii = "export"
	}
	return `attachment; filename="` + ascii + `.xlsx"; filename*=UTF-8''` + rfc5987(utf8FileName(base)+".xlsx")
}

// utf8FileName keeps letters (accents included) and digits, lower-cased,
// and joins the words with hyphens.
func utf8FileName(s string) string {
	var b strings.Builder
	dash := true
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			dash = false
		case r == '_' && !dash:
			b.WriteRune(r)
			dash = true
		case !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-_")
	if out == "" {
		return "export"
	}
	return out
}

// rfc5987 percent-encodes everything but the attr-chars of RFC 5987.
func rfc5987(s string) string {
	const attrChars = "!#$&+-.^_`|~"
	var b strings.Builder
	for _, c := range []byte(s) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attrChars, c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
