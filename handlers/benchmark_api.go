package handlers

import (
	"context"
	"net/http"
	"time"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// benchmarkStore is what the benchmark API needs from the store.
type benchmarkStore interface {
	Benchmark(ctx context.Context, sid string, p survey.MonthSpan, service survey.ServiceType) (*survey.Benchmark, error)
}

// benchmarkAPI serves a structure's comparison with its region and the network.
type benchmarkAPI struct {
	store benchmarkStore
	now   func() time.Time
}

type benchmarkLineJSON struct {
	Code        string              `json:"code"`
	Structure   figureJSON          `json:"structure"`
	Region      figureJSON          `json:"region"`
	Network     figureJSON          `json:"network"`
	RegionDist  survey.Distribution `json:"region_distribution"`
	NetworkDist survey.Distribution `json:"network_distribution"`
}

type benchmarkJSON struct {
	StructureID string              `json:"structure_id"`
	Region      string              `json:"region"`
	Period      survey.MonthSpan    `json:"period"`
	Service     string              `json:"service"`
	Indicators  []benchmarkLineJSON `json:"indicators"`
	MinN        int                 `json:"min_responses"`
}

func (h *benchmarkAPI) get(c *gin.Context) {
	q, err := aggregateQuery(c, h.now())
	if err != nil {
		respondError(c, err)
		return
	}
	b, err := h.store.Benchmark(c.Request.Context(), c.Param("sid"), q.Period, q.Service)
	if err != nil {
		respondError(c, err)
		return
	}
	out := benchmarkJSON{StructureID: b.StructureID, Region: b.Region, Period: b.Period, Service: string(b.Service), Indicators: []benchmarkLineJSON{}, MinN: survey.MinResponses}
	for _, l := range b.Lines {
		out.Indicators = append(out.Indicators, benchmarkLineJSON{
			Code: l.Code, Structure: figureView(l.Structure, false),
			Region: figureView(l.Region, true), Network: figureView(l.Network, true),
			RegionDist: l.RegionDist, NetworkDist: l.NetworkDist,
		})
	}
	c.JSON(http.StatusOK, out)
}
