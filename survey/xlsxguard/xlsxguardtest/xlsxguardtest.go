// Package xlsxguardtest builds the workbooks the upload tests feed capsat,
// part by part with archive/zip (no excelize), so that a test can leave out
// the styles, the shared strings or the workbook, add an external link,
// stream a sheet of millions of rows or a part of a gigabyte: nothing big
// is committed, the tests generate it.
package xlsxguardtest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
)

const (
	nsMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkg  = "http://schemas.openxmlformats.org/package/2006/relationships"
	ctBase = "application/vnd.openxmlformats-officedocument.spreadsheetml."
	header = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

// Sheet is one worksheet.
type Sheet struct {
	Name string
	// Rows are the cells from A1: a text that reads as a number is written
	// as a number, anything else as text.
	Rows [][]string
	// Formulas are the formulas of cells ("C2" → "[1]Feuil1!A1"); the
	// cell's value in Rows is the value Excel cached.
	Formulas map[string]string
	// Data, when set, writes more rows after Rows, as XML.
	Data func(w io.Writer) error
}

// Book is a workbook to build.
type Book struct {
	Sheets []Sheet
	// Names are defined names ("TAUX_REPONSE" → "'Tableau de bord'!$B$2").
	Names map[string]string
	// NoStyles leaves out xl/styles.xml, NoWorkbook xl/workbook.xml.
	NoStyles, NoWorkbook bool
	// SharedStrings puts the texts in xl/sharedStrings.xml; without it they
	// are inline strings and the workbook has no shared strings part.
	SharedStrings bool
	// ExternalLink, when set, links the workbook to another workbook at
	// this address: a formula "[1]Feuil1!A1" reads its cell A1.
	ExternalLink string
	// Level is the deflate level of the parts (flate.DefaultCompression
	// when 0).
	Level int
}

// XLSX writes the workbook.
func (b Book) XLSX(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	level := b.Level
	if level == 0 {
		level = flate.DefaultCompression
	}
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, level) })
	part := func(name string, write func(w io.Writer) error) {
		t.Helper()
		w, err := zw.Create(name)
		if err == nil {
			err = write(w)
		}
		if err != nil {
			t.Fatalf("write %s: %v", name, err)
		}
	}
	text := func(name, s string) {
		part(name, func(w io.Writer) error { _, err := io.WriteString(w, header+s); return err })
	}
	sst := &sharedStrings{index: map[string]int{}}
	if !b.SharedStrings {
		sst = nil
	}

	var types, rels, sheets strings.Builder
	types.WriteString(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>`)
	override := func(name, ct string) {
		fmt.Fprintf(&types, `<Override PartName="/%s" ContentType="%s"/>`, name, ct)
	}
	rels.WriteString(`<Relationships xmlns="` + nsPkg + `">`)
	rel := func(id, kind, target, mode string) {
		fmt.Fprintf(&rels, `<Relationship Id="%s" Type="%s/%s" Target="%s"%s/>`, id, nsRel, kind, escape(target), mode)
	}
	for i, s := range b.Sheets {
		name := fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
		part(name, func(w io.Writer) error { return s.write(w, sst) })
		override(name, ctBase+"worksheet+xml")
		rel(fmt.Sprintf("rId%d", i+1), "worksheet", fmt.Sprintf("worksheets/sheet%d.xml", i+1), "")
		fmt.Fprintf(&sheets, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, escape(s.Name), i+1, i+1)
	}
	if !b.NoStyles {
		text("xl/styles.xml", Styles)
		override("xl/styles.xml", ctBase+"styles+xml")
		rel("rIdStyles", "styles", "styles.xml", "")
	}
	if sst != nil {
		text("xl/sharedStrings.xml", sst.xml())
		override("xl/sharedStrings.xml", ctBase+"sharedStrings+xml")
		rel("rIdStrings", "sharedStrings", "sharedStrings.xml", "")
	}
	var external string
	if b.ExternalLink != "" {
		text("xl/externalLinks/externalLink1.xml", `<externalLink xmlns="`+nsMain+`" xmlns:r="`+nsRel+`"><externalBook r:id="rId1">`+
			`<sheetNames><sheetName val="Feuil1"/></sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1" t="str"><v>cached</v></cell></row></sheetData></sheetDataSet>`+
			`</externalBook></externalLink>`)
		text("xl/externalLinks/_rels/externalLink1.xml.rels", `<Relationships xmlns="`+nsPkg+`"><Relationship Id="rId1" Type="`+nsRel+
			`/externalLinkPath" Target="`+escape(b.ExternalLink)+`" TargetMode="External"/></Relationships>`)
		override("xl/externalLinks/externalLink1.xml", ctBase+"externalLink+xml")
		rel("rIdLink", "externalLink", "externalLinks/externalLink1.xml", "")
		external = `<externalReferences><externalReference r:id="rIdLink"/></externalReferences>`
	}
	if !b.NoWorkbook {
		var names strings.Builder
		for name, ref := range b.Names {
			fmt.Fprintf(&names, `<definedName name="%s">%s</definedName>`, escape(name), escape(ref))
		}
		defined := ""
		if names.Len() > 0 {
			defined = "<definedNames>" + names.String() + "</definedNames>"
		}
		text("xl/workbook.xml", `<workbook xmlns="`+nsMain+`" xmlns:r="`+nsRel+`"><sheets>`+sheets.String()+`</sheets>`+external+defined+`</workbook>`)
		override("xl/workbook.xml", ctBase+"sheet.main+xml")
	}
	rels.WriteString(`</Relationships>`)
	types.WriteString(`</Types>`)
	text("xl/_rels/workbook.xml.rels", rels.String())
	text("_rels/.rels", `<Relationships xmlns="`+nsPkg+`"><Relationship Id="rId1" Type="`+nsRel+`/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	text("[Content_Types].xml", types.String())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Styles is a minimal complete stylesheet: one font, the two required
// fills, one border, one cell format.
const Styles = `<styleSheet xmlns="` + nsMain + `"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

func (s Sheet) write(w io.Writer, sst *sharedStrings) error {
	if _, err := io.WriteString(w, header+`<worksheet xmlns="`+nsMain+`"><sheetData>`); err != nil {
		return err
	}
	for r, row := range s.Rows {
		var b strings.Builder
		fmt.Fprintf(&b, `<row r="%d">`, r+1)
		for c, v := range row {
			ref := cellName(c, r+1)
			f := ""
			if formula, ok := s.Formulas[ref]; ok {
				f = "<f>" + escape(formula) + "</f>"
			}
			_, err := strconv.ParseFloat(v, 64)
			switch {
			case v == "" && f == "":
				continue
			case err == nil:
				fmt.Fprintf(&b, `<c r="%s">%s<v>%s</v></c>`, ref, f, v)
			case f != "":
				fmt.Fprintf(&b, `<c r="%s" t="str">%s<v>%s</v></c>`, ref, f, escape(v))
			case sst != nil:
				fmt.Fprintf(&b, `<c r="%s" t="s"><v>%d</v></c>`, ref, sst.add(v))
			default:
				fmt.Fprintf(&b, `<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, ref, escape(v))
			}
		}
		b.WriteString("</row>")
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	if s.Data != nil {
		if err := s.Data(w); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, `</sheetData></worksheet>`)
	return err
}

type sharedStrings struct {
	list  []string
	index map[string]int
}

func (s *sharedStrings) add(v string) int {
	i, ok := s.index[v]
	if !ok {
		i = len(s.list)
		s.index[v] = i
		s.list = append(s.list, v)
	}
	return i
}

func (s *sharedStrings) xml() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<sst xmlns="%s" count="%d" uniqueCount="%d">`, nsMain, len(s.list), len(s.list))
	for _, v := range s.list {
		b.WriteString(`<si><t xml:space="preserve">` + escape(v) + `</t></si>`)
	}
	b.WriteString("</sst>")
	return b.String()
}

// cellName is the A1 reference of column c (from 0) and row r (from 1).
func cellName(c, r int) string {
	col := ""
	for c++; c > 0; c = (c - 1) / 26 {
		col = string(rune('A'+(c-1)%26)) + col
	}
	return col + strconv.Itoa(r)
}

func escape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
