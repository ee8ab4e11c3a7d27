package survey_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"capsat/survey"
)

func TestParseMonthSpan(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, from, to string
		now            time.Time
		want           survey.MonthSpan
	}{
		{"default: twelve months to the current one", "", "", now, survey.MonthSpan{From: "2025-04", To: "2026-03"}},
		{"default on the 31st", "", "", time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC), survey.MonthSpan{From: "2025-02", To: "2026-01"}},
		{"default: the month of Paris", "", "", time.Date(2026, 3, 31, 22, 30, 0, 0, time.UTC), survey.MonthSpan{From: "2025-05", To: "2026-04"}},
		{"months", "2025-11", "2026-02", now, survey.MonthSpan{From: "2025-11", To: "2026-02"}},
		{"one month", "2026-02", "2026-02", now, survey.MonthSpan{From: "2026-02", To: "2026-02"}},
		{"dates stand for their month", "2026-01-15", "2026-03-31", now, survey.MonthSpan{From: "2026-01", To: "2026-03"}},
		{"120 months", "2016-01", "2025-12", now, survey.MonthSpan{From: "2016-01", To: "2025-12"}},
	}
	for _, tc := range cases {
		got, err := survey.ParseMonthSpan(tc.from, tc.to, tc.now)
		if err != nil || got != tc.want {
			t.Errorf("%s: ParseMonthSpan(%q, %q) = %+v, %v; want %+v", tc.name, tc.from, tc.to, got, err, tc.want)
		}
	}
}

func TestParseMonthSpanRefuses(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		from, to string
		fields   map[string]string // field → code
	}{
		{"2026-13", "2026-12", map[string]string{"from": "month"}},
		{"2026-01", "2026-3", map[string]string{"to": "month"}},
		{"", "2026-01", map[string]string{"from": "month"}},
		{"2026-01", "", map[string]string{"to": "month"}},
		{"2026-02-30", "2026-03", map[string]string{"from": "month"}}, // not a date, not a month
		{"janvier", "mars", map[string]string{"from": "month", "to": "month"}},
		{"2026-03", "2026-02", map[string]string{"to": "end_before_start"}},
		{"2026-03-01", "2026-02-28", map[string]string{"to": "end_before_start"}},
		{"2016-01", "2026-01", map[string]string{"to": "too_long"}}, // 121 months
	}
	for _, tc := range cases {
		got, err := survey.ParseMonthSpan(tc.from, tc.to, now)
		var v *survey.ValidationError
		if !errors.As(err, &v) {
			t.Errorf("ParseMonthSpan(%q, %q) = %+v, %v; want a validation error", tc.from, tc.to, got, err)
			continue
		}
		if got != (survey.MonthSpan{}) || v.Message != "Période invalide." {
			t.Errorf("ParseMonthSpan(%q, %q) = %+v, %q", tc.from, tc.to, got, v.Message)
		}
		codes := map[string]string{}
		for f, fe := range v.Fields {
			codes[f] = fe.Code
		}
		if !reflect.DeepEqual(codes, tc.fields) {
			t.Errorf("ParseMonthSpan(%q, %q) fields %v, want %v", tc.from, tc.to, codes, tc.fields)
		}
	}
	_, err := survey.ParseMonthSpan("2016-01", "2026-01", now)
	var v *survey.ValidationError
	if !errors.As(err, &v) || v.Fields["to"].Message != "La période ne peut pas dépasser 120 mois." {
		t.Errorf("too long: %v", err)
	}
}

func TestMonthSpanMonthsAndContains(t *testing.T) {
	t.Parallel()
	p := survey.MonthSpan{From: "2025-11", To: "2026-02"}
	if got, want := p.Months(), []string{"2025-11", "2025-12", "2026-01", "2026-02"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Months() = %v, want %v", got, want)
	}
	if got := (survey.MonthSpan{From: "2026-02", To: "2026-02"}).Months(); !reflect.DeepEqual(got, []string{"2026-02"}) {
		t.Errorf("one month: %v", got)
	}
	for month, in := range map[string]bool{"2025-10": false, "2025-11": true, "2025-12": true, "2026-02": true, "2026-03": false} {
		if p.Contains(month) != in {
			t.Errorf("Contains(%q) = %v", month, !in)
		}
	}
}

