// Package export writes satisfaction workbooks (xlsx, in French) from
// indicator values, and fills a structure's own CAP dashboard. It knows
// nothing of HTTP or of the store.
package export

import (
	"fmt"
	"strings"
	"time"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// styles are the cell styles of one workbook.
type styles struct {
	header, text, literal, date, percent, score, integer int
	loc                                                  *time.Location // of the civil dates shown
}

// Number formats, as Excel stores them; the display follows the reader's
// locale (a French Excel shows 12,5 %).
const (
	fmtPercent = "0.0%"
	fmtScore   = "0.00"
	fmtInteger = "0"
	fmtDate    = "dd/mm/yyyy"
	fmtText    = 49 // built-in "@": edits of the cell stay text
)

func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{loc: survey.IndicatorLocation()}
	custom := func(code string) *excelize.Style { return &excelize.Style{CustomNumFmt: &code} }
	defs := []struct {
		dst   *int
		style *excelize.Style
	}{
		{&s.header, &excelize.Style{
			Font:      &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE7F0"}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"},
		}},
		{&s.text, &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&s.literal, &excelize.Style{NumFmt: fmtText, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&s.date, custom(fmtDate)},
		{&s.percent, custom(fmtPercent)},
		{&s.score, custom(fmtScore)},
		{&s.integer, custom(fmtInteger)},
	}
	for _, d := range defs {
		id, err := f.NewStyle(d.style)
		if err != nil {
			return nil, fmt.Errorf("create style: %w", err)
		}
		*d.dst = id
	}
	return s, nil
}

// formulaLead reports whether a spreadsheet could take text starting this
// way for a formula (or a DDE payload) when the cell is edited or the sheet
// saved as CSV.
func formulaLead(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// textCell writes client or user text as literal text: an inline string
// (never a formula) and, when it starts like a formula, the text number
// format so that editing the cell keeps it text.
func (s *styles) textCell(v string) excelize.Cell {
	if formulaLead(v) {
		return excelize.Cell{StyleID: s.literal, Value: v}
	}
	return excelize.Cell{StyleID: s.text, Value: v}
}

// plain is a label cell without style.
func plain(v string) excelize.Cell { return excelize.Cell{Value: v} }

// dateCell writes the French civil date of t as a real date.
func (s *styles) dateCell(t time.Time) excelize.Cell {
	if t.IsZero() {
		return excelize.Cell{}
	}
	d := t.In(s.loc)
	return excelize.Cell{StyleID: s.date, Value: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)}
}

// kindStyle is the number format of a figure kind.
func (s *styles) kindStyle(k survey.FigureKind) int {
	switch k {
	case survey.KindRate:
		return s.percent
	case survey.KindScore:
		return s.score
	}
	return s.integer
}

// valueCell is a figure's value (empty when undefined) in its format.
func (s *styles) valueCell(f survey.Figure) excelize.Cell {
	c := excelize.Cell{StyleID: s.kindStyle(f.Kind)}
	if f.Value != nil {
		c.Value = *f.Value
	}
	return c
}

// countCell is a numerator or denominator; a count has no denominator.
func (s *styles) countCell(v float64, present bool) excelize.Cell {
	if !present {
		return excelize.Cell{}
	}
	return excelize.Cell{StyleID: s.integer, Value: v}
}

// figureCells are the Valeur, Numérateur, Dénominateur cells of a figure.
func (s *styles) figureCells(f survey.Figure) []excelize.Cell {
	return []excelize.Cell{
		s.valueCell(f),
		s.countCell(f.Numerator, true),
		s.countCell(f.Denominator, f.Kind != survey.KindCount),
	}
}
