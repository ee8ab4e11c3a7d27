package survey_test

import (
	"math"
	"testing"

	"capsat/survey"
)

// benchNetwork: Normandie has five structures resting on ten answers each
// (overall satisfaction 0.2, 0.4, 0.6, 0.8 and 1.0, the last anonymous)
// and one on three answers only; Bretagne has two on ten answers (0.5, 0.7).
func benchNetwork() (map[string]*survey.Structure, *survey.Aggregate) {
	type line struct {
		id, region    string
		satisfied, of int
		anonymous     bool
	}
	lines := []line{
		{"n1", "Normandie", 2, 10, false},
		{"n2", "Normandie", 4, 10, false},
		{"n3", "Normandie", 6, 10, false},
		{"n4", "Normandie", 8, 10, false},
		{"n5", "Normandie", 10, 10, true},
		{"small", "Normandie", 3, 3, false},
		{"b1", "Bretagne", 5, 10, false},
		{"b2", "Bretagne", 7, 10, false},
	}
	byID := map[string]*survey.Structure{}
	var months []survey.MonthFigures
	for _, l := range lines {
		byID[l.id] = &survey.Structure{ID: l.id, Name: "Structure " + l.id, Region: l.region, Type: survey.TypeAI,
			Settings: survey.StructureSettings{Anonymous: l.anonymous}}
		months = append(months, survey.MonthFigures{StructureID: l.id, Month: "2026-01", Figures: survey.NetFigures{
			survey.FigureOverall: {Kind: survey.NetRate, Numerator: l.satisfied, Denominator: l.of, Base: l.of},
		}})
	}
	span := survey.MonthSpan{From: "2026-01", To: "2026-03"}
	agg := &survey.Aggregate{Query: survey.AggregateQuery{Period: span, Service: survey.ServiceMAD}, Network: survey.NetFigures{}}
	agg.Sum(months, byID, span)
	return byID, agg
}

func benchLine(t *testing.T, b *survey.Benchmark, code string) survey.BenchmarkLine {
	t.Helper()
	for _, l := range b.Lines {
		if l.Code == code {
			return l
		}
	}
	t.Fatalf("no %s line in %+v", code, b.Lines)
	return survey.BenchmarkLine{}
}

func near(got *float64, want float64) bool { return got != nil && math.Abs(*got-want) < 1e-9 }

func checkDist(t *testing.T, name string, d survey.Distribution, structures int, q1, median, q3 float64, quartile int) {
	t.Helper()
	if d.Structures != structures || d.Withheld || !near(d.Q1, q1) || !near(d.Median, median) || !near(d.Q3, q3) || d.Quartile != quartile {
		t.Errorf("%s: %+v (q1 %v median %v q3 %v)\nwant %d structures, quartiles %v %v %v, quartile %d",
			name, d, deref(d.Q1), deref(d.Median), deref(d.Q3), structures, q1, median, q3, quartile)
	}
}

