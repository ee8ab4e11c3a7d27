package handlers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"capsat/export"
	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// federationStore is what the federation's API needs from the store.
type federationStore interface {
	Aggregate(ctx context.Context, q survey.AggregateQuery) (*survey.Aggregate, error)
	FindStructureForUpload(ctx context.Context, ref string) (*survey.Structure, error)
	ImportUpload(ctx context.Context, sid, fileName string, rows []survey.UploadRow) (*survey.UploadResult, error)
}

// federationAPI serves /api/v1/federation and /api/v1/regions/{region}:
// aggregates only, never a client's name, contact, comment or order.
type federationAPI struct {
	store     federationStore
	now       func() time.Time
	maxUpload int64
}

// figureJSON is one indicator in the API. A withheld figure carries only
// "withheld": true; others carry their value and n (responses it rests on).
type figureJSON struct {
	Value       *float64 `json:"value,omitempty"`
	Numerator   *int     `json:"numerator,omitempty"`
	Denominator *int     `json:"denominator,omitempty"`
	N           *int     `json:"n,omitempty"`
	Withheld    bool     `json:"withheld"`
}

// figureView shows a figure; withhold is false only for a structure's own figures.
func figureView(f survey.NetFigure, withhold bool) figureJSON {
	if withhold && f.Withheld() {
		return figureJSON{Withheld: true}
	}
	out := figureJSON{Numerator: &f.Numerator, Denominator: &f.Denominator, N: &f.Base}
	if v, ok := f.Value(); ok {
		out.Value = &v
	}
	return out
}

func figuresView(fs survey.NetFigures) map[string]figureJSON {
	out := make(map[string]figureJSON, len(fs))
	for code, f := range fs {
		out[code] = figureView(f, true)
	}
	return out
}

type regionJSON struct {
	Region     string                `json:"region"`
	Indicators map[string]figureJSON `json:"indicators"`
}

type typeJSON struct {
	Type       string                `json:"type"`
	Indicators map[string]figureJSON `json:"indicators"`
}

type monthJSON struct {
	Month      string                `json:"month"`
	Indicators map[string]figureJSON `json:"indicators"`
}

type structureLineJSON struct {
	ID         string                `json:"id"`
	Name       string                `json:"name"`
	Region     string                `json:"region"`
	Type       string                `json:"type"`
	Uploaded   bool                  `json:"uploaded"`
	Indicators map[string]figureJSON `json:"indicators"`
}

type indicatorsJSON struct {
	Period     survey.MonthSpan      `json:"period"`
	Service    string                `json:"service"`
	Network    map[string]figureJSON `json:"network"`
	Regions    []regionJSON          `json:"regions"`
	Types      []typeJSON            `json:"types"`
	Structures []structureLineJSON   `json:"structures"`
	Months     []monthJSON           `json:"months"`
	MinN       int                   `json:"min_responses"`
}

// aggregate reads ?from=&to=&service= and the :region of regional routes
// and aggregates them; on a mistake it answers the error and returns false.
func (h *federationAPI) aggregate(c *gin.Context) (*survey.Aggregate, bool) {
	region := c.Param("region")
	if region != "" && !survey.ValidRegion(region) {
		respondError(c, survey.ErrNotFound)
		return nil, false
	}
	q, err := aggregateQuery(c, h.now())
	if err != nil {
		respondError(c, err)
		return nil, false
	}
	q.Region = region
	agg, err := h.store.Aggregate(c.Request.Context(), q)
	if err != nil {
		respondError(c, err)
		return nil, false
	}
	return agg, true
}

// aggregateQuery parses the period and service of a request.
func aggregateQuery(c *gin.Context, now time.Time) (survey.AggregateQuery, error) {
	p, err := survey.ParseMonthSpan(c.Query("from"), c.Query("to"), now)
	if err != nil {
		return survey.AggregateQuery{}, err
	}
	service := survey.ServiceType(c.Query("service"))
	if service == "toutes" {
		service = ""
	}
	if service != "" && !service.Valid() {
		return survey.AggregateQuery{}, survey.Invalid("service", "enum", "Prestation inconnue (mise_a_disposition, mise_a_contrat ou toutes).")
	}
	return survey.AggregateQuery{Period: p, Service: service}, nil
}