// aggStructures: two named structures and an anonymous one in Normandie, one
// in Bretagne.
func aggStructures() map[string]*survey.Structure {
	return map[string]*survey.Structure{
		"s1": {ID: "s1", Name: "Beta Emploi", Region: "Normandie", Type: survey.TypeAI},
		"s2": {ID: "s2", Name: "Caché", Region: "Normandie", Type: survey.TypeETTI, Settings: survey.StructureSettings{Anonymous: true}},
		"s3": {ID: "s3", Name: "Alpha Services", Region: "Bretagne", Type: survey.TypeAI},
		"s4": {ID: "s4", Name: "Aa Intérim", Region: "Normandie", Type: survey.TypeEI},
	}
}

// responses is the figures of a structure-month with n answers out of issued.
func responses(n, issued int) survey.NetFigures {
	return survey.NetFigures{
		survey.FigureResponses:    {Kind: survey.NetCount, Numerator: n, Denominator: issued, Base: n},
		survey.FigureResponseRate: {Kind: survey.NetRate, Numerator: n, Denominator: issued, Base: n},
	}
}

func aggMonths() []survey.MonthFigures {
	return []survey.MonthFigures{
		{StructureID: "s1", Month: "2026-01", Figures: responses(2, 4)},
		{StructureID: "s1", Month: "2026-02", Figures: responses(3, 5)},
		{StructureID: "s2", Month: "2026-02", Figures: responses(5, 10), Uploaded: true},
		{StructureID: "s3", Month: "2026-01", Figures: responses(7, 8)},
		{StructureID: "s4", Month: "2026-02", Figures: responses(1, 1)},
		{StructureID: "gone", Month: "2026-01", Figures: responses(100, 100)}, // a deleted structure counts nowhere
	}
}

func rate(f survey.NetFigures) [2]int {
	r := f[survey.FigureResponseRate]
	return [2]int{r.Numerator, r.Denominator}
}

func groupRates(gs []survey.GroupFigures) map[string][2]int {
	out := map[string][2]int{}
	for _, g := range gs {
		out[g.Key] = rate(g.Figures)
	}
	return out
}

func groupKeys(gs []survey.GroupFigures) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Key)
	}
	return out
}

func TestAggregateSumNetwork(t *testing.T) {
	t.Parallel()
	span := survey.MonthSpan{From: "2025-12", To: "2026-02"}
	agg := &survey.Aggregate{Query: survey.AggregateQuery{Period: span}, Network: survey.NetFigures{}}
	agg.Sum(aggMonths(), aggStructures(), span)

	if got := rate(agg.Network); got != [2]int{18, 28} {
		t.Errorf("network rate %v, want 18/28", got)
	}
	if n := agg.Network[survey.FigureResponses]; n.Kind != survey.NetCount || n.Numerator != 18 || n.Base != 18 {
		t.Errorf("network responses %+v", n)
	}
	if got := groupKeys(agg.Regions); !reflect.DeepEqual(got, []string{"Bretagne", "Normandie"}) {
		t.Errorf("regions %v, want sorted", got)
	}
	if got := groupRates(agg.Regions); got["Bretagne"] != [2]int{7, 8} || got["Normandie"] != [2]int{11, 20} {
		t.Errorf("region rates %v", got)
	}
	// Types follow survey.StructureTypes, not the order of appearance.
	if got := groupKeys(agg.Types); !reflect.DeepEqual(got, []string{"AI", "ETTI", "EI"}) {
		t.Errorf("types %v", got)
	}
	if got := groupRates(agg.Types); got["AI"] != [2]int{12, 17} || got["ETTI"] != [2]int{5, 10} || got["EI"] != [2]int{1, 1} {
		t.Errorf("type rates %v", got)
	}
	if got := groupKeys(agg.Months); !reflect.DeepEqual(got, []string{"2025-12", "2026-01", "2026-02"}) {
		t.Errorf("months %v", got)
	}
	if agg.Months[0].Figures == nil || len(agg.Months[0].Figures) != 0 {
		t.Errorf("an empty month is %#v, want empty figures", agg.Months[0].Figures)
	}
	if got := groupRates(agg.Months); got["2026-01"] != [2]int{9, 12} || got["2026-02"] != [2]int{9, 16} {
		t.Errorf("month rates %v", got)
	}
	if !reflect.DeepEqual(groupRates(agg.NetworkTrend), groupRates(agg.Months)) {
		t.Errorf("network trend %v, want the scope's %v", groupRates(agg.NetworkTrend), groupRates(agg.Months))
	}

	// Named structures by name, the anonymous one last without id nor name.
	want := []survey.StructureFigures{
		{ID: "s4", Name: "Aa Intérim", Region: "Normandie", Type: survey.TypeEI},
		{ID: "s3", Name: "Alpha Services", Region: "Bretagne", Type: survey.TypeAI},
		{ID: "s1", Name: "Beta Emploi", Region: "Normandie", Type: survey.TypeAI},
		{ID: "", Name: survey.UnnamedStructure, Region: "Normandie", Type: survey.TypeETTI, Anonymous: true, Uploaded: true},
	}
	wantRates := [][2]int{{1, 1}, {7, 8}, {5, 9}, {5, 10}}
	if len(agg.Structures) != len(want) {
		t.Fatalf("structures %+v", agg.Structures)
	}
	for i, w := range want {
		g := agg.Structures[i]
		if g.ID != w.ID || g.Name != w.Name || g.Region != w.Region || g.Type != w.Type || g.Anonymous != w.Anonymous || g.Uploaded != w.Uploaded || rate(g.Figures) != wantRates[i] {
			t.Errorf("structure %d = %+v\nwant %+v with rate %v", i, g, w, wantRates[i])
		}
	}
	if agg.SummaryCount != 0 || agg.Uploads != nil {
		t.Errorf("Sum set summary count %d, uploads %v", agg.SummaryCount, agg.Uploads)
	}
}

