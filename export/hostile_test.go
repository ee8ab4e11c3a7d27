package export_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"capsat/export"
	"capsat/survey"
	"capsat/survey/xlsxguard/xlsxguardtest"

	"github.com/xuri/excelize/v2"
)

// hostileFile is one of the hostile workbooks of issue 13.
type hostileFile struct {
	name string
	data []byte
	code string // of the refusal; "" when the file is read or filled
}

// hostileFiles are the files every upload is fed: bombs, a row wider than
// Excel, a workbook without workbook part, an empty stylesheet; the
// workbooks without styles, without shared strings and with an external
// link (to srv) are built by book from the sheets of each upload.
func hostileFiles(t *testing.T, srv string, book func(b xlsxguardtest.Book) []byte) []hostileFile {
	t.Helper()
	return []hostileFile{
		{"200 MB of tiny rows", xlsxguardtest.RowBomb(t, export.SheetIndicators, export.IndicatorsHeader, 8_000_000), "zip_bomb"},
		{"60 MB of tiny rows", xlsxguardtest.RowBomb(t, export.SheetIndicators, export.IndicatorsHeader, 2_300_000), "zip_bomb"},
		{"1 GB of zeros", xlsxguardtest.ZipBomb(t, export.SheetIndicators, 1<<30, 1<<30), "too_large_unpacked"},
		{"1 GB of zeros declared as 1 KB", xlsxguardtest.ZipBomb(t, export.SheetIndicators, 1<<30, 1<<10), "not_xlsx"},
		{"a row of 20 000 cells", xlsxguardtest.Book{Sheets: []xlsxguardtest.Sheet{{Name: export.SheetIndicators,
			Rows: [][]string{strings.Split(strings.Repeat("x,", 20_000), ",")}}}}.XLSX(t), "too_many_cells"},
		{"without workbook", book(xlsxguardtest.Book{NoWorkbook: true}), "not_xlsx"},
		{"an empty stylesheet", withPart(t, book(xlsxguardtest.Book{}), "xl/styles.xml", `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`), "not_xlsx"},
		{"without styles", book(xlsxguardtest.Book{NoStyles: true}), ""},
		{"without shared strings", book(xlsxguardtest.Book{}), ""},
		{"with shared strings", book(xlsxguardtest.Book{SharedStrings: true}), ""},
		{"with an external link", book(xlsxguardtest.Book{ExternalLink: srv + "/tarifs.xlsx"}), ""},
	}
}

