package export

import (
	"fmt"
	"time"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// WithheldMark replaces a figure that rests on too few responses.
var WithheldMark = fmt.Sprintf("< %d réponses", survey.MinResponses)

// Sheet names of the consolidated workbook.
const (
	SheetStructures         = "Structures"
	SheetRegions            = "Régions"
	SheetTypes              = "Types de structure"
	SheetTrends             = "Tendances"
	SheetConsolidatedMethod = "Méthode"
)

// ConsolidatedMeta describes who the workbook is for.
type ConsolidatedMeta struct {
	Scope       string    // "Réseau national" or the region's name
	GeneratedAt time.Time // for the Méthode sheet
}

// consolidatedColumns are the indicators of the per-structure and
// per-group tables, each followed by its n.
var consolidatedColumns = []struct {
	code, label string
}{
	{survey.FigureIssued, "Questionnaires envoyés"},
	{survey.FigureResponses, "Réponses"},
	{survey.FigureResponseRate, "Taux de réponse"},
	{survey.FigureOverall, "Satisfaction globale"},
	{survey.FigureNPS, "NPS"},
	{survey.FigureReuse, "Taux de fidélisation"},
}

// book holds the file and its styles.
type book struct {
	f                                     *excelize.File
	header, percent, score, count, marked int
}

func newBook(f *excelize.File) (*book, error) {
	b := &book{f: f}
	styles := []struct {
		dst *int
		s   *excelize.Style
	}{
		{&b.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}},
		{&b.percent, &excelize.Style{NumFmt: 10}}, // 0.00%
		{&b.score, &excelize.Style{CustomNumFmt: ptr("0.0")}},
		{&b.count, &excelize.Style{NumFmt: 1}},
		{&b.marked, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "9C0006"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}}},
	}
	for _, st := range styles {
		id, err := f.NewStyle(st.s)
		if err != nil {
			return nil, err
		}
		*st.dst = id
	}
	return b, nil
}

func ptr[T any](v T) *T { return &v }

// table writes a header row and freezes it, then the rows, then an autofilter.
func (b *book) table(sheet string, header []string, rows int) error {
	if _, err := b.f.NewSheet(sheet); err != nil {
		return err
	}
	if err := b.f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(header))
	if err := b.f.SetCellStyle(sheet, "A1", last+"1", b.header); err != nil {
		return err
	}
	if err := b.f.SetColWidth(sheet, "A", "A", 36); err != nil {
		return err
	}
	if err := b.f.SetColWidth(sheet, "B", last, 14); err != nil {
		return err
	}
	if err := b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return b.f.AutoFilter(sheet, fmt.Sprintf("A1:%s%d", last, rows+1), nil)
}

// figureHeader is the indicator columns with their n.
func figureHeader(lead ...string) []string {
	h := append([]string{}, lead...)
	for _, c := range consolidatedColumns {
		h = append(h, c.label, "n ("+c.label+")")
	}
	return h
}

// figureCells writes one table line's indicators from column col on.
func (b *book) figureCells(sheet string, row, col int, figs survey.NetFigures) error {
	for _, c := range consolidatedColumns {
		if err := b.figureCell(sheet, row, col, figs[c.code], true); err != nil {
			return err
		}
		cell, _ := excelize.CoordinatesToCellName(col+1, row)
		if err := b.nCell(sheet, cell, figs[c.code]); err != nil {
			return err
		}
		col += 2
	}
	return nil
}

// figureCell writes a value, or the withheld mark, or a dash when there is
// nothing to compute; withhold is false only for a structure's own figures.
func (b *book) figureCell(sheet string, row, col int, fig survey.NetFigure, withhold bool) error {
	cell, _ := excelize.CoordinatesToCellName(col, row)
	v, ok := fig.Value()
	switch {
	case withhold && fig.Withheld():
		if err := b.f.SetCellStr(sheet, cell, WithheldMark); err != nil {
			return err
		}
		return b.f.SetCellStyle(sheet, cell, cell, b.marked)
	case !ok:
		return b.f.SetCellStr(sheet, cell, "—")
	}
	if err := b.f.SetCellFloat(sheet, cell, v, -1, 64); err != nil {
		return err
	}
	return b.f.SetCellStyle(sheet, cell, cell, b.styleOf(fig.Kind))
}

// nCell writes how many responses a figure rests on ("< 5" when withheld,
// so that the count cannot be read back from it).
func (b *book) nCell(sheet, cell string, fig survey.NetFigure) error {
	if fig.Withheld() {
		return b.f.SetCellStr(sheet, cell, fmt.Sprintf("< %d", survey.MinResponses))
	}
	return b.f.SetCellInt(sheet, cell, int64(fig.Base))
}

func (b *book) styleOf(k survey.NetKind) int {
	switch k {
	case survey.NetRate:
		return b.percent
	case survey.NetNPS, survey.NetScore:
		return b.score
	}
	return b.count
}
