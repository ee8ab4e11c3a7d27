package handlers

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// dashboardStore is what the structure dashboard needs.
type dashboardStore interface {
	backofficeStore
	SummaryIndicatorSource(ctx context.Context, sid string, r survey.DateRange, now time.Time) (*survey.IndicatorSource, error)
	RecentBenchmarkFrom(ctx context.Context, sid string, p survey.MonthSpan, service survey.ServiceType, tallies []survey.MonthTally) (*survey.Benchmark, error)
}

// dashboardPage serves a structure's dashboard.
type dashboardPage struct {
	store dashboardStore
	views *views
	now   func() time.Time
}

// trendPoint is one month of the trend chart and its table.
type trendPoint struct {
	Label     string
	Value     string // satisfaction, formatted
	Responses int
	X, Y      float64
	HasValue  bool
	Few       bool    // fewer than smallMonth answers: drawn hatched
	BandX     float64 // the month's column, for the hatching
}

// dashboardView is the data of dashboard.html.
type dashboardView struct {
	pageBase
	From, To, Service string
	Errors            *formErrors
	Services          []survey.ServiceType
	Period            string
	Headlines         []headlineView
	Distributions     []distributionView
	FewNote           string
	TrendStep         float64
	HasFew            bool
	Channels          []channelView
	Trend             []trendPoint
	TrendLine         string // SVG polyline points
	Comments          []survey.Verbatim
	OpenFollowUps     int
	Benchmark         []benchmarkRow
	Region            string
}

// channelView is the response rate of the links first handed out through
// one channel.
type channelView struct {
	Label, Code string
	HandedOut   int // links first handed out through it: the rate's n
	Responses   int
	Rate        string // responses to them / HandedOut
}

// benchmarkRow is one indicator of the structure beside its region and the network.
type benchmarkRow struct {
	Label                      string
	Structure, Region, Network netFigureView
}

// Trend chart geometry, in SVG user units.
const (
	trendWidth, trendHeight = 640.0, 240.0
	trendLeft, trendRight   = 48.0, 16.0
	trendTop, trendBottom   = 16.0, 40.0
)

// dashboardPeriod is the default range of the dashboard: the current month
// and the 11 before it, so that today's answers count at once.
func dashboardPeriod(now time.Time) survey.DateRange {
	loc := survey.IndicatorLocation()
	n := now.In(loc)
	first := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc)
	return survey.DateRange{From: first.AddDate(0, -11, 0), To: time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)}
}

// show renders the dashboard for the period and service of the query.
func (h *dashboardPage) show(c *gin.Context) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid")))
	if !ok {
		return
	}
	page := dashboardView{pageBase: base, Services: survey.ServiceTypes,
		From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to")), Service: c.Query("service")}
	q := survey.IndicatorQuery{Range: dashboardPeriod(h.now()), By: survey.ByMonth}
	status := http.StatusOK
	if page.From != "" || page.To != "" {
		r, err := survey.ParseDateRange(page.From, page.To, survey.IndicatorLocation())
		if fe, bad := newFormErrors(err, []string{"from", "to"}, nil); bad {
			page.Errors, status = fe, http.StatusUnprocessableEntity
		} else {
			q.Range = r
		}
	}
	if page.Service != "" {
		if st := survey.ServiceType(page.Service); st.Valid() {
			q.Service = st
		} else {
			page.Errors = addFormError(page.Errors, "service", "Type de prestation inconnu.")
			status = http.StatusUnprocessableEntity
		}
	}
	if page.From == "" && page.To == "" {
		page.From, page.To = q.Range.From.Format(time.DateOnly), q.Range.To.Format(time.DateOnly)
	}
	ctx := c.Request.Context()
	src, err := h.store.SummaryIndicatorSource(ctx, base.SID, q.Range, h.now())
	if err != nil {
		refusePage(c, err)
		return
	}
	in := survey.ComputeIndicators(src, q, h.now())
	svc := survey.AllServices
	if q.Service != "" {
		svc = string(q.Service)
	}
	page.Period = q.Range.String()
	page.Headlines = headlines(in, svc)
	page.Channels = channelRows(in, svc)
	page.Trend, page.TrendLine = trend(in, svc)
	page.Distributions, page.FewNote = distributions(in, svc, formatFigure), fewNote()
	if len(page.Trend) > 1 {
		page.TrendStep = page.Trend[1].X - page.Trend[0].X
	} else {
		page.TrendStep = trendWidth - trendLeft - trendRight
	}
	for i := range page.Trend {
		page.Trend[i].BandX = page.Trend[i].X - page.TrendStep/2
		page.HasFew = page.HasFew || page.Trend[i].Few
	}
	page.OpenFollowUps = src.OpenFollowUps() // of the period: what it read already
	page.Comments = in.Verbatims[:min(len(in.Verbatims), 5)]
	span := survey.MonthSpan{From: survey.SummaryMonth(q.Range.From), To: survey.SummaryMonth(q.Range.To)}
	bench, err := h.store.RecentBenchmarkFrom(ctx, base.SID, span, q.Service, src.Tallies) // the months it read already
	if err != nil {
		refusePage(c, err)
		return
	}
	page.Region, page.Benchmark = bench.Region, benchmarkRows(bench)
	h.views.render(c, status, "dashboard", page)
}

