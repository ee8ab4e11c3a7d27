// Package export writes capsat's Excel workbooks from indicator values. It
// knows nothing of HTTP or of the database.
package export

import (
	"fmt"
	"io"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// WriteConsolidated writes the federation's (or a region's) workbook:
// per-structure, per-region, per-type tables, monthly trends with charts,
// and the Méthode sheet. Figures resting on fewer than MinResponses
// responses are withheld and marked.
func WriteConsolidated(w io.Writer, agg *survey.Aggregate, meta ConsolidatedMeta) error {
	f := excelize.NewFile()
	defer f.Close()
	b, err := newBook(f)
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { return b.structuresSheet(agg.Structures) },
		func() error { return b.groupSheet(SheetRegions, "Région", networkFirst(agg)) },
		func() error { return b.groupSheet(SheetTypes, "Type de structure", agg.Types) },
		func() error { return b.trendsSheet(agg, meta.Scope) },
		func() error { return b.methodSheet(agg, meta) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("consolidated workbook: %w", err)
		}
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("consolidated workbook: %w", err)
	}
	return nil
}

func networkFirst(agg *survey.Aggregate) []survey.GroupFigures {
	rows := []survey.GroupFigures{{Key: "Réseau national", Figures: agg.Network}}
	return append(rows, agg.Regions...)
}

func (b *book) structuresSheet(lines []survey.StructureFigures) error {
	header := figureHeader("Structure", "Région", "Type", "Source")
	if err := b.table(SheetStructures, header, len(lines)); err != nil {
		return err
	}
	for i, l := range lines {
		row := i + 2
		source := "capsat"
		if l.Uploaded {
			source = "Classeur importé"
		}
		lead := []any{l.Name, l.Region, string(l.Type), source}
		if err := b.f.SetSheetRow(SheetStructures, fmt.Sprintf("A%d", row), &lead); err != nil {
			return err
		}
		if err := b.figureCells(SheetStructures, row, len(lead)+1, l.Figures); err != nil {
			return err
		}
	}
	return nil
}

func (b *book) groupSheet(sheet, label string, groups []survey.GroupFigures) error {
	if err := b.table(sheet, figureHeader(label), len(groups)); err != nil {
		return err
	}
	for i, g := range groups {
		row := i + 2
		if err := b.f.SetCellStr(sheet, fmt.Sprintf("A%d", row), g.Key); err != nil {
			return err
		}
		if err := b.figureCells(sheet, row, 2, g.Figures); err != nil {
			return err
		}
	}
	return nil
}
