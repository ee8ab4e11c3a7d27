package export

import (
	"bytes"
	"strings"
	"testing"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

func TestComparisonSheetWithholdsOthersButNotOwnFigures(t *testing.T) {
	t.Parallel()
	q1, med, q3 := 0.5, 0.7, 0.9
	bm := &survey.Benchmark{StructureID: "s1", Region: "Corse", Period: survey.MonthSpan{From: "2026-01", To: "2026-03"}, Lines: []survey.BenchmarkLine{
		{
			Code:        survey.FigureOverall,
			Structure:   survey.NetFigure{Kind: survey.NetRate, Numerator: 2, Denominator: 3, Base: 3},
			Region:      survey.NetFigure{Kind: survey.NetRate, Numerator: 3, Denominator: 4, Base: 4},
			Network:     survey.NetFigure{Kind: survey.NetRate, Numerator: 80, Denominator: 100, Base: 100},
			RegionDist:  survey.Distribution{Structures: 1, Withheld: true},
			NetworkDist: survey.Distribution{Structures: 9, Q1: &q1, Median: &med, Q3: &q3},
		},
	}}
	f := excelize.NewFile()
	defer f.Close()
	if err := AddComparisonSheet(f, bm); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := g.GetRows(SheetComparison)
	row := rows[1]
	want := map[int]string{
		0: "Satisfaction globale", 1: "66.67%", 2: "3", // own figure on 3 responses: shown to itself
		3: WithheldMark, 4: "< 5", // region on 4 responses: withheld, count hidden
		5: "80.00%", 6: "100",
		7: "< 5 structures", 10: "< 5 structures",
		11: "50.00%", 12: "70.00%", 13: "90.00%", 14: WithheldMark, // not placed: own figure under 5 responses
	}
	for i, v := range want {
		if row[i] != v {
			t.Errorf("column %d = %q, want %q (row %v)", i+1, row[i], v, row)
		}
	}
	if !strings.Contains(strings.Join(rows[len(rows)-1], " "), "quartile 4 = les 25 % les plus élevés") {
		t.Errorf("the sheet must explain quartiles: %v", rows[len(rows)-1])
	}
}
