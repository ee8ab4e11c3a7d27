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

	"capsat/export"
	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// exportsAPI serves a structure's indicators, its satisfaction workbook and
// the filling of its CAP dashboard.
type exportsAPI struct {
	store     export.Source
	now       func() time.Time
	maxUpload int64
	limits    export.UploadLimits
	audit     auditor
}

// indicatorQuery reads from, to, service and by (query string or form).
// No dates: the last 12 full months before now. Mistakes are a validation
// error (422). The API and the exports page share it.
func indicatorQuery(get func(string) string, now time.Time) (survey.IndicatorQuery, error) {
	loc := survey.IndicatorLocation()
	q := survey.IndicatorQuery{By: survey.ByMonth}
	v := &survey.ValidationError{Message: "Paramètres invalides."}
	from, to := strings.TrimSpace(get("from")), strings.TrimSpace(get("to"))
	switch {
	case from == "" && to == "":
		q.Range = survey.LastFullMonths(now, 12, loc)
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
	q, err := indicatorQuery(c.Query, h.now())
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
	q, err := indicatorQuery(c.Query, h.now())
	if err != nil {
		respondError(c, err)
		return
	}
	name, data, err := export.BuildSatisfaction(c.Request.Context(), h.store, c.Param("sid"), q, h.now())
	if err != nil {
		respondError(c, err)
		return
	}
	h.audit.record(c, accounts.AuditExportDownload, c.Param("sid"), "classeur de satisfaction "+export.PeriodFileName(q.Range))
	sendWorkbook(c, name, data)
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
	q, err := indicatorQuery(c.PostForm, h.now())
	if err != nil {
		respondError(c, err)
		return
	}
	data, report, err := fillDashboard(c.Request.Context(), h.store, c.Param("sid"), fh, q, h.now(), h.limits)
	if err != nil {
		respondError(c, err)
		return
	}
	h.audit.record(c, accounts.AuditExportDownload, c.Param("sid"), "tableau de bord CAP "+export.PeriodFileName(q.Range))
	c.Header("X-Capsat-Names-Filled", strconv.Itoa(len(report.Filled)))
	c.Header("X-Capsat-Names-Unmatched", strconv.Itoa(len(report.Unmatched)))
	sendWorkbook(c, strings.TrimSuffix(filepath.Base(fh.Filename), filepath.Ext(fh.Filename)), data)
}

// fillDashboard fills the uploaded CAP dashboard fh with the figures of
// structure sid for q, whole in memory so that an error still gets a proper
// answer; the API and the exports page share it.
func fillDashboard(ctx context.Context, src export.IndicatorReader, sid string, fh *multipart.FileHeader, q survey.IndicatorQuery,
	now time.Time, limits export.UploadLimits) ([]byte, *export.FillReport, error) {
	file, err := fh.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open upload: %w", err)
	}
	defer file.Close()
	var buf bytes.Buffer
	report, err := export.FillStructureDashboard(ctx, src, sid, q, now, file, fh.Size, limits, &buf)
	if err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), report, nil
}
