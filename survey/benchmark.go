package survey

import (
	"math"
	"sort"
)

// BenchmarkCodes are the indicators a structure is compared on.
var BenchmarkCodes = []string{FigureResponseRate, FigureOverall, FigureNPS, FigureReuse}

// MinStructuresForQuartiles is how many structures (each with at least
// MinResponses responses) a distribution needs before its quartiles are
// shown: fewer would let a structure guess another's figure.
const MinStructuresForQuartiles = 5

// Distribution is where structures stand on one indicator: quartiles of
// the values of structures resting on at least MinResponses responses.
type Distribution struct {
	Structures int      `json:"structures"` // how many structures it rests on
	Withheld   bool     `json:"withheld"`
	Q1         *float64 `json:"q1,omitempty"` // nil when withheld
	Median     *float64 `json:"median,omitempty"`
	Q3         *float64 `json:"q3,omitempty"`
	Quartile   int      `json:"quartile,omitempty"` // the structure's: 1 (lowest 25 %) … 4 (highest 25 %); 0 when not placed
}

// BenchmarkLine compares one indicator of a structure with its region and
// the network.
type BenchmarkLine struct {
	Code        string       `json:"code"`
	Structure   NetFigure    `json:"structure"` // the structure's own figure, never withheld for itself
	Region      NetFigure    `json:"region"`
	Network     NetFigure    `json:"network"`
	RegionDist  Distribution `json:"region_distribution"`
	NetworkDist Distribution `json:"network_distribution"`
}

// Benchmark is a structure's figures beside its region's and the
// network's, without any other structure's name or figure.
type Benchmark struct {
	StructureID string          `json:"structure_id"`
	Region      string          `json:"region"`
	Period      MonthSpan       `json:"period"`
	Service     ServiceType     `json:"service,omitempty"`
	Lines       []BenchmarkLine `json:"indicators"`
}

// distribution computes quartiles over the structures kept by in, each
// resting on enough responses, and places the structure's own figure.
func distribution(lines []StructureFigures, code string, own NetFigure, in func(StructureFigures) bool) Distribution {
	var values []float64
	for _, l := range lines {
		f := l.Figures[code]
		v, ok := f.Value()
		if ok && !f.Withheld() && in(l) {
			values = append(values, v)
		}
	}
	d := Distribution{Structures: len(values)}
	if len(values) < MinStructuresForQuartiles {
		d.Withheld = true
		return d
	}
	sort.Float64s(values)
	q1, median, q3 := quantile(values, 0.25), quantile(values, 0.5), quantile(values, 0.75)
	d.Q1, d.Median, d.Q3 = &q1, &median, &q3
	if v, ok := own.Value(); ok && !own.Withheld() {
		d.Quartile = quartileOf(v, q1, median, q3)
	}
	return d
}

// quantile interpolates linearly between the closest ranks of sorted values.
func quantile(sorted []float64, p float64) float64 {
	pos := p * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	return sorted[lo] + (pos-float64(lo))*(sorted[hi]-sorted[lo])
}

func quartileOf(v, q1, median, q3 float64) int {
	switch {
	case v >= q3:
		return 4
	case v >= median:
		return 3
	case v >= q1:
		return 2
	}
	return 1
}

// CompareStructure is st's benchmark against its region and the network,
// from an aggregate of the whole network.
func CompareStructure(st *Structure, agg *Aggregate) *Benchmark {
	own, _ := OwnFigures(agg, st.ID)
	return CompareStructureWith(st, agg, own)
}

// OwnFigures are structure sid's figures in agg, and whether some of its
// months come from an uploaded workbook.
func OwnFigures(agg *Aggregate, sid string) (NetFigures, bool) {
	for _, line := range agg.Structures {
		if line.id == sid {
			return line.Figures, line.Uploaded
		}
	}
	return NetFigures{}, false
}

// CompareStructureWith is CompareStructure with the structure's own figures
// given (more recent than the aggregate's).
func CompareStructureWith(st *Structure, agg *Aggregate, own NetFigures) *Benchmark {
	region := NetFigures{}
	for _, r := range agg.Regions {
		if r.Key == st.Region {
			region = r.Figures
		}
	}
	b := &Benchmark{StructureID: st.ID, Region: st.Region, Period: agg.Query.Period, Service: agg.Query.Service}
	for _, code := range BenchmarkCodes {
		b.Lines = append(b.Lines, BenchmarkLine{
			Code: code, Structure: own[code], Region: region[code], Network: agg.Network[code],
			RegionDist:  distribution(agg.Structures, code, own[code], func(l StructureFigures) bool { return l.Region == st.Region }),
			NetworkDist: distribution(agg.Structures, code, own[code], func(StructureFigures) bool { return true }),
		})
	}
	return b
}
