package importfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"capsat/survey"
	"capsat/survey/xlsxguard/xlsxguardtest"

	"github.com/xuri/excelize/v2"
)

var orderHeader = []string{"N° commande", "Type de prestation", "Client", "Date début"}

// orders is a sheet of n orders under the header.
func orders(n int) [][]string {
	rows := [][]string{orderHeader}
	for i := range n {
		rows = append(rows, []string{fmt.Sprintf("BC-%d", i+1), "MAD", "ACME", "02/03/2026"})
	}
	return rows
}

// TestHostileWorkbooks feeds the import the hostile files of issue 13: each
// is refused or read, never a panic, with the heap growing less than
// xlsxguardtest.MaxHeapGrowth (the time is logged, and bounded by
// construction: the checks read the zip directory, or stop at a limit).
// Not parallel: the heap figures are the process's.
func TestHostileWorkbooks(t *testing.T) {
	fetched := atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fetched.Add(1) }))
	defer srv.Close()
	linked := orders(2)
	linked[1][2] = "ACME (valeur en cache)"
	cases := []struct {
		name string
		data []byte
		code string // of the refusal; "" when the file is read
		rows int
	}{
		{"200 MB of tiny rows", xlsxguardtest.RowBomb(t, "Commandes", orderHeader, 8_000_000), "too_large_unpacked", 0},
		{"60 MB of tiny rows", xlsxguardtest.RowBomb(t, "Commandes", orderHeader, 2_300_000), "zip_bomb", 0},
		{"1 GB of zeros", xlsxguardtest.ZipBomb(t, "Commandes", 1<<30, 1<<30), "too_large_unpacked", 0},
		{"1 GB of zeros declared as 1 KB", xlsxguardtest.ZipBomb(t, "Commandes", 1<<30, 1<<10), "format", 0},
		{"a row of 20 000 cells", xlsxguardtest.Book{Sheets: []xlsxguardtest.Sheet{{Name: "Commandes", Rows: [][]string{strings.Split(strings.Repeat("x,", 20_000), ",")}}}}.XLSX(t), "too_many_cells", 0},
		{"300 100 different texts", manyTexts(t, 300_100), "too_many_strings", 0},
		{"without styles", xlsxguardtest.Book{NoStyles: true, Sheets: []xlsxguardtest.Sheet{{Name: "Commandes", Rows: orders(3)}}}.XLSX(t), "", 3},
		{"without shared strings", xlsxguardtest.Book{Sheets: []xlsxguardtest.Sheet{{Name: "Commandes", Rows: orders(3)}}}.XLSX(t), "", 3},
		{"with shared strings", xlsxguardtest.Book{SharedStrings: true, Sheets: []xlsxguardtest.Sheet{{Name: "Commandes", Rows: orders(3)}}}.XLSX(t), "", 3},
		// Cells that point into a missing shared strings table read as empty.
		{"shared strings used, none in the file", xlsxguardtest.Book{Sheets: []xlsxguardtest.Sheet{{Name: "Commandes", Rows: orders(1), Data: func(w io.Writer) error {
			_, err := io.WriteString(w, `<row r="3"><c r="A3" t="s"><v>7</v></c><c r="B3" t="s"><v>-1</v></c></row>`)
			return err
		}}}}.XLSX(t), "", 1},
		{"with an external link", xlsxguardtest.Book{ExternalLink: srv.URL + "/tarifs.xlsx", Sheets: []xlsxguardtest.Sheet{{Name: "Commandes", Rows: linked, Formulas: map[string]string{"C2": "[1]Feuil1!A1"}}}}.XLSX(t), "", 2},
		{"without workbook", xlsxguardtest.Book{NoWorkbook: true, Sheets: []xlsxguardtest.Sheet{{Name: "Commandes", Rows: orders(1)}}}.XLSX(t), "format", 0},
	}
	for _, c := range cases {
		var f *survey.ImportFile
		var err error
		cost := xlsxguardtest.Measure(func() { f, err = ParseOrderImport(c.data) })
		t.Logf("%s (%d KB): %v", c.name, len(c.data)>>10, cost)
		if cost.Allocated > xlsxguardtest.MaxHeapGrowth {
			t.Errorf("%s: %v, the heap may have grown more than %d MB", c.name, cost, xlsxguardtest.MaxHeapGrowth>>20)
		}
		var v *survey.ValidationError
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.code == "" && len(f.Rows) != c.rows:
			t.Errorf("%s: %d rows, want %d", c.name, len(f.Rows), c.rows)
		case c.code != "" && (!errors.As(err, &v) || v.Fields["file"].Code != c.code):
			t.Errorf("%s: %v, want a refusal %s", c.name, err, c.code)
		case c.code != "" && !strings.HasPrefix(v.Message, "Fichier d'import refusé : "):
			t.Errorf("%s: message %q", c.name, v.Message)
		}
		if c.name == "with an external link" && err == nil && f.Rows[0].Input.Client.Company != "ACME (valeur en cache)" {
			t.Errorf("external link: client %q, want the value cached in the file", f.Rows[0].Input.Client.Company)
		}
	}
	if n := fetched.Load(); n != 0 {
		t.Errorf("the external link was fetched %d times", n)
	}
}

// manyTexts is a workbook of n different texts in its shared strings,
// ten a row under the header.
func manyTexts(t *testing.T, n int) []byte {
	t.Helper()
	rows := [][]string{orderHeader}
	for i := 0; i < n; i += 10 {
		row := make([]string, 10)
		for j := range row {
			row[j] = fmt.Sprintf("t%d", i+j)
		}
		rows = append(rows, row)
	}
	return xlsxguardtest.Book{SharedStrings: true, Sheets: []xlsxguardtest.Sheet{{Name: "Commandes", Rows: rows}}}.XLSX(t)
}

// countingRows counts the rows excelize's iterator gives.
type countingRows struct {
	*excelize.Rows
	next int
}

func (r *countingRows) Next() bool {
	r.next++
	return r.Rows.Next()
}

// TestReadingStopsAtTheRowLimit: a sheet of more orders than an import
// takes, within the limits of xlsxguard, is read up to the first order
// past the limit, not to its end.
func TestReadingStopsAtTheRowLimit(t *testing.T) {
	rows := orders(0)
	for i := range survey.MaxImportRows + 5000 {
		rows = append(rows, []string{fmt.Sprintf("BC-%d", i+1)}) // a row with a cell is a row to import
	}
	data := xlsxguardtest.Book{Sheets: []xlsxguardtest.Sheet{{Name: "Commandes", Rows: rows}}}.XLSX(t)
	var err error
	cost := xlsxguardtest.Measure(func() { _, err = ParseOrderImport(data) })
	t.Logf("%d orders (%d KB): %v", survey.MaxImportRows+5000, len(data)>>10, cost)
	var v *survey.ValidationError
	if !errors.As(err, &v) || v.Fields["file"].Code != "too_many_rows" {
		t.Fatalf("%v", err)
	}
	if cost.Growth > xlsxguardtest.MaxHeapGrowth {
		t.Errorf("%v", cost)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	sheet, err := wb.Rows("Commandes")
	if err != nil {
		t.Fatal(err)
	}
	defer sheet.Close()
	counted := &countingRows{Rows: sheet}
	if _, err := readRecords(counted); !errors.As(err, &v) || v.Fields["file"].Code != "too_many_rows" {
		t.Fatalf("%v", err)
	}
	if counted.next != survey.MaxImportRows+2 { // the header, the orders, the one too many
		t.Fatalf("%d rows read, want %d", counted.next, survey.MaxImportRows+2)
	}
}
