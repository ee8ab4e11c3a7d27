package importfile

import (
	"bytes"
	"capsat/survey"
	"capsat/survey/xlsxguard"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// fileError is a whole-file problem: nothing of the file is imported.
func fileError(code, message string) error {
	v := &survey.ValidationError{Message: "Fichier d'import refusé : " + message}
	v.Add("file", code, message)
	return v
}

// ParseOrderImport reads an order import file, CSV or XLSX, recognised by
// its content. A file that cannot be read as a whole (format, encoding,
// header) is a *ValidationError on the field "file"; problems of single
// cells are kept on their rows.
func ParseOrderImport(data []byte) (*survey.ImportFile, error) {
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))) == 0 {
		return nil, fileError("empty", "Le fichier est vide.")
	}
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return parseXLSX(data)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		// An OLE container: an Excel 97-2003 workbook, or an encrypted .xlsx.
		return nil, fileError("format", "Les classeurs Excel 97-2003 (.xls) et les classeurs protégés par mot de passe ne sont pas pris en charge : enregistrez le fichier au format .xlsx sans mot de passe, ou en CSV.")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.IndexByte(data, 0) >= 0:
		return nil, fileError("encoding", "Encodage non pris en charge (UTF-16 ou fichier binaire) : enregistrez le fichier en CSV UTF-8 ou « CSV (séparateur : point-virgule) », ou en .xlsx.")
	}
	text := decodeText(data)
	if !looksLikeText(text) {
		return nil, fileError("format", "Ce fichier n'est ni un CSV ni un classeur XLSX.")
	}
	return parseCSV(text)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeText returns the file as UTF-8: valid UTF-8 (with or without BOM) is
// kept, anything else is read as Windows-1252, what French Excel writes.
func decodeText(data []byte) string {
	data = bytes.TrimPrefix(data, utf8BOM)
	if utf8.Valid(data) {
		return string(data)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return string(bytes.ToValidUTF8(data, []byte("\uFFFD")))
	}
	return string(out)
}

// looksLikeText refuses binary content: control characters other than
// tabs and line breaks do not occur in a CSV.
func looksLikeText(s string) bool {
	for _, r := range s {
		if r == '\t' || r == '\n' || r == '\r' {
			continue
		}
		if unicode.IsControl(r) && r != 0x1A { // 0x1A: old DOS end-of-file mark
			return false
		}
	}
	return true
}

// record is one line of the table with its spreadsheet row number.
type record struct {
	row   int
	cells []string
}

func parseCSV(text string) (*survey.ImportFile, error) {
	sep := detectSeparator(text)
	// Excel honours a first line "sep=;" and does not show it as a row.
	if line, rest, ok := strings.Cut(text, "\n"); ok && len(strings.TrimSuffix(line, "\r")) == 5 && strings.HasPrefix(strings.ToLower(line), "sep=") {
		sep, text = rune(line[4]), rest
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.LazyQuotes = false
	var records []record
	row, offset := 0, 0
	for {
		// encoding/csv skips empty lines; a spreadsheet shows them as rows.
		row += leadingEmptyLines(text[offset:])
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := r.FieldPos(0)
			var perr *csv.ParseError
			if errors.As(err, &perr) {
				line = perr.Line
			}
			return nil, fileError("csv", fmt.Sprintf("CSV illisible à la ligne %d du fichier : guillemets mal fermés ou mal placés.", line))
		}
		if len(records) > survey.MaxImportRows+1 {
			return nil, tooManyRows()
		}
		row++
		offset = int(r.InputOffset())
		records = append(records, record{row: row, cells: cells})
	}
	return buildImport("csv", records, cellFormat{})
}

// leadingEmptyLines counts the empty lines at the start of s.
func leadingEmptyLines(s string) int {
	n := 0
	for {
		switch {
		case strings.HasPrefix(s, "\n"):
			s = s[1:]
		case strings.HasPrefix(s, "\r\n"):
			s = s[2:]
		default:
			return n
		}
		n++
	}
}

func tooManyRows() error {
	return fileError("too_many_rows", fmt.Sprintf("Le fichier compte plus de %d lignes : découpez-le en plusieurs imports.", survey.MaxImportRows))
}