func checkWithheld(t *testing.T, name string, d survey.Distribution, structures int) {
	t.Helper()
	if !d.Withheld || d.Structures != structures || d.Q1 != nil || d.Median != nil || d.Q3 != nil || d.Quartile != 0 {
		t.Errorf("%s: %+v, want withheld over %d structures", name, d, structures)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestCompareStructureLines(t *testing.T) {
	t.Parallel()
	byID, agg := benchNetwork()
	b := survey.CompareStructure(byID["n3"], agg)

	if b.StructureID != "n3" || b.Region != "Normandie" || b.Period != agg.Query.Period || b.Service != survey.ServiceMAD {
		t.Errorf("benchmark header %+v", b)
	}
	if len(b.Lines) != len(survey.BenchmarkCodes) {
		t.Fatalf("lines %+v", b.Lines)
	}
	for i, code := range survey.BenchmarkCodes {
		if b.Lines[i].Code != code {
			t.Errorf("line %d is %s, want %s", i, b.Lines[i].Code, code)
		}
	}
	l := benchLine(t, b, survey.FigureOverall)
	if l.Structure != (survey.NetFigure{Kind: survey.NetRate, Numerator: 6, Denominator: 10, Base: 10}) {
		t.Errorf("own figure %+v", l.Structure)
	}
	if l.Region != (survey.NetFigure{Kind: survey.NetRate, Numerator: 33, Denominator: 53, Base: 53}) {
		t.Errorf("region figure %+v, want Normandie's 33/53", l.Region)
	}
	if l.Network != (survey.NetFigure{Kind: survey.NetRate, Numerator: 45, Denominator: 73, Base: 73}) {
		t.Errorf("network figure %+v, want 45/73", l.Network)
	}
	// Normandie: 0.2 0.4 0.6 0.8 1.0 (the small structure is left out).
	checkDist(t, "region", l.RegionDist, 5, 0.4, 0.6, 0.8, 3)
	// Network: 0.2 0.4 0.5 0.6 0.7 0.8 1.0, interpolated.
	checkDist(t, "network", l.NetworkDist, 7, 0.45, 0.6, 0.75, 3)

	// A code no structure has: nothing to show, and no quartile.
	nps := benchLine(t, b, survey.FigureNPS)
	if nps.Structure != (survey.NetFigure{}) || nps.Network != (survey.NetFigure{}) {
		t.Errorf("NPS line %+v", nps)
	}
	checkWithheld(t, "NPS region", nps.RegionDist, 0)
	checkWithheld(t, "NPS network", nps.NetworkDist, 0)
}

func TestCompareStructureQuartiles(t *testing.T) {
	t.Parallel()
	byID, agg := benchNetwork()
	cases := []struct {
		id               string
		region, network  int // quartiles; 0 when not placed
		regionStructures int
	}{
		{"n1", 1, 1, 5},    // 0.2: below q1 everywhere
		{"n2", 2, 1, 5},    // 0.4: on the region's q1, below the network's 0.45
		{"n4", 4, 4, 5},    // 0.8: on the region's q3, above the network's 0.75
		{"n5", 4, 4, 5},    // anonymous: still found by its id
		{"small", 0, 0, 5}, // three answers: withheld, so not placed
		{"b2", 0, 3, 2},    // Bretagne has two structures: withheld
	}
	for _, tc := range cases {
		b := survey.CompareStructure(byID[tc.id], agg)
		l := benchLine(t, b, survey.FigureOverall)
		if l.Structure.Denominator == 0 {
			t.Errorf("%s: own figure not found: %+v", tc.id, l.Structure)
		}
		if l.RegionDist.Quartile != tc.region || l.NetworkDist.Quartile != tc.network || l.RegionDist.Structures != tc.regionStructures {
			t.Errorf("%s: region %+v, network %+v; want quartiles %d and %d, region on %d structures",
				tc.id, l.RegionDist, l.NetworkDist, tc.region, tc.network, tc.regionStructures)
		}
	}
	b2 := benchLine(t, survey.CompareStructure(byID["b2"], agg), survey.FigureOverall)
	checkWithheld(t, "Bretagne", b2.RegionDist, 2)
	if b2.Region != (survey.NetFigure{Kind: survey.NetRate, Numerator: 12, Denominator: 20, Base: 20}) {
		t.Errorf("Bretagne figure %+v: the region's own figure is not withheld by the quartile rule", b2.Region)
	}
	small := benchLine(t, survey.CompareStructure(byID["small"], agg), survey.FigureOverall)
	if small.Structure != (survey.NetFigure{Kind: survey.NetRate, Numerator: 3, Denominator: 3, Base: 3}) {
		t.Errorf("a structure sees its own small figure: got %+v", small.Structure)
	}
}

func TestCompareStructureOutsideTheAggregate(t *testing.T) {
	t.Parallel()
	_, agg := benchNetwork()
	st := &survey.Structure{ID: "new", Region: "Occitanie"}
	l := benchLine(t, survey.CompareStructure(st, agg), survey.FigureOverall)
	if l.Structure != (survey.NetFigure{}) || l.Region != (survey.NetFigure{}) {
		t.Errorf("unknown structure and region: %+v", l)
	}
	checkWithheld(t, "region", l.RegionDist, 0)
	checkDist(t, "network", l.NetworkDist, 7, 0.45, 0.6, 0.75, 0)
}
