package export

import (
	"fmt"

	"github.com/xuri/excelize/v2"
)

// table is a sheet made of one header row and data rows, written through
// excelize's StreamWriter, with a frozen header, an autofilter and widths.
type table struct {
	name      string
	tableName string // Excel table name (ASCII letters), for streamed sheets
	header    []string
	widths    []float64
}

// cellWriter receives the data rows of a table one at a time.
type cellWriter func(row []excelize.Cell) error

// writeStream creates the sheet and streams its rows from fill.
func (t table) writeStream(f *excelize.File, st *styles, fill func(write cellWriter) error) error {
	if _, err := f.NewSheet(t.name); err != nil {
		return fmt.Errorf("sheet %s: %w", t.name, err)
	}
	sw, err := f.NewStreamWriter(t.name)
	if err != nil {
		return fmt.Errorf("sheet %s: %w", t.name, err)
	}
	for i, w := range t.widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return fmt.Errorf("sheet %s: %w", t.name, err)
		}
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return fmt.Errorf("sheet %s: %w", t.name, err)
	}
	head := make([]any, len(t.header))
	for i, h := range t.header {
		head[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{Height: 30}); err != nil {
		return fmt.Errorf("sheet %s: %w", t.name, err)
	}
	rowNum := 1
	buf := make([]any, len(t.header))
	err = fill(func(row []excelize.Cell) error {
		rowNum++
		for i := range buf {
			buf[i] = nil
			if i < len(row) {
				buf[i] = row[i]
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, rowNum)
		return sw.SetRow(cell, buf)
	})
	if err != nil {
		return fmt.Errorf("sheet %s: %w", t.name, err)
	}
	last, _ := excelize.CoordinatesToCellName(len(t.header), max(rowNum, 2))
	// An Excel table gives the autofilter: the stream writer has no other way.
	if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: t.tableName, StyleName: "TableStyleLight1"}); err != nil {
		return fmt.Errorf("sheet %s: %w", t.name, err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("sheet %s: %w", t.name, err)
	}
	return nil
}

// writeCells creates (or reuses) the sheet and writes the table cell by cell
// with the ordinary API: for workbooks opened from a file, where a sheet
// replaced in place must keep its position.
func (t table) writeCells(f *excelize.File, st *styles, rows [][]excelize.Cell) error {
	all := append([][]excelize.Cell{t.headerCells(st)}, rows...)
	for r, row := range all {
		for c, cell := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue(t.name, ref, cell.Value); err != nil {
				return fmt.Errorf("sheet %s: %w", t.name, err)
			}
			if cell.StyleID != 0 {
				if err := f.SetCellStyle(t.name, ref, ref, cell.StyleID); err != nil {
					return fmt.Errorf("sheet %s: %w", t.name, err)
				}
			}
		}
	}
	for i, w := range t.widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(t.name, col, col, w); err != nil {
			return fmt.Errorf("sheet %s: %w", t.name, err)
		}
	}
	if err := f.SetPanes(t.name, frozenHeader()); err != nil {
		return fmt.Errorf("sheet %s: %w", t.name, err)
	}
	last, _ := excelize.CoordinatesToCellName(len(t.header), max(len(all), 2))
	if err := f.AutoFilter(t.name, "A1:"+last, nil); err != nil {
		return fmt.Errorf("sheet %s: %w", t.name, err)
	}
	return nil
}

func (t table) headerCells(st *styles) []excelize.Cell {
	out := make([]excelize.Cell, len(t.header))
	for i, h := range t.header {
		out[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	return out
}

func frozenHeader() *excelize.Panes {
	return &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}
}
