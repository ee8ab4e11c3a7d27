package handlers

import (
	"context"
	"path/filepath"

	"capsat/export"
	"capsat/survey/accounts"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// federationPagesStore is what the federation and region pages need.
type federationPagesStore interface {
	backofficeStore
	Aggregate(ctx context.Context, q survey.AggregateQuery) (*survey.Aggregate, error)
	ListStructures(ctx context.Context, f survey.StructureFilter) ([]survey.Structure, error)
	CreateStructure(ctx context.Context, in survey.StructureInput) (*survey.Structure, error)
	CreateUser(ctx context.Context, in accounts.UserInput) (*accounts.User, error)
	UserByEmail(ctx context.Context, email string) (*accounts.User, error)
	Validator() *survey.Validator
	FindStructureForUpload(ctx context.Context, ref string) (*survey.Structure, error)
	ImportUpload(ctx context.Context, sid, fileName string, rows []survey.UploadRow) (*survey.UploadResult, error)
}

// federationPages serves the network figures (federation and regions) and
// the federation's structures list and creation form. Aggregates only:
// never a client's name, an order or a comment.
type federationPages struct {
	store     federationPagesStore
	views     *views
	audit     auditor
	now       func() time.Time
	maxUpload int64
	// storeWarning says the embedded store nears its limits (Deps).
	storeWarning string
}

// networkNav is the navigation of the federation and region pages.
func networkNav(c *gin.Context, active string) pageBase {
	who := principal(c)
	b := pageBase{CSRF: csrfToken(c), StructureName: "réseau"}
	links := []navLink{{Href: "/app/reseau", Label: "Indicateurs du réseau"}, {Href: "/app/reseau/structures", Label: "Structures"}}
	if who != nil && who.Role == accounts.RoleRegionViewer {
		links = []navLink{{Href: "/app/regions/" + url.PathEscape(who.Region), Label: "Indicateurs de la région"}}
	}
	for _, l := range links {
		l.Current = l.Href == active
		b.Nav = append(b.Nav, l)
	}
	return b
}

// netRow is one line of a network table (a region, a type, a structure):
// Href, when set, is the structure's own page.
type netRow struct {
	Label, Region, Type, Href string
	Figures                   []netFigureView
}

// networkView is the data of network.html.
type networkView struct {
	pageBase
	StoreWarning string
	Scope        string
	IsRegion     bool
	From, To     string
	Service      string
	Services     []survey.ServiceType
	Errors       *formErrors
	Headlines    []compareHeadline
	Columns      []string
	SortColumns  []sortColumn
	Regions      []netRow
	Types        []netRow
	Structures   []netRow
	Trend        []netTrendPoint
	TrendLine    string
	DownloadURL  string
	MinResponses int
}

// network shows the whole network's figures (federation).
func (h *federationPages) network(c *gin.Context) { h.show(c, "") }

// region shows one region's figures beside the network's (federation or
// that region's users).
func (h *federationPages) region(c *gin.Context) {
	if !survey.ValidRegion(c.Param("region")) {
		refusePage(c, survey.ErrNotFound)
		return
	}
	h.show(c, c.Param("region"))
}

// structurePagePath is a structure's aggregate-only page, under its region.
func structurePagePath(region, id string) string {
	return "/app/regions/" + url.PathEscape(region) + "/structures/" + url.PathEscape(id)
}

func (h *federationPages) show(c *gin.Context, region string) {
	active, scope, download := "/app/reseau", "Réseau national", "/api/v1/federation/exports/consolidated.xlsx"
	if region != "" {
		active, scope, download = "/app/regions/"+url.PathEscape(region), "Région "+region, "/api/v1/regions/"+url.PathEscape(region)+"/exports/consolidated.xlsx"
	}
	v := networkView{pageBase: networkNav(c, active), StoreWarning: h.storeWarning, Scope: scope, IsRegion: region != "", From: c.Query("from"), To: c.Query("to"), Service: c.Query("service"),
		Services: survey.ServiceTypes, MinResponses: survey.MinResponses}
	for _, col := range networkCodes {
		v.Columns = append(v.Columns, col.label)
	}
	q, agg, ok := h.aggregateOf(c, region, func(fe *formErrors) {
		v.Errors = fe
		h.views.render(c, http.StatusUnprocessableEntity, "network", v)
	})
	if !ok {
		return
	}
	v.From, v.To = q.Period.From, q.Period.To
	query := url.Values{"from": {q.Period.From}, "to": {q.Period.To}, "service": {string(q.Service)}}
	v.DownloadURL = download + "?" + query.Encode()
	// A region's headlines are its own figures (its row of the aggregate),
	// the network's beside them; the network page shows the network's.
	scopeFigures := agg.Network
	if region != "" {
		scopeFigures = survey.NetFigures{}
		for _, r := range agg.Regions {
			if r.Key == region {
				scopeFigures = r.Figures
			}
		}
	}
	for _, hc := range networkCodes[1:] {
		v.Headlines = append(v.Headlines, compareHeadline{Code: hc.code, Label: hc.label,
			Scope: counted(hc.code, scopeFigures[hc.code]), Network: counted(hc.code, agg.Network[hc.code])})
	}
	if region == "" {
		for _, r := range agg.Regions {
			v.Regions = append(v.Regions, netRow{Label: r.Key, Href: "/app/regions/" + url.PathEscape(r.Key) + "?" + query.Encode(), Figures: netFigures(r.Figures)})
		}
	}
	for _, t := range agg.Types {
		v.Types = append(v.Types, netRow{Label: structureTypeLabel(t.Key), Figures: netFigures(t.Figures)})
	}
	sorting := parseTableSort(c.Query("tri"), c.Query("ordre"))
	v.SortColumns = sorting.columns(query, active, region == "")
	lines := append([]survey.StructureFigures(nil), agg.Structures...)
	sortStructureLines(lines, sorting)
	for _, s := range lines {
		row := netRow{Label: s.Name, Region: s.Region, Type: structureTypeLabel(string(s.Type)), Figures: netFigures(s.Figures)}
		if !s.Anonymous && s.ID != "" {
			row.Href = structurePagePath(s.Region, s.ID) + "?" + query.Encode()
		}
		v.Structures = append(v.Structures, row)
	}
	v.Trend, v.TrendLine = netTrend(agg.Months)
	h.views.render(c, http.StatusOK, "network", v)
}

func netFigures(fs survey.NetFigures) []netFigureView {
	out := make([]netFigureView, 0, len(networkCodes))
	for _, col := range networkCodes {
		out = append(out, netFigure(fs[col.code]))
	}
	return out
}

// structureForm is the typed content of the structure creation form.
type structureForm struct {
	Name, SIRET, Region, Type, AdminEmail string
}

// structuresView is the data of structures.html.
type structuresView struct {
	pageBase
	Structures []survey.Structure
	Regions    []string
	Types      []survey.StructureType
	Form       structureForm
	Errors     *formErrors
	Created    *survey.Structure
	AdminEmail string
	Password   string // the first admin's password, shown once
	UploadFor  string // structure chosen for a workbook upload
	Uploaded   string // what an upload imported
}

// structures lists the network's structures with the creation form.
func (h *federationPages) structures(c *gin.Context) {
	h.renderStructures(c, http.StatusOK, structuresView{})
}

func (h *federationPages) renderStructures(c *gin.Context, status int, v structuresView) {
	list, err := h.store.ListStructures(c.Request.Context(), survey.StructureFilter{})
	if err != nil {
		refusePage(c, err)
		return
	}
	v.pageBase, v.Structures, v.Regions, v.Types = networkNav(c, "/app/reseau/structures"), list, survey.Regions, survey.StructureTypes
	h.views.render(c, status, "structures", v)
}

// createStructure creates a structure (with its default questionnaires)
// and its first administrator, whose password is shown once. Everything is
// checked before anything is written.
func (h *federationPages) createStructure(c *gin.Context) {
	ctx := c.Request.Context()
	form := structureForm{Name: c.PostForm("name"), SIRET: c.PostForm("siret"), Region: c.PostForm("region"),
		Type: c.PostForm("type"), AdminEmail: c.PostForm("admin_email")}
	in := survey.StructureInput{Name: form.Name, SIRET: form.SIRET, Region: form.Region, Type: survey.StructureType(form.Type)}
	verr := &survey.ValidationError{Message: "La structure n'a pas été créée."}
	var structErr *survey.ValidationError
	if errors.As(h.store.Validator().Structure(&in), &structErr) {
		for k, f := range structErr.Fields {
			verr.Add(k, f.Code, f.Message)
		}
	}
	email := accounts.NormalizeEmail(form.AdminEmail)
	if !accounts.ValidEmail(email) {
		verr.Add("admin_email", "email", "Adresse e-mail invalide (exemple : direction@structure.fr).")
	} else if _, err := h.store.UserByEmail(ctx, email); err == nil {
		verr.Add("admin_email", "taken", "Cette adresse a déjà un compte capsat.")
	}
	if err := verr.OrNil(); err != nil {
		fe, _ := newFormErrors(err, []string{"name", "siret", "region", "type", "admin_email"}, nil)
		h.renderStructures(c, http.StatusUnprocessableEntity, structuresView{Form: form, Errors: fe})
		return
	}
	st, err := h.store.CreateStructure(ctx, in)
	if fe, bad := fieldFormErrors(err); bad {
		h.renderStructures(c, formStatus(err), structuresView{Form: form, Errors: fe})
		return
	}
	if err != nil {
		refusePage(c, err)
		return
	}
	password := accounts.NewPassword()
	if _, err := h.store.CreateUser(ctx, accounts.UserInput{Email: email, Password: password, Role: accounts.RoleStructureAdmin, StructureID: st.ID}); err != nil {
		refusePage(c, fmt.Errorf("first admin of structure %s: %w", st.ID, err))
		return
	}
	h.audit.record(c, accounts.AuditUserCreate, st.ID, email)
	// The password is shown once, on this answer: no redirect, no-store.
	h.renderStructures(c, http.StatusCreated, structuresView{Created: st, AdminEmail: email, Password: password})
}

// uploadWorkbook imports the satisfaction workbook of a self-hosted
// structure, for the network figures; mistakes are shown beside the fields.
func (h *federationPages) uploadWorkbook(c *gin.Context) {
	ctx := c.Request.Context()
	v := structuresView{UploadFor: c.PostForm("structure_id")}
	refuse := func(err error) {
		fe, bad := newFormErrors(err, []string{"structure_id", "file"}, nil)
		if !bad {
			refusePage(c, err)
			return
		}
		if len(fe.Fields) == 0 {
			fe = addFormError(nil, "file", fe.Message)
		}
		v.Errors = fe
		h.renderStructures(c, formStatus(err), v)
	}
	if v.UploadFor == "" {
		refuse(survey.Invalid("structure_id", "required", "Choisissez la structure dont vous déposez le classeur."))
		return
	}
	fh, err := uploadedWorkbook(c, h.maxUpload, "Choisissez le classeur exporté par la structure (.xlsx).", notStructureXLSX)
	if err != nil {
		refuse(err)
		return
	}
	st, err := h.store.FindStructureForUpload(ctx, v.UploadFor)
	if errors.Is(err, survey.ErrNotFound) {
		refuse(survey.Invalid("structure_id", "unknown", "Structure inconnue."))
		return
	}
	if err != nil {
		refuse(err)
		return
	}
	file, err := fh.Open()
	if err != nil {
		refuse(survey.Invalid("file", "unreadable", "Le fichier joint est illisible."))
		return
	}
	defer file.Close()
	rows, err := export.ReadIndicatorRows(file, fh.Size, export.DefaultUploadLimits)
	if err != nil {
		refuse(err)
		return
	}
	res, err := h.store.ImportUpload(ctx, st.ID, filepath.Base(fh.Filename), rows)
	if err != nil {
		refuse(err)
		return
	}
	v = structuresView{Uploaded: fmt.Sprintf("Classeur de %s importé : %d mois (%s).", st.Name, len(res.Months), strings.Join(res.Months, ", "))}
	h.renderStructures(c, http.StatusCreated, v)
}

// structureView is the data of network_structure.html.
type structureView struct {
	pageBase
	Name, Region, Type string
	RegionHref         string
	From, To           string
	Service            string
	Services           []survey.ServiceType
	Errors             *formErrors
	Rows               []structureCompareRow
	MinResponses       int
}

// structureCompareRow is one figure of a structure beside its region and
// the network.
type structureCompareRow struct {
	Code, Label                string
	Structure, Region, Network countedFigure
}

// structure shows one structure's figures beside its region's and the
// network's, for the network's eyes: aggregates only, withheld under the
// small-numbers threshold, never an order or a client. A structure that
// chose not to be named has no such page.
func (h *federationPages) structure(c *gin.Context) {
	region := c.Param("region")
	if !survey.ValidRegion(region) {
		refusePage(c, survey.ErrNotFound)
		return
	}
	st, err := h.store.Structure(c.Request.Context(), c.Param("structure"))
	if err == nil && (st.Region != region || st.Settings.Anonymous) {
		err = survey.ErrNotFound
	}
	if err != nil {
		refusePage(c, err)
		return
	}
	active := "/app/regions/" + url.PathEscape(region)
	if principal(c).Role == accounts.RoleFederation {
		active = "/app/reseau"
	}
	v := structureView{pageBase: networkNav(c, active), Name: st.Name, Region: region, Type: structureTypeLabel(string(st.Type)),
		From: c.Query("from"), To: c.Query("to"), Service: c.Query("service"), Services: survey.ServiceTypes, MinResponses: survey.MinResponses}
	q, agg, ok := h.aggregateOf(c, region, func(fe *formErrors) {
		v.Errors = fe
		h.views.render(c, http.StatusUnprocessableEntity, "network_structure", v)
	})
	if !ok {
		return
	}
	v.From, v.To = q.Period.From, q.Period.To
	query := url.Values{"from": {q.Period.From}, "to": {q.Period.To}, "service": {string(q.Service)}}
	v.RegionHref = "/app/regions/" + url.PathEscape(region) + "?" + query.Encode()
	mine, regional := survey.NetFigures{}, survey.NetFigures{}
	for _, s := range agg.Structures {
		if s.ID == st.ID {
			mine = s.Figures
		}
	}
	for _, r := range agg.Regions {
		if r.Key == region {
			regional = r.Figures
		}
	}
	for _, col := range networkCodes[1:] {
		v.Rows = append(v.Rows, structureCompareRow{Code: col.code, Label: col.label,
			Structure: counted(col.code, mine[col.code]), Region: counted(col.code, regional[col.code]), Network: counted(col.code, agg.Network[col.code])})
	}
	h.views.render(c, http.StatusOK, "network_structure", v)
}

// aggregateOf reads the period and service the query asks for and the
// aggregate of region ("": the network). Bad input goes to badInput (the
// page with its messages, 422), a store fault to the refusal page; ok is
// false when the request was answered.
func (h *federationPages) aggregateOf(c *gin.Context, region string, badInput func(*formErrors)) (survey.AggregateQuery, *survey.Aggregate, bool) {
	q, err := aggregateQuery(c, h.now())
	if fe, bad := newFormErrors(err, []string{"from", "to", "service"}, nil); bad {
		badInput(fe)
		return q, nil, false
	}
	if err != nil {
		refusePage(c, err)
		return q, nil, false
	}
	q.Region = region
	agg, err := h.store.Aggregate(c.Request.Context(), q)
	if err != nil {
		refusePage(c, err)
		return q, nil, false
	}
	return q, agg, true
}
