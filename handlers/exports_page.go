package handlers

import (
	"errors"
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

// exportsPageStore is what the exports page needs: its structure's name
// and what the workbooks read.
type exportsPageStore interface {
	backofficeStore
	export.Source
}

// exportsPage lets structure staff download the satisfaction workbook and
// have their CAP dashboard filled.
type exportsPage struct {
	store     exportsPageStore
	views     *views
	audit     auditor
	now       func() time.Time
	maxUpload int64
	limits    export.UploadLimits
}

// exportsView is the data of exports.html.
type exportsView struct {
	pageBase
	From, To, Service string
	Services          []survey.ServiceType
	Errors            *formErrors // the download form
	UploadErrors      *formErrors // the dashboard form
	UploadFrom        string
	UploadTo          string
}

// show draws both forms with the dashboard's default period.
func (h *exportsPage) show(c *gin.Context) {
	r := dashboardPeriod(h.now())
	from, to := r.From.Format(time.DateOnly), r.To.Format(time.DateOnly)
	h.render(c, http.StatusOK, exportsView{From: from, To: to, UploadFrom: from, UploadTo: to})
}

func (h *exportsPage) render(c *gin.Context, status int, v exportsView) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/exports")
	if !ok {
		return
	}
	v.pageBase, v.Services = base, survey.ServiceTypes
	h.views.render(c, status, "exports", v)
}

// download sends the satisfaction workbook of the period and service
// chosen; a bad period re-renders the page with its messages.
func (h *exportsPage) download(c *gin.Context) {
	v := exportsView{From: c.Query("from"), To: c.Query("to"), Service: c.Query("service")}
	v.UploadFrom, v.UploadTo = v.From, v.To
	q, err := indicatorQuery(c.Query, h.now())
	if fe, bad := newFormErrors(err, []string{"from", "to", "service"}, nil); bad {
		v.Errors = fe
		h.render(c, http.StatusUnprocessableEntity, v)
		return
	}
	name, data, err := export.BuildSatisfaction(c.Request.Context(), h.store, c.Param("sid"), q, h.now())
	if err != nil {
		refusePage(c, err)
		return
	}
	h.audit.record(c, accounts.AuditExportDownload, c.Param("sid"), "classeur de satisfaction "+export.PeriodFileName(q.Range))
	sendWorkbook(c, name, data)
}

// fill fills the uploaded CAP dashboard; a missing, oversized or unreadable
// file is reported beside the file field.
func (h *exportsPage) fill(c *gin.Context) {
	v := exportsView{UploadFrom: c.PostForm("from"), UploadTo: c.PostForm("to")}
	r := dashboardPeriod(h.now())
	v.From, v.To = r.From.Format(time.DateOnly), r.To.Format(time.DateOnly)
	refuse := func(err error) {
		v.UploadErrors, _ = newFormErrors(err, []string{"file", "dashboard-from", "dashboard-to"}, map[string]string{"from": "dashboard-from", "to": "dashboard-to"})
		if v.UploadErrors == nil {
			v.UploadErrors = addFormError(nil, "file", "Le classeur n'a pas pu être rempli.")
		}
		h.render(c, formStatus(err), v)
	}
	fh, err := uploadedWorkbook(c, h.maxUpload, "Choisissez le classeur du tableau de bord (fichier .xlsx).", notDashboardXLSX)
	if err != nil {
		refuse(err)
		return
	}
	q, err := indicatorQuery(c.PostForm, h.now())
	if err != nil {
		refuse(err)
		return
	}
	data, report, err := fillDashboard(c.Request.Context(), h.store, c.Param("sid"), fh, q, h.now(), h.limits)
	var verr *survey.ValidationError
	if errors.As(err, &verr) {
		refuse(err)
		return
	}
	if err != nil {
		refusePage(c, err)
		return
	}
	h.audit.record(c, accounts.AuditExportDownload, c.Param("sid"), "tableau de bord CAP "+export.PeriodFileName(q.Range))
	c.Header("X-Capsat-Names-Filled", strconv.Itoa(len(report.Filled)))
	sendWorkbook(c, strings.TrimSuffix(filepath.Base(fh.Filename), filepath.Ext(fh.Filename)), data)
}