// headlines are the four figures at the top of the dashboard.
func headlines(in *survey.Indicators, svc string) []headlineView {
	out := []headlineView{}
	for _, h := range []struct{ code, label, unit string }{
		{survey.CodeResponseRate, "Taux de réponse", "questionnaires envoyés"},
		{survey.CodeOverall, "Satisfaction globale", "réponses"},
		{survey.CodeNPS, "NPS (recommandation)", "réponses"},
		{survey.CodeLoyalty, "Feraient de nouveau appel à nous", "réponses"},
	} {
		f, _ := in.Figure(h.code, survey.TotalPeriodKey, svc)
		out = append(out, headlineView{Label: h.label, Value: formatFigure(f), N: f.N, Unit: h.unit})
	}
	return out
}

// channelRows are the response rates by channel of the whole range.
func channelRows(in *survey.Indicators, svc string) []channelView {
	var out []channelView
	for _, ch := range survey.Channels {
		var v channelView
		for _, cc := range survey.ChannelCodes {
			if cc.Channel != ch {
				continue
			}
			f, _ := in.Figure(cc.Code, survey.TotalPeriodKey, svc)
			if cc.Kind == survey.KindCount {
				v.Responses = f.N
			} else {
				v.Code, v.Rate, v.HandedOut = cc.Code, formatFigure(f), f.N
			}
		}
		v.Label = ch.Label()
		out = append(out, v)
	}
	return out
}

// formatFigure writes a figure's value in French: "82 %", "+35", "−7", "0", "3,4".
func formatFigure(f survey.Figure) string {
	if f.Value == nil {
		return "—"
	}
	v := *f.Value
	switch f.Kind {
	case survey.KindRate:
		return frPercent(v)
	case survey.KindNPS:
		return frSigned(int(math.Round(v)))
	case survey.KindScore:
		return frDecimal(v)
	}
	return frThousands(int(v))
}

// trend places the monthly overall satisfaction on the chart: x by month,
// y from 0 % (bottom) to 100 % (top); months without answers have no point.
func trend(in *survey.Indicators, svc string) ([]trendPoint, string) {
	var months []survey.Period
	for _, p := range in.Periods {
		if p.Key != survey.TotalPeriodKey {
			months = append(months, p)
		}
	}
	step := (trendWidth - trendLeft - trendRight) / float64(max(len(months)-1, 1))
	var points []trendPoint
	var line []string
	for i, p := range months {
		f, _ := in.Figure(survey.CodeOverall, p.Key, svc)
		resp, _ := in.Figure(survey.CodeResponses, p.Key, svc)
		tp := trendPoint{Label: frShortMonth(p.From), Value: formatFigure(f), Responses: resp.N, X: trendLeft + float64(i)*step,
			Few: f.N > 0 && f.N < smallMonth}
		if f.Value != nil {
			tp.HasValue = true
			tp.Y = trendTop + (1-*f.Value)*(trendHeight-trendTop-trendBottom)
			line = append(line, fmt.Sprintf("%.1f,%.1f", tp.X, tp.Y))
		}
		points = append(points, tp)
	}
	return points, strings.Join(line, " ")
}

// benchmarkRows keeps the headline indicators of a benchmark, in the
// order of the network tables.
func benchmarkRows(b *survey.Benchmark) []benchmarkRow {
	var out []benchmarkRow
	for _, col := range networkCodes[1:] {
		for _, l := range b.Lines {
			if l.Code == col.code {
				out = append(out, benchmarkRow{Label: col.label, Structure: formatNetFigure(l.Structure, false),
					Region: netFigure(l.Region), Network: netFigure(l.Network)})
			}
		}
	}
	return out
}
