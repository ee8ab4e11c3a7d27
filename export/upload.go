package export

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"capsat/survey"
	"capsat/survey/xlsxguard"

	"github.com/xuri/excelize/v2"
)

// uploadSheet is the sheet of a structure workbook that carries its
// indicators with numerators and denominators, as the satisfaction
// workbook writes it.
const uploadSheet = SheetIndicators

// uploadHeader is the exact header of that sheet.
var uploadHeader = IndicatorsHeader

// maxUploadErrors bounds the messages of a refused file.
const maxUploadErrors = 10

var indicatorCodeShape = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)

// indicatorSheetLimits bound the "Indicateurs" sheet of an upload,
// counted on its XML before excelize reads it: five years of months, for
// some 300 codes and 3 services, is about 60 000 rows of 6 cells. The
// shared strings serve every sheet: a workbook of 100 000 responses saved
// again by Excel has a few hundred thousand.
var indicatorSheetLimits = xlsxguard.SheetLimits{MaxRows: 100_000, MaxCells: 1_000_000, MaxStrings: 1_000_000}

// ReadIndicatorRows reads the monthly rows of a structure workbook's
// "Indicateurs" sheet. "Total" rows are skipped (they are sums of the
// months). A malformed file is a *survey.ValidationError with French
// messages, under "file" and "rows.N" (N = the sheet's row number). Like
// FillDashboard, it refuses a zip that unpacks to too much before opening
// it, and a sheet of too many rows or cells before reading it; the rows
// are then streamed.
func ReadIndicatorRows(r io.ReaderAt, size int64, limits UploadLimits) (out []survey.UploadRow, err error) {
	defer refuseOnPanic(&err)
	indicators := func(b *xlsxguard.Workbook) []xlsxguard.Sheet { return b.Named(uploadSheet) }
	f, err := openUpload(r, size, limits, indicators, indicatorSheetLimits)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if idx, err := f.GetSheetIndex(uploadSheet); err != nil || idx < 0 {
		return nil, survey.Invalid("file", "no_sheet", "Le classeur ne contient pas de feuille « Indicateurs ».")
	}
	rows, err := f.Rows(uploadSheet)
	if err != nil {
		return nil, unreadableIndicators()
	}
	defer rows.Close()
	return readIndicatorRows(rows)
}

func unreadableIndicators() error {
	return survey.Invalid("file", "unreadable", "La feuille « Indicateurs » est illisible.")
}

// sheetRows is what readIndicatorRows needs of excelize's row iterator.
type sheetRows interface {
	Next() bool
	Columns(opts ...excelize.Options) ([]string, error)
	Error() error
}

// readIndicatorRows streams the rows of the "Indicateurs" sheet: the
// header first, then the figures.
func readIndicatorRows(rows sheetRows) ([]survey.UploadRow, error) {
	v := &survey.ValidationError{Message: "Le classeur contient des lignes invalides : rien n'a été importé."}
	var out []survey.UploadRow
	row := 0
	for rows.Next() {
		row++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, unreadableIndicators()
		}
		if row == 1 {
			if !sameHeader(cells) {
				return nil, survey.Invalid("file", "header", "L'en-tête de la feuille « Indicateurs » doit être exactement : "+strings.Join(uploadHeader, ", ")+".")
			}
			continue
		}
		if blank(cells) {
			continue
		}
		parsed, skip, msg := parseIndicatorRow(cells)
		if msg != "" {
			if len(v.Fields) < maxUploadErrors {
				v.Add(fmt.Sprintf("rows.%d", row), "invalid", fmt.Sprintf("Ligne %d : %s", row, msg))
			}
			continue
		}
		if !skip {
			out = append(out, parsed)
		}
	}
	if rows.Error() != nil {
		return nil, unreadableIndicators()
	}
	if row == 0 {
		return nil, survey.Invalid("file", "header", "L'en-tête de la feuille « Indicateurs » doit être exactement : "+strings.Join(uploadHeader, ", ")+".")
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	return out, nil
}

func sameHeader(cells []string) bool {
	if len(cells) < len(uploadHeader) {
		return false
	}
	for i, h := range uploadHeader {
		if strings.TrimSpace(cells[i]) != h {
			return false
		}
	}
	for _, extra := range cells[len(uploadHeader):] {
		if strings.TrimSpace(extra) != "" {
			return false
		}
	}
	return true
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func cellAt(cells []string, i int) string {
	if i < len(cells) {
		return strings.TrimSpace(cells[i])
	}
	return ""
}

// parseIndicatorRow checks one row; skip is true for "Total" rows.
func parseIndicatorRow(cells []string) (row survey.UploadRow, skip bool, msg string) {
	row.Code = cellAt(cells, 0)
	if !indicatorCodeShape.MatchString(row.Code) {
		return row, false, fmt.Sprintf("code d'indicateur « %s » invalide (lettres capitales, chiffres et _).", row.Code)
	}
	period := cellAt(cells, 1)
	if period == "Total" {
		return row, true, ""
	}
	if _, err := time.Parse("2006-01", period); err != nil {
		return row, false, fmt.Sprintf("période « %s » invalide (AAAA-MM ou Total).", period)
	}
	row.Month = period
	service, ok := serviceOfLabel(cellAt(cells, 2))
	if !ok {
		return row, false, fmt.Sprintf("prestation « %s » inconnue (Toutes, Mise à disposition ou Mise à contrat).", cellAt(cells, 2))
	}
	row.Service = service
	if raw := cellAt(cells, 3); raw != "" {
		val, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(val) || math.IsInf(val, 0) {
			return row, false, fmt.Sprintf("valeur « %s » non numérique.", raw)
		}
		row.Value, row.HasValue = val, true
	}
	var err error
	if row.Numerator, err = wholeNumber(cellAt(cells, 4)); err != nil {
		return row, false, "numérateur : " + err.Error()
	}
	if row.Denominator, err = wholeNumber(cellAt(cells, 5)); err != nil {
		return row, false, "dénominateur : " + err.Error()
	}
	return row, false, checkRatio(row)
}

// serviceOfLabel reads the Prestation column as the workbook writes it.
func serviceOfLabel(label string) (survey.ServiceType, bool) {
	if label == survey.ServiceLabel(survey.AllServices) {
		return "", true
	}
	for _, st := range survey.ServiceTypes {
		if label == st.Label() {
			return st, true
		}
	}
	return "", false
}

// wholeNumber parses a count; an empty cell is zero.
func wholeNumber(raw string) (int, error) {
	if raw == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
		return 0, fmt.Errorf("« %s » n'est pas un nombre entier.", raw)
	}
	return int(f), nil
}

// checkRatio refuses impossible figures: a negative count, a numerator
// above its denominator.
func checkRatio(r survey.UploadRow) string {
	fig := survey.ImportedFigure(r.Code, r.Value, r.HasValue, r.Numerator, r.Denominator, 0)
	switch {
	case r.Denominator < 0:
		return "dénominateur négatif."
	case fig.Kind == survey.NetNPS:
		if abs(fig.Numerator) > r.Denominator {
			return "NPS hors de l'intervalle −100 à 100 pour ce dénominateur."
		}
	case r.Numerator < 0:
		return "numérateur négatif."
	case fig.Kind == survey.NetRate && r.Numerator > r.Denominator:
		return "le numérateur dépasse le dénominateur."
	case fig.Kind == survey.NetScore && r.Numerator > 4*r.Denominator:
		return "score moyen au-delà de 4."
	}
	return ""
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