func TestAggregateSumRegion(t *testing.T) {
	t.Parallel()
	span := survey.MonthSpan{From: "2026-01", To: "2026-02"}
	agg := &survey.Aggregate{Query: survey.AggregateQuery{Period: span, Region: "Bretagne"}, Network: survey.NetFigures{}}
	agg.Sum(aggMonths(), aggStructures(), span)

	// The network and its trend still cover every region.
	if got := rate(agg.Network); got != [2]int{18, 28} {
		t.Errorf("network rate %v, want 18/28", got)
	}
	if got := groupRates(agg.NetworkTrend); got["2026-01"] != [2]int{9, 12} || got["2026-02"] != [2]int{9, 16} {
		t.Errorf("network trend %v", got)
	}
	// Everything else is the region's.
	if got := groupRates(agg.Regions); len(agg.Regions) != 1 || got["Bretagne"] != [2]int{7, 8} {
		t.Errorf("regions %+v", agg.Regions)
	}
	if got := groupRates(agg.Types); len(agg.Types) != 1 || got["AI"] != [2]int{7, 8} {
		t.Errorf("types %+v", agg.Types)
	}
	if got := groupRates(agg.Months); got["2026-01"] != [2]int{7, 8} || len(agg.Months[1].Figures) != 0 {
		t.Errorf("months %+v", agg.Months)
	}
	if len(agg.Structures) != 1 || agg.Structures[0].ID != "s3" || rate(agg.Structures[0].Figures) != [2]int{7, 8} {
		t.Errorf("structures %+v", agg.Structures)
	}
}

func TestAggregateSumDoesNotChangeItsInput(t *testing.T) {
	t.Parallel()
	months := aggMonths()
	span := survey.MonthSpan{From: "2026-01", To: "2026-02"}
	agg := &survey.Aggregate{Network: survey.NetFigures{}}
	agg.Sum(months, aggStructures(), span)
	agg.Sum(months, aggStructures(), span) // groups must not share the first month's maps
	if !reflect.DeepEqual(months, aggMonths()) {
		t.Errorf("Sum changed the month figures it was given: %+v", months)
	}
}

// TestAggregateSumOnZeroAggregate: Sum works on the zero Aggregate (it
// used to panic on its nil Network).
func TestAggregateSumOnZeroAggregate(t *testing.T) {
	t.Parallel()
	span := survey.MonthSpan{From: "2026-01", To: "2026-02"}
	agg := &survey.Aggregate{}
	agg.Sum(aggMonths(), aggStructures(), span)
	if got := rate(agg.Network); got != [2]int{18, 28} {
		t.Errorf("network rate %v, want 18/28", got)
	}
}

func TestDisplayName(t *testing.T) {
	t.Parallel()
	st := &survey.Structure{Name: "Beta Emploi"}
	if got := survey.DisplayName(st); got != "Beta Emploi" {
		t.Errorf("named: %q", got)
	}
	st.Settings.Anonymous = true
	if got := survey.DisplayName(st); got != "Structure non nommée" {
		t.Errorf("anonymous: %q", got)
	}
}
