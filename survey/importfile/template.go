package importfile

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Column is one column an order import accepts, as the import page lists
// it: the same table the parser reads headers with.
type Column struct {
	Key      string   // the order field it fills
	Label    string   // French name, the template's header
	Required bool     // rows without it are refused
	Names    []string // header texts recognised (compared without case, accents or small words)
}

// Columns returns the accepted columns, in the template's order.
func Columns() []Column {
	out := make([]Column, len(importColumns))
	for i, c := range importColumns {
		out[i] = Column{Key: c.key, Label: c.label, Required: c.required, Names: append([]string(nil), c.names...)}
	}
	return out
}

// templateExample is the template's example row, by field key: every
// value in the format the parser reads.
var templateExample = map[string]string{
	"reference": "BC-2026-001", "service_type": "Mise à disposition", "client.company": "Mairie de Vire",
	"client.siret": "", "client.contact_name": "Camille Martin", "client.email": "camille.martin@example.fr",
	"client.phone": "02 31 00 00 00", "job_title": "Agent d'entretien", "start_date": "02/03/2026",
	"end_date": "27/03/2026", "hours": "35", "notes": "",
}

// templateRows are the header (one column per accepted field, by its
// French name) and the example row.
func templateRows() [][]string {
	header := make([]string, len(importColumns))
	example := make([]string, len(importColumns))
	for i, c := range importColumns {
		header[i] = c.label
		example[i] = templateExample[c.key]
	}
	return [][]string{header, example}
}

// TemplateCSV is an import template as CSV: UTF-8 with a BOM (so that
// Excel reads the accents) and semicolons, as French spreadsheets write.
func TemplateCSV() []byte {
	var b bytes.Buffer
	b.Write(utf8BOM)
	for _, row := range templateRows() {
		for i, cell := range row {
			if i > 0 {
				b.WriteByte(';')
			}
			if strings.ContainsAny(cell, ";\"\n") {
				cell = `"` + strings.ReplaceAll(cell, `"`, `""`) + `"`
			}
			b.WriteString(cell)
		}
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// TemplateXLSX is an import template as an Excel workbook: one sheet, the
// header in bold, every cell text so that dates and SIRET keep their form.
func TemplateXLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Bons de commande"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return nil, err
	}
	rows := templateRows()
	last, _ := excelize.ColumnNumberToName(len(rows[0]))
	if err := f.SetColStyle(sheet, "A:"+last, text); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(sheet, "A", last, 20); err != nil {
		return nil, err
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return nil, err
			}
		}
	}
	if err := f.SetCellStyle(sheet, "A1", last+"1", bold); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("import template: %w", err)
	}
	return buf.Bytes(), nil
}