// detectSeparator picks ;, comma or tab, whichever occurs most in the first
// line outside quotes; French Excel writes ;.
func detectSeparator(text string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range text {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if r == '\n' {
			break
		}
		counts[r]++
	}
	best := ';'
	for _, sep := range []rune{',', '\t'} {
		if counts[sep] > counts[best] {
			best = sep
		}
	}
	return best
}

// importSheetLimits bound the first sheet of an order workbook, counted on
// its XML before excelize reads it: the rows of survey.MaxImportRows
// orders and as many again empty (formatted) ones, 20 cells a row where an
// order has a dozen columns, 6 different texts an order (reference,
// contact, email, phone, notes and one more; the services, clients and
// jobs repeat).
var importSheetLimits = xlsxguard.SheetLimits{
	MaxRows:    2 * (survey.MaxImportRows + 1),
	MaxCells:   20 * (survey.MaxImportRows + 1),
	MaxStrings: 6 * (survey.MaxImportRows + 1),
}

// importLimits bound the zip of an order workbook: those of
// xlsxguard.Default, but a sheet of at most 64 MB, since the import keeps
// every value of its sheet (one of survey.MaxImportRows orders takes about
// 36 MB).
var importLimits = xlsxguard.Limits{MaxSheetSize: 64 << 20}

// xlsxXMLInMemory is the largest sheet excelize keeps in memory; a larger
// one is unpacked to a temporary file and streamed from it.
const xlsxXMLInMemory = 16 << 20

// parseXLSX reads the first sheet of an order workbook. The zip is checked
// before anything is unpacked, then the rows and cells of the sheet are
// counted as its XML streams, stopping at the first limit passed
// (xlsxguard); excelize then streams the rows and reading stops past
// survey.MaxImportRows orders (readRecords). A hostile file thus costs
// time and memory bounded by the limits, not by its size.
func parseXLSX(data []byte) (f *survey.ImportFile, err error) {
	book, err := xlsxguard.Check(bytes.NewReader(data), int64(len(data)), importLimits)
	if err != nil {
		return nil, refused(err)
	}
	if len(book.Sheets) == 0 {
		return nil, notReadable()
	}
	if err := book.CheckSheets(book.Named(book.Sheets[0].Name), importSheetLimits); err != nil {
		return nil, refused(err)
	}
	defer refuseOnPanic(&err)
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: xlsxguard.Default.MaxUncompressed, UnzipXMLSizeLimit: xlsxXMLInMemory})
	if err != nil {
		return nil, notReadable()
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		return nil, notReadable()
	}
	rows, err := wb.Rows(sheets[0])
	if err != nil {
		return nil, unreadableSheet()
	}
	defer rows.Close()
	records, err := readRecords(rows)
	if err != nil {
		return nil, err
	}
	date1904 := false
	if props, err := wb.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	return buildImport("xlsx", records, cellFormat{spreadsheet: true, date1904: date1904})
}

func notReadable() error {
	return fileError("format", "Ce fichier n'est ni un CSV ni un classeur XLSX lisible.")
}

func unreadableSheet() error {
	return fileError("format", "La première feuille du classeur est illisible.")
}

// refused turns a refusal of xlsxguard into a whole-file error.
func refused(err error) error {
	var r *xlsxguard.Refusal
	switch {
	case !errors.As(err, &r):
		return err
	case r.Code == "not_xlsx":
		return notReadable()
	}
	v := &survey.ValidationError{Message: "Fichier d'import refusé : " + strings.TrimPrefix(r.Message, "Fichier refusé : ")}
	v.Add("file", r.Code, r.Message)
	return v
}

// refuseOnPanic turns a panic of excelize on a malformed workbook into the
// refusal of the file: deferred around the reading of a workbook, as a
// last resort behind the checks that avoid the panics known.
func refuseOnPanic(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w (panic: %v)", fileError("format", "Ce classeur n'a pas pu être lu : il est peut-être endommagé. Enregistrez-le de nouveau dans Excel, ou en CSV, puis réessayez."), r)
	}
}

// sheetRows is what readRecords needs of excelize's row iterator.
type sheetRows interface {
	Next() bool
	Columns(opts ...excelize.Options) ([]string, error)
	Error() error
}

