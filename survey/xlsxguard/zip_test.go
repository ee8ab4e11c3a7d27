package xlsxguard_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"capsat/survey/xlsxguard"
	"capsat/survey/xlsxguard/xlsxguardtest"
)

func book(t *testing.T, sheets ...xlsxguardtest.Sheet) []byte {
	t.Helper()
	return xlsxguardtest.Book{Sheets: sheets}.XLSX(t)
}

func check(data []byte, l xlsxguard.Limits) (*xlsxguard.Workbook, error) {
	return xlsxguard.Check(bytes.NewReader(data), int64(len(data)), l)
}

func refusedWith(t *testing.T, err error, code string) {
	t.Helper()
	var r *xlsxguard.Refusal
	if !errors.As(err, &r) || r.Code != code {
		t.Fatalf("got %v, want a refusal %s", err, code)
	}
	if !strings.HasPrefix(r.Message, "Fichier refusé") && !strings.HasPrefix(r.Message, "Ce ") {
		t.Errorf("message %q", r.Message)
	}
}

// rezip rewrites the zip data, replacing the parts of edit (nil: removed)
// and adding the others.
func rezip(t *testing.T, data []byte, edit map[string][]byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	put := func(name string, b []byte) {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write(b)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range zr.File {
		b, ok := edit[f.Name]
		switch {
		case !ok:
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
		case b != nil:
			put(f.Name, b)
		}
	}
	for name, b := range edit {
		if _, err := zr.Open(name); err != nil && b != nil {
			put(name, b)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestCheckRefusesBombsFromTheDirectoryAlone(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, code string
		data       []byte
		limits     xlsxguard.Limits
	}{
		{"1 GB of zeros", "too_large_unpacked", xlsxguardtest.ZipBomb(t, "Feuil1", 1<<30, 1<<30), xlsxguard.Default},
		{"200 MB of tiny rows", "zip_bomb", xlsxguardtest.RowBomb(t, "Feuil1", []string{"Référence"}, 8_000_000), xlsxguard.Default},
		{"a sheet of 200 MB", "too_large_unpacked", xlsxguardtest.RowBomb(t, "Feuil1", []string{"Référence"}, 8_000_000), xlsxguard.Limits{MaxSheetSize: 64 << 20}},
		{"a part of 2 MB", "too_large_unpacked", rezip(t, book(t), map[string][]byte{"xl/media/image1.png": make([]byte, 2<<20)}), xlsxguard.Limits{MaxEntrySize: 1 << 20, MaxRatio: 1 << 30}},
		{"60 MB of tiny rows", "zip_bomb", xlsxguardtest.RowBomb(t, "Feuil1", []string{"Référence"}, 2_300_000), xlsxguard.Default},
		{"200 MB in all", "too_large_unpacked", xlsxguardtest.ZipBomb(t, "Feuil1", 40<<20, 40<<20), xlsxguard.Limits{MaxUncompressed: 32 << 20, MaxRatio: 1 << 30}},
		{"styles of 9 MB", "too_large_unpacked", rezip(t, book(t), map[string][]byte{"xl/styles.xml": make([]byte, 9<<20)}), xlsxguard.Limits{MaxRatio: 1 << 30}},
		{"not a zip", "not_xlsx", []byte("PK\x03\x04 not really"), xlsxguard.Default},
		{"no workbook", "not_xlsx", xlsxguardtest.Book{NoWorkbook: true}.XLSX(t), xlsxguard.Default},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := check(c.data, c.limits)
			refusedWith(t, err, c.code)
		})
	}
}

// manyParts is a zip of n empty parts beside a workbook.
func manyParts(t *testing.T, n int) []byte {
	t.Helper()
	edit := map[string][]byte{}
	for i := range n {
		edit[fmt.Sprintf("xl/media/p%d.bin", i)] = []byte{}
	}
	return rezip(t, book(t), edit)
}

func TestCheckCountsTheParts(t *testing.T) {
	t.Parallel()
	l := xlsxguard.Limits{MaxEntries: 20} // the workbook has 5 parts
	if _, err := check(manyParts(t, 15), l); err != nil {
		t.Fatalf("20 parts: %v", err)
	}
	_, err := check(manyParts(t, 16), l)
	refusedWith(t, err, "too_many_entries")
	// A directory far past the limit is refused before Go's zip reader has
	// read it whole.
	_, err = check(manyParts(t, 5000), l)
	refusedWith(t, err, "too_many_entries")
}

func TestCheckLeavesSmallFilesAlone(t *testing.T) {
	t.Parallel()
	// A tiny workbook that unpacks 300 times its size is no bomb.
	data := rezip(t, book(t), map[string][]byte{"xl/media/blank.bin": make([]byte, 512<<10)})
	if _, err := check(data, xlsxguard.Default); err != nil {
		t.Fatal(err)
	}
}

func TestCheckFindsTheSheetsAsExcelizeDoes(t *testing.T) {
	t.Parallel()
	data := book(t, xlsxguardtest.Sheet{Name: "Commandes"}, xlsxguardtest.Sheet{Name: "Notes"})
	wb, err := check(data, xlsxguard.Default)
	if err != nil {
		t.Fatal(err)
	}
	want := []xlsxguard.Sheet{{Name: "Commandes", Part: "xl/worksheets/sheet1.xml"}, {Name: "Notes", Part: "xl/worksheets/sheet2.xml"}}
	if fmt.Sprint(wb.Sheets) != fmt.Sprint(want) {
		t.Fatalf("%v", wb.Sheets)
	}
	// A decoy sheet outside <sheets>, another namespace for r:id, a target
	// outside xl/worksheets and a relationship of any type: excelize reads
	// the sheet the relationship names.
	workbook := `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:o="urn:other">` +
		`<extLst><sheet name="Leurre" r:id="rId1"/></extLst>` +
		`<sheets><sheet name="Vraie" o:id="rId1" r:id="rId2"/></sheets></workbook>`
	rels := `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="x" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="x" Target="/xl/hidden/data.xml"/></Relationships>`
	data = rezip(t, data, map[string][]byte{"xl/workbook.xml": []byte(workbook), "xl/_rels/workbook.xml.rels": []byte(rels), "xl/hidden/data.xml": []byte("<worksheet/>")})
	if wb, err = check(data, xlsxguard.Default); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(wb.Sheets) != "[{Vraie xl/hidden/data.xml}]" {
		t.Fatalf("%v", wb.Sheets)
	}
}

func TestCheckRefusesAnUnreadableDescription(t *testing.T) {
	t.Parallel()
	for name, edit := range map[string]map[string][]byte{
		"no _rels/.rels":     {"_rels/.rels": nil},
		"broken workbook":    {"xl/workbook.xml": []byte("<workbook><sheets>")},
		"workbook in UTF-16": {"xl/workbook.xml": []byte("\xff\xfe<\x00w\x00/\x00>\x00")},
	} {
		_, err := check(rezip(t, book(t, xlsxguardtest.Sheet{Name: "A"}), edit), xlsxguard.Default)
		var r *xlsxguard.Refusal
		if !errors.As(err, &r) || r.Code != "not_xlsx" {
			t.Errorf("%s: %v", name, err)
		}
	}
	var sheets strings.Builder
	for i := range xlsxguard.MaxSheets + 1 {
		fmt.Fprintf(&sheets, `<sheet name="S%d" r:id="rId1"/>`, i)
	}
	workbook := `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` + sheets.String() + `</sheets></workbook>`
	_, err := check(rezip(t, book(t, xlsxguardtest.Sheet{Name: "A"}), map[string][]byte{"xl/workbook.xml": []byte(workbook)}), xlsxguard.Default)
	refusedWith(t, err, "too_many_sheets")
}

func TestCheckSheetsStopsAtTheFirstLimit(t *testing.T) {
	t.Parallel()
	rows := func(n int, row string) func(w io.Writer) error {
		return func(w io.Writer) error {
			_, err := io.WriteString(w, strings.Repeat(row, n))
			return err
		}
	}
	l := xlsxguard.SheetLimits{MaxRows: 1000, MaxCells: 5000, MaxStrings: 10}
	wide := xlsxguard.SheetLimits{MaxRows: 1000, MaxCells: 100_000, MaxStrings: 10}
	cases := []struct {
		name, code string
		data       func(w io.Writer) error
		limits     xlsxguard.SheetLimits
	}{
		{"at the limits", "", rows(1000, `<row><c/><c/><c/><c/><c/></row>`), l},
		{"a row too many", "too_many_rows", rows(1001, `<row/>`), l},
		{"a cell too many", "too_many_cells", rows(1, `<row>`+strings.Repeat(`<c/>`, 5001)+`</row>`), l},
		{"a row wider than Excel", "too_many_cells", rows(1, `<row>`+strings.Repeat(`<x:c/>`, xlsxguard.MaxRowCells+1)+`</row>`), wide},
		{"a row of 9 MB", "too_large_row", rows(1, `<row>`+strings.Repeat(`<c t="inlineStr"><is><t>`+strings.Repeat("é", 500_000)+`</t></is></c>`, 9)+`</row>`), l},
		{"a text of 2 MB", "too_long_text", rows(1, `<row><c t="inlineStr"><is><t>`+strings.Repeat("é", 1<<20)+`</t></is></c></row>`), l},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			wb, err := check(book(t, xlsxguardtest.Sheet{Name: "Feuil1", Data: c.data}), xlsxguard.Limits{MaxRatio: 1 << 30}) // repetitive, not a bomb
			if err != nil {
				t.Fatal(err)
			}
			err = wb.CheckSheets(wb.Named("FEUIL1"), c.limits)
			if c.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			refusedWith(t, err, c.code)
		})
	}
}

func TestCheckSheetsCountsTheSharedStrings(t *testing.T) {
	t.Parallel()
	rows := make([][]string, 30)
	for i := range rows {
		rows[i] = []string{fmt.Sprint("texte ", i)}
	}
	data := xlsxguardtest.Book{SharedStrings: true, Sheets: []xlsxguardtest.Sheet{{Name: "A"}, {Name: "B", Rows: rows}}}.XLSX(t)
	wb, err := check(data, xlsxguard.Default)
	if err != nil {
		t.Fatal(err)
	}
	// The strings are counted whatever the sheets checked.
	refusedWith(t, wb.CheckSheets(wb.Named("A"), xlsxguard.SheetLimits{MaxRows: 100, MaxCells: 100, MaxStrings: 29}), "too_many_strings")
	if err := wb.CheckSheets(wb.Sheets, xlsxguard.SheetLimits{MaxRows: 100, MaxCells: 100, MaxStrings: 30}); err != nil {
		t.Fatal(err)
	}
}