func (h *federationAPI) indicators(c *gin.Context) {
	agg, ok := h.aggregate(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, indicatorsView(agg))
}

func indicatorsView(agg *survey.Aggregate) indicatorsJSON {
	out := indicatorsJSON{
		Period: agg.Query.Period, Service: string(agg.Query.Service), Network: figuresView(agg.Network),
		Regions: []regionJSON{}, Types: []typeJSON{}, Structures: []structureLineJSON{}, Months: []monthJSON{},
		MinN: survey.MinResponses,
	}
	for _, r := range agg.Regions {
		out.Regions = append(out.Regions, regionJSON{Region: r.Key, Indicators: figuresView(r.Figures)})
	}
	for _, t := range agg.Types {
		out.Types = append(out.Types, typeJSON{Type: t.Key, Indicators: figuresView(t.Figures)})
	}
	for _, s := range agg.Structures {
		out.Structures = append(out.Structures, structureLineJSON{ID: s.ID, Name: s.Name, Region: s.Region, Type: string(s.Type), Uploaded: s.Uploaded, Indicators: figuresView(s.Figures)})
	}
	for _, m := range agg.Months {
		out.Months = append(out.Months, monthJSON{Month: m.Key, Indicators: figuresView(m.Figures)})
	}
	return out
}

// consolidated sends the consolidated workbook, built in memory first so
// that an error still yields a proper error response.
func (h *federationAPI) consolidated(c *gin.Context) {
	agg, ok := h.aggregate(c)
	if !ok {
		return
	}
	q := agg.Query
	scope, slug := "Réseau national", "national"
	if q.Region != "" {
		scope, slug = q.Region, q.Region
	}
	var buf bytes.Buffer
	if err := export.WriteConsolidated(&buf, agg, export.ConsolidatedMeta{Scope: scope, GeneratedAt: h.now()}); err != nil {
		respondError(c, err)
		return
	}
	sendWorkbook(c, fmt.Sprintf("capsat-consolide-%s-%s-%s", slug, q.Period.From, q.Period.To), buf.Bytes())
}

// uploadJSON is the answer to an accepted upload.
type uploadJSON struct {
	Structure string   `json:"structure_id"`
	Months    []string `json:"months"`
	Replaced  []string `json:"replaced"`
	Rows      int      `json:"rows"`
}

// notStructureXLSX refuses a structure workbook that is not an .xlsx file.
const notStructureXLSX = "Le classeur exporté par la structure doit être un fichier Excel .xlsx."

// upload imports a self-hosted structure's workbook into network figures.
func (h *federationAPI) upload(c *gin.Context) {
	fh, err := uploadedWorkbook(c, h.maxUpload, "Joignez le classeur exporté par la structure (champ « file », format .xlsx).", notStructureXLSX)
	if err != nil {
		respondError(c, err)
		return
	}
	ref := c.PostForm("structure_id")
	if ref == "" {
		ref = c.PostForm("structure")
	}
	ctx := c.Request.Context()
	st, err := h.store.FindStructureForUpload(ctx, ref)
	if err != nil {
		respondError(c, err)
		return
	}
	file, err := fh.Open()
	if err != nil {
		respondError(c, survey.Invalid("file", "unreadable", "Le fichier joint est illisible."))
		return
	}
	defer file.Close()
	rows, err := export.ReadIndicatorRows(file, fh.Size, export.DefaultUploadLimits)
	if err != nil {
		respondError(c, err)
		return
	}
	res, err := h.store.ImportUpload(ctx, st.ID, filepath.Base(fh.Filename), rows)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, uploadJSON{Structure: res.StructureID, Months: res.Months, Replaced: res.Replaced, Rows: len(rows)})
}
