package export

import (
	"fmt"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// evolutionColumns are the monthly series of the Évolution sheet.
var evolutionColumns = []struct {
	code, header string
}{
	{survey.CodeSent, "Questionnaires envoyés"},
	{survey.CodeResponses, "Réponses"},
	{survey.CodeResponseRate, "Taux de réponse"},
	{survey.CodeOverall, "Satisfaction globale"},
	{survey.CodeNPS, "NPS"},
}

// evolutionCharts are the charts drawn from the series: column of the
// series (D = rate, E = overall, F = NPS), title, chart type.
var evolutionCharts = []struct {
	col, title string
	kind       excelize.ChartType
	anchor     string
}{
	{"D", "Taux de réponse", excelize.Col, "H2"},
	{"E", "Satisfaction globale", excelize.Line, "H20"},
	{"F", "NPS", excelize.Line, "H38"},
}

// writeEvolution: one row per month (for the first service selection:
// both types together, or the one asked for) and three native charts.
func writeEvolution(f *excelize.File, st *styles, in *Satisfaction) error {
	cur := in.Current
	svc := cur.Services[0]
	header := []string{"Mois"}
	for _, c := range evolutionColumns {
		header = append(header, c.header)
	}
	var rows [][]excelize.Cell
	for _, p := range cur.Periods {
		if p.Key == survey.TotalPeriodKey {
			continue
		}
		row := []excelize.Cell{plain(p.Label)}
		for _, c := range evolutionColumns {
			fg, _ := cur.Figure(c.code, p.Key, svc)
			row = append(row, st.valueCell(fg))
		}
		rows = append(rows, row)
	}
	if _, err := f.NewSheet(SheetEvolution); err != nil {
		return fmt.Errorf("sheet %s: %w", SheetEvolution, err)
	}
	t := table{name: SheetEvolution, header: header, widths: []float64{16, 14, 11, 12, 13, 10}}
	if err := t.writeCells(f, st, rows); err != nil {
		return err
	}
	last := len(rows) + 1
	for _, ch := range evolutionCharts {
		ref := func(col string) string { return fmt.Sprintf("'%s'!$%s$2:$%s$%d", SheetEvolution, col, col, last) }
		chart := &excelize.Chart{
			Type: ch.kind,
			Series: []excelize.ChartSeries{{
				Name: fmt.Sprintf("'%s'!$%s$1", SheetEvolution, ch.col), Categories: ref("A"), Values: ref(ch.col),
			}},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: ch.title + " (" + survey.ServiceLabel(svc) + ")"}}},
			Legend:    excelize.ChartLegend{Position: "none"},
			Dimension: excelize.ChartDimension{Width: 640, Height: 320},
		}
		if err := f.AddChart(SheetEvolution, ch.anchor, chart); err != nil {
			return fmt.Errorf("chart %s: %w", ch.title, err)
		}
	}
	return nil
}
