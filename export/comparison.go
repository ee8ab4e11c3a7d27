package export

import (
	"fmt"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// SheetComparison is the sheet a structure's own workbook gets from AddComparisonSheet.
const SheetComparison = "Comparaison"

var comparisonHeader = []string{
	"Indicateur", "Votre structure", "n",
	"Votre région", "n (région)", "Réseau", "n (réseau)",
	"Région : 1er quartile", "Région : médiane", "Région : 3e quartile", "Votre quartile dans la région",
	"Réseau : 1er quartile", "Réseau : médiane", "Réseau : 3e quartile", "Votre quartile dans le réseau",
}

// AddComparisonSheet adds the "Comparaison" sheet to a structure's own
// workbook: its figures beside its region's and the network's, with
// quartiles across structures and its quartile, never another structure's
// name or figure. Region and network figures resting on too few responses
// are withheld; the structure's own never are.
func AddComparisonSheet(f *excelize.File, bm *survey.Benchmark) error {
	b, err := newBook(f)
	if err != nil {
		return err
	}
	const sheet = SheetComparison
	if err := b.table(sheet, comparisonHeader, len(bm.Lines)); err != nil {
		return err
	}
	for i, l := range bm.Lines {
		row := i + 2
		if err := b.comparisonLine(sheet, row, l); err != nil {
			return fmt.Errorf("comparison sheet: %w", err)
		}
	}
	note := fmt.Sprintf("Période %s à %s, région %s. Quartiles calculés sur les structures ayant au moins %d réponses (au moins %d structures), sans les nommer ; quartile 4 = les 25 %% les plus élevés. Les chiffres de la région et du réseau sont recalculés au plus toutes les minutes.",
		bm.Period.From, bm.Period.To, bm.Region, survey.MinResponses, survey.MinStructuresForQuartiles)
	return b.f.SetCellStr(sheet, fmt.Sprintf("A%d", len(bm.Lines)+3), note)
}

func (b *book) comparisonLine(sheet string, row int, l survey.BenchmarkLine) error {
	cell := func(col int) string { c, _ := excelize.CoordinatesToCellName(col, row); return c }
	if err := b.f.SetCellStr(sheet, cell(1), indicatorLabel(l.Code)); err != nil {
		return err
	}
	figures := []struct {
		fig      survey.NetFigure
		withhold bool
	}{{l.Structure, false}, {l.Region, true}, {l.Network, true}}
	for i, x := range figures {
		if err := b.figureCell(sheet, row, 2+2*i, x.fig, x.withhold); err != nil {
			return err
		}
		if err := b.nCellFor(sheet, cell(3+2*i), x.fig, x.withhold); err != nil {
			return err
		}
	}
	kind := survey.NetRate
	for _, f := range []survey.NetFigure{l.Structure, l.Region, l.Network} {
		if f.Kind != "" {
			kind = f.Kind
			break
		}
	}
	if err := b.distributionCells(sheet, row, 8, l.RegionDist, kind); err != nil {
		return err
	}
	return b.distributionCells(sheet, row, 12, l.NetworkDist, kind)
}

func (b *book) nCellFor(sheet, cell string, fig survey.NetFigure, withhold bool) error {
	if withhold {
		return b.nCell(sheet, cell, fig)
	}
	return b.f.SetCellInt(sheet, cell, int64(fig.Base))
}

// distributionCells writes Q1, median, Q3 and the structure's quartile.
func (b *book) distributionCells(sheet string, row, col int, d survey.Distribution, kind survey.NetKind) error {
	cell := func(c int) string { s, _ := excelize.CoordinatesToCellName(c, row); return s }
	if d.Withheld {
		msg := fmt.Sprintf("< %d structures", survey.MinStructuresForQuartiles)
		for c := col; c < col+4; c++ {
			if err := b.f.SetCellStr(sheet, cell(c), msg); err != nil {
				return err
			}
			if err := b.f.SetCellStyle(sheet, cell(c), cell(c), b.marked); err != nil {
				return err
			}
		}
		return nil
	}
	for i, v := range []*float64{d.Q1, d.Median, d.Q3} {
		if err := b.f.SetCellFloat(sheet, cell(col+i), *v, -1, 64); err != nil {
			return err
		}
		if err := b.f.SetCellStyle(sheet, cell(col+i), cell(col+i), b.styleOf(kind)); err != nil {
			return err
		}
	}
	if d.Quartile == 0 {
		return b.f.SetCellStr(sheet, cell(col+3), WithheldMark)
	}
	return b.f.SetCellInt(sheet, cell(col+3), int64(d.Quartile))
}
