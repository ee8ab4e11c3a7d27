package export

import (
	"context"
	"io"
	"time"

	"capsat/survey"
)

// IndicatorReader reads the raw material of a structure's figures for a
// range: what filling a CAP dashboard needs.
type IndicatorReader interface {
	IndicatorSource(ctx context.Context, sid string, r survey.DateRange) (*survey.IndicatorSource, error)
}

// Source is what a structure's satisfaction workbook reads: the structure,
// its figures' raw material and its place beside its region and the
// network. The survey store is one.
type Source interface {
	IndicatorReader
	Structure(ctx context.Context, id string) (*survey.Structure, error)
	// RecentBenchmark: the structure's own figures as of now, its region's
	// and the network's at most a minute old.
	RecentBenchmark(ctx context.Context, sid string, p survey.MonthSpan, service survey.ServiceType) (*survey.Benchmark, error)
}

// BuildSatisfaction builds the satisfaction workbook of structure sid for
// q (cut by month whatever q.By says), beside the previous range of the
// same length, and names it (without extension).
func BuildSatisfaction(ctx context.Context, src Source, sid string, q survey.IndicatorQuery, now time.Time) (string, []byte, error) {
	q.By = survey.ByMonth
	st, err := src.Structure(ctx, sid)
	if err != nil {
		return "", nil, err
	}
	prev := q.Range.Previous()
	is, err := src.IndicatorSource(ctx, st.ID, survey.DateRange{From: prev.From, To: q.Range.To})
	if err != nil {
		return "", nil, err
	}
	followUps := followUpsIn(is, q.Range)
	span := survey.MonthSpan{From: survey.SummaryMonth(q.Range.From), To: survey.SummaryMonth(q.Range.To)}
	comparison, err := src.RecentBenchmark(ctx, st.ID, span, q.Service)
	if err != nil {
		return "", nil, err
	}
	in := Satisfaction{
		FollowUps:     followUps,
		StructureName: st.Name,
		Current:       survey.ComputeIndicators(is, q, now),
		Previous:      survey.ComputeIndicators(is, survey.IndicatorQuery{Range: prev, By: survey.ByMonth, Service: q.Service}, now),
		Source:        is,
		GeneratedAt:   now,
		Comparison:    comparison,
	}
	// Counted now, the issued surveys are not written anywhere: let them go
	// before the workbook is built (120,000 of them for the largest
	// structures), as the follow-ups of the previous range.
	is.Surveys, is.FollowUps = nil, nil
	data, err := SatisfactionWorkbook(in)
	if err != nil {
		return "", nil, err
	}
	return "satisfaction-" + st.Name + "-" + PeriodFileName(q.Range), data, nil
}

// followUpsIn returns the flagged responses of is whose survey was issued
// in r: the period attribution of every other sheet. It filters in place.
func followUpsIn(is *survey.IndicatorSource, r survey.DateRange) []survey.Response {
	out := is.FollowUps[:0]
	for _, f := range is.FollowUps {
		if r.Contains(f.IssuedAt) {
			out = append(out, f)
		}
	}
	return out
}

// FillStructureDashboard fills the CAP dashboard in r (size bytes) with
// the figures of structure sid for q, by month, quarter and year, and
// writes it to w (see FillDashboard).
func FillStructureDashboard(ctx context.Context, src IndicatorReader, sid string, q survey.IndicatorQuery, now time.Time,
	r io.ReaderAt, size int64, limits UploadLimits, w io.Writer) (*FillReport, error) {
	is, err := src.IndicatorSource(ctx, sid, q.Range)
	if err != nil {
		return nil, err
	}
	by := func(g survey.Granularity) *survey.Indicators {
		q.By = g
		return survey.ComputeIndicators(is, q, now)
	}
	d := Dashboard{Monthly: by(survey.ByMonth), Quarterly: by(survey.ByQuarter), Yearly: by(survey.ByYear)}
	return FillDashboard(r, size, d, limits, w)
}

// PeriodFileName names a range in file names: "2026-03" for one month,
// "2025-03_2026-02" for whole months, else the two dates.
func PeriodFileName(r survey.DateRange) string {
	if r.WholeMonths() {
		first, last := r.From.Format("2006-01"), r.To.Format("2006-01")
		if first == last {
			return first
		}
		return first + "_" + last
	}
	return r.From.Format(time.DateOnly) + "_" + r.To.Format(time.DateOnly)
}