// withPart replaces the content of a part of an xlsx.
func withPart(t *testing.T, data []byte, name, content string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name != name {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := zw.Create(name)
		if err == nil {
			_, err = io.WriteString(w, content)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// neverFetched is a server the external links point to: nothing may
// fetch from it.
func neverFetched(t *testing.T) string {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(func() {
		srv.Close()
		if n := hits.Load(); n != 0 {
			t.Errorf("an external link was fetched %d times", n)
		}
	})
	return srv.URL
}

// refusedOrRead checks the outcome of reading a hostile file, and its cost.
func refusedOrRead(t *testing.T, c hostileFile, err error, cost xlsxguardtest.Cost) bool {
	t.Helper()
	t.Logf("%s (%d KB): %v", c.name, len(c.data)>>10, cost)
	if cost.Allocated > xlsxguardtest.MaxHeapGrowth {
		t.Errorf("%s: %v, the heap may have grown more than %d MB", c.name, cost, xlsxguardtest.MaxHeapGrowth>>20)
	}
	var v *survey.ValidationError
	switch {
	case c.code == "" && err != nil:
		t.Errorf("%s: %v", c.name, err)
	case c.code != "" && (!errors.As(err, &v) || v.Fields["file"].Code != c.code):
		t.Errorf("%s: %v, want a refusal %s", c.name, err, c.code)
	}
	return c.code == "" && err == nil
}

// dashboardBook is a dashboard made part by part: a named cell for the
// response rate, a formula reading another workbook.
func dashboardBook(t *testing.T, b xlsxguardtest.Book) []byte {
	t.Helper()
	b.Sheets = []xlsxguardtest.Sheet{{Name: board, Rows: [][]string{{"Taux de réponse", "0", "42"}}, Formulas: map[string]string{"C1": "[1]Feuil1!A1"}}}
	if b.ExternalLink == "" {
		b.Sheets[0].Formulas = nil
	}
	b.Names = map[string]string{"TAUX_REPONSE": "'" + board + "'!$B$1"}
	return b.XLSX(t)
}

// TestFillDashboardWithHostileFiles: each hostile file is refused or
// filled, never a panic, with the heap growing less than 100 MB. Not
// parallel: the heap figures are the process's.
func TestFillDashboardWithHostileFiles(t *testing.T) {
	srv := neverFetched(t)
	d := fixtureDashboard()
	rate, _ := d.Monthly.Figure("TAUX_REPONSE", survey.TotalPeriodKey, survey.AllServices)
	for _, c := range hostileFiles(t, srv, func(b xlsxguardtest.Book) []byte { return dashboardBook(t, b) }) {
		var out bytes.Buffer
		var report *export.FillReport
		var err error
		cost := xlsxguardtest.Measure(func() {
			report, err = export.FillDashboard(bytes.NewReader(c.data), int64(len(c.data)), d, export.DefaultUploadLimits, &out)
		})
		if !refusedOrRead(t, c, err, cost) {
			if err != nil && out.Len() != 0 {
				t.Errorf("%s: written although refused", c.name)
			}
			continue
		}
		if strings.Join(report.Filled, ",") != "TAUX_REPONSE" {
			t.Errorf("%s: filled %v", c.name, report.Filled)
		}
		f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if v, _ := f.GetCellValue(board, "B1", excelize.Options{RawCellValue: true}); v != fmtG(*rate.Value) {
			t.Errorf("%s: B1 = %q, want %v", c.name, v, *rate.Value)
		}
		// The table is written with its number formats.
		rows, _ := f.GetRows(export.DashboardSheet)
		for i, row := range rows {
			if len(row) > 1 && row[0] == "TAUX_REPONSE" && row[1] == survey.TotalPeriodKey {
				ref := "D" + strconv.Itoa(i+1)
				if got := numFmt(t, f, export.DashboardSheet, ref); got != "0.0%" {
					t.Errorf("%s: %s formatted %q", c.name, ref, got)
				}
				break
			}
		}
		if c.name == "with an external link" {
			if formula, _ := f.GetCellFormula(board, "C1"); formula != "[1]Feuil1!A1" {
				t.Errorf("external link: formula %q", formula)
			}
			if v, _ := f.GetCellValue(board, "C1"); v != "42" {
				t.Errorf("external link: cached value %q", v)
			}
		}
		_ = f.Close()
		if c.name == "without styles" {
			checkStylesDeclared(t, out.Bytes())
		}
	}
}

// checkStylesDeclared checks that the styles part added to a workbook has
// its content type and its relationship, without which Excel ignores it.
func checkStylesDeclared(t *testing.T, data []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		parts[f.Name] = string(b)
	}
	if !strings.Contains(parts["[Content_Types].xml"], `PartName="/xl/styles.xml"`) ||
		strings.Count(parts["xl/_rels/workbook.xml.rels"], "relationships/styles") != 1 ||
		!strings.Contains(parts["xl/styles.xml"], "<cellXfs") {
		t.Errorf("styles not declared:\n%s\n%s", parts["[Content_Types].xml"], parts["xl/_rels/workbook.xml.rels"])
	}
}

// indicatorsBook is a structure workbook made part by part: its
// "Indicateurs" sheet with two months.
func indicatorsBook(t *testing.T, b xlsxguardtest.Book) []byte {
	t.Helper()
	b.Sheets = []xlsxguardtest.Sheet{{Name: export.SheetIndicators, Rows: [][]string{export.IndicatorsHeader,
		{"TAUX_REPONSE", "2026-01", "Toutes", "0.5", "1", "2"},
		{"TAUX_REPONSE", "2026-02", "Toutes", "0.25", "1", "4"},
		{"TAUX_REPONSE", "Total", "Toutes", "0.33", "2", "6"},
	}}}
	if b.ExternalLink != "" {
		b.Sheets[0].Formulas = map[string]string{"D2": "[1]Feuil1!A1"}
	}
	return b.XLSX(t)
}

// TestReadIndicatorRowsWithHostileFiles: the federation upload refuses or
// reads each hostile file, within the heap bound.
func TestReadIndicatorRowsWithHostileFiles(t *testing.T) {
	srv := neverFetched(t)
	for _, c := range hostileFiles(t, srv, func(b xlsxguardtest.Book) []byte { return indicatorsBook(t, b) }) {
		var rows []survey.UploadRow
		var err error
		cost := xlsxguardtest.Measure(func() {
			rows, err = export.ReadIndicatorRows(bytes.NewReader(c.data), int64(len(c.data)), export.DefaultUploadLimits)
		})
		if refusedOrRead(t, c, err, cost) && (len(rows) != 2 || rows[0].Value != 0.5 || rows[1].Denominator != 4) {
			t.Errorf("%s: rows %+v", c.name, rows)
		}
	}
}

// TestReadIndicatorRowsStopsAtTheRowLimit: a sheet past the limit is
// refused while its XML streams, before excelize reads a row.
func TestReadIndicatorRowsStopsAtTheRowLimit(t *testing.T) {
	rows := [][]string{export.IndicatorsHeader}
	for i := range 100_000 {
		rows = append(rows, []string{"TAUX_REPONSE", fmt.Sprintf("%04d-01", 1000+i%9000), "Toutes", "0.5", "1", "2"})
	}
	data := xlsxguardtest.Book{Sheets: []xlsxguardtest.Sheet{{Name: export.SheetIndicators, Rows: rows}}}.XLSX(t)
	var err error
	cost := xlsxguardtest.Measure(func() {
		_, err = export.ReadIndicatorRows(bytes.NewReader(data), int64(len(data)), export.DefaultUploadLimits)
	})
	t.Logf("100 001 rows (%d KB): %v", len(data)>>10, cost)
	var v *survey.ValidationError
	if !errors.As(err, &v) || v.Fields["file"].Code != "too_many_rows" {
		t.Fatalf("%v", err)
	}
	if cost.Allocated > xlsxguardtest.MaxHeapGrowth {
		t.Errorf("%v", cost)
	}
}