// readRecords streams the rows of a sheet, keeping those with cells, and
// stops at the first row past survey.MaxImportRows orders after the
// header. xlsxguard has bounded the rows and cells of the sheet.
func readRecords(rows sheetRows) ([]record, error) {
	var records []record
	row, filled := 0, 0
	for rows.Next() {
		row++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, unreadableSheet()
		}
		if !blank(cells) {
			if filled++; filled > survey.MaxImportRows+1 { // the header and the orders
				return nil, tooManyRows()
			}
		}
		if len(cells) > 0 {
			records = append(records, record{row: row, cells: cells})
		}
	}
	if rows.Error() != nil {
		return nil, unreadableSheet()
	}
	return records, nil
}

// cellFormat says how cells were read: a workbook's cells come raw, dates
// as serial day numbers counted from 1900 (or 1904).
type cellFormat struct {
	spreadsheet bool
	date1904    bool
}

// buildImport finds the header (the first non-empty line), maps its columns
// and converts every data row.
func buildImport(format string, records []record, cf cellFormat) (*survey.ImportFile, error) {
	start := 0
	for start < len(records) && blank(records[start].cells) {
		start++
	}
	if start == len(records) {
		return nil, fileError("empty", "Le fichier ne contient aucune ligne.")
	}
	f := &survey.ImportFile{Format: format}
	if err := mapHeader(f, records[start].cells); err != nil {
		return nil, err
	}
	for _, rec := range records[start+1:] {
		if blank(rec.cells) {
			continue
		}
		f.Rows = append(f.Rows, convertRow(f, rec, cf))
	}
	if len(f.Rows) == 0 {
		return nil, fileError("empty", "Le fichier ne contient que l'en-tête : aucune commande à importer.")
	}
	if len(f.Rows) > survey.MaxImportRows {
		return nil, tooManyRows()
	}
	return f, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// mapHeader matches header texts to columns. Unknown, repeated or missing
// required columns refuse the whole file, naming them.
func mapHeader(f *survey.ImportFile, cells []string) error {
	f.Headers = map[string]int{}
	f.Names = make([]string, len(cells))
	f.Labels = make(map[string]string, len(importColumns))
	for _, c := range importColumns {
		f.Labels[c.key] = c.label
	}
	var unknown, repeated []string
	for i, cell := range cells {
		name := strings.TrimSpace(strings.TrimPrefix(cell, "\uFEFF"))
		f.Names[i] = name
		if name == "" {
			continue // trailing separators leave unnamed, empty columns
		}
		col, ok := importColumnByName[normalizeLabel(name)]
		switch {
		case !ok:
			unknown = append(unknown, "« "+name+" »")
		case f.Has(col.key):
			repeated = append(repeated, "« "+name+" »")
		default:
			f.Headers[col.key] = i
		}
	}
	if len(f.Headers) == 0 {
		return fileError("header", "Aucun en-tête reconnu sur la première ligne. La première ligne doit nommer les colonnes, par exemple : "+expectedHeader()+".")
	}
	var missing []string
	for _, c := range importColumns {
		if c.required && !f.Has(c.key) {
			missing = append(missing, "« "+c.label+" »")
		}
	}
	var problems []string
	if len(unknown) > 0 {
		problems = append(problems, "colonnes inconnues : "+strings.Join(unknown, ", "))
	}
	if len(repeated) > 0 {
		problems = append(problems, "colonnes en double : "+strings.Join(repeated, ", "))
	}
	if len(missing) > 0 {
		problems = append(problems, "colonnes obligatoires absentes : "+strings.Join(missing, ", "))
	}
	if len(problems) > 0 {
		return fileError("columns", capitalize(strings.Join(problems, " ; "))+". Colonnes acceptées : "+expectedHeader()+".")
	}
	return nil
}

func expectedHeader() string {
	names := make([]string, len(importColumns))
	for i, c := range importColumns {
		names[i] = c.label
	}
	return strings.Join(names, ";")
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// convertRow reads one data row into an OrderInput, noting cells that cannot
// be read (unknown service type, unreadable date or number).
func convertRow(f *survey.ImportFile, rec record, cf cellFormat) survey.ImportRow {
	row := survey.ImportRow{Row: rec.row, Bad: map[string]bool{}}
	cell := func(key string) string {
		i, ok := f.Headers[key]
		if !ok || i >= len(rec.cells) {
			return ""
		}
		return strings.TrimSpace(rec.cells[i])
	}
	in := &row.Input
	in.Reference = cell("reference")
	in.Client.Company = cell("client.company")
	in.Client.SIRET = numberFromCell(cell("client.siret"), cf.spreadsheet)
	in.Client.ContactName = cell("client.contact_name")
	in.Client.Email = cell("client.email")
	in.Client.Phone = phoneFromCell(cell("client.phone"), cf.spreadsheet)
	in.JobTitle = cell("job_title")
	in.Notes = cell("notes")
	if v := cell("service_type"); v != "" {
		if st, ok := parseServiceType(v); ok {
			in.ServiceType = st
		} else {
			addProblem(&row, f, "service_type", fmt.Sprintf("Type de prestation « %s » inconnu : Mise à disposition (MAD) ou Mise à contrat (MAC, recrutement).", v))
		}
	}
	for _, d := range []struct {
		key string
		dst *string
	}{{"start_date", &in.StartDate}, {"end_date", &in.EndDate}} {
		v := cell(d.key)
		if v == "" {
			continue
		}
		if iso, ok := parseFrenchDate(v, cf); ok {
			*d.dst = iso
		} else {
			addProblem(&row, f, d.key, fmt.Sprintf("Date « %s » illisible : JJ/MM/AAAA attendu.", v))
		}
	}
	if v := cell("hours"); v != "" {
		if h, ok := parseDecimal(v); ok {
			in.Hours = h
		} else {
			addProblem(&row, f, "hours", fmt.Sprintf("Nombre d'heures « %s » illisible (exemple : 35,5).", v))
		}
	}
	return row
}

func addProblem(r *survey.ImportRow, f *survey.ImportFile, key, message string) {
	r.Bad[key] = true
	r.Problems = append(r.Problems, survey.ImportRejection{Row: r.Row, Column: f.Column(key), Message: message, Order: f.ColumnOrder(key)})
}

// serialDate matches a spreadsheet date cell read raw: a day count.
func serialDate(v string) (float64, bool) {
	n, err := strconv.ParseFloat(v, 64)
	return n, err == nil && n >= 1 && n < 2958466 // up to 9999-12-31
}

// dateLayouts are the date forms files use: French first, then ISO.
var dateLayouts = []string{"02/01/2006", "2/1/2006", "02/01/06", "2/1/06", "02-01-2006", "02.01.2006", "2006-01-02", "2006/01/02"}

// parseFrenchDate reads a date as "JJ/MM/AAAA" (or ISO), ignoring a time of
// day some software appends; in a workbook a real date cell is a serial
// day number. It returns "YYYY-MM-DD".
func parseFrenchDate(v string, cf cellFormat) (string, bool) {
	if cf.spreadsheet {
		if n, ok := serialDate(v); ok {
			t, err := excelize.ExcelDateToTime(n, cf.date1904)
			if err != nil {
				return "", false
			}
			return t.Format(time.DateOnly), true
		}
	}
	if d, _, ok := strings.Cut(v, " "); ok {
		v = d
	}
	if d, _, ok := strings.Cut(v, "T"); ok && len(d) == 10 {
		v = d
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// parseDecimal reads "35", "35,5", "35.5", "1 234,5" or "35 h".
func parseDecimal(v string) (float64, bool) {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(v), "heures"), "h"))
	v = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00A0', '\u202F':
			return -1
		case ',':
			return '.'
		}
		return r
	}, v)
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n != n { // NaN
		return 0, false
	}
	return n, true
}

// phoneFromCell restores the leading 0 that a spreadsheet drops when a
// French phone number was typed as a number (231000000 → 0231000000).
func phoneFromCell(v string, spreadsheet bool) string {
	if spreadsheet && len(v) == 9 && isDigits(v) && v[0] != '0' {
		return "0" + v
	}
	return v
}

// numberFromCell turns a long number a workbook stored in scientific form
// (7.3282932000074E+13, a SIRET typed as a number) back into its digits.
func numberFromCell(v string, spreadsheet bool) string {
	if !spreadsheet || !strings.ContainsAny(v, "eE") {
		return v
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < 0 || n >= 1e15 {
		return v
	}
	return strconv.FormatFloat(n, 'f', 0, 64)
}

func isDigits(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}
