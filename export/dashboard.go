package export

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"capsat/survey"
	"capsat/survey/xlsxguard"

	"github.com/xuri/excelize/v2"
)

// DashboardSheet is the sheet added to (or replaced in) a CAP dashboard.
const DashboardSheet = "Satisfaction clients"

// Dashboard is what fills a dashboard: the figures of one range cut by
// month, by quarter and by year (each with its Total period).
type Dashboard struct {
	Monthly, Quarterly, Yearly *survey.Indicators
}

// FillReport says which defined names received a value.
type FillReport struct {
	Filled    []string // names that received a figure
	Unmatched []string // names that look like no indicator of the range
}

// dashboardSheetLimits bound the sheets of a dashboard, counted on their
// XML before excelize reads them. A CAP dashboard has a few thousand
// cells; its "Satisfaction clients" sheet, filled for five years and 40
// questions, some 60 000 rows of 6 cells. excelize decodes whole a sheet
// it writes into, some 0.8 KB a cell: a dashboard at these limits costs
// some 500 MB, as the largest fill does.
var dashboardSheetLimits = xlsxguard.SheetLimits{MaxRows: 100_000, MaxCells: 600_000, MaxStrings: 50_000}

// FillDashboard reads the workbook in r (size bytes), writes every figure
// whose code matches a defined name into the named cell, adds or replaces
// the "Satisfaction clients" sheet with the Indicateurs table, and writes
// the workbook to w. Everything else in the workbook is kept. A file that
// is not an xlsx, unpacks to too much or whose sheets have too many rows
// or cells is a *survey.ValidationError on field "file", refused before it
// is read; a workbook without styles gets default ones.
func FillDashboard(r io.ReaderAt, size int64, d Dashboard, limits UploadLimits, w io.Writer) (_ *FillReport, err error) {
	defer refuseOnPanic(&err)
	all := func(b *xlsxguard.Workbook) []xlsxguard.Sheet { return b.Sheets }
	f, err := openUpload(r, size, limits, all, dashboardSheetLimits)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return nil, err
	}
	// The sheet first: a name may point into it.
	if err := replaceIndicatorsSheet(f, st, d.Monthly); err != nil {
		return nil, err
	}
	report, err := fillNames(f, d)
	if err != nil {
		return nil, err
	}
	// Formulas that read the named cells are recomputed when the file opens.
	recalc := true
	if err := f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &recalc}); err != nil {
		return nil, fmt.Errorf("set recalculation: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return nil, fmt.Errorf("write dashboard: %w", err)
	}
	return report, nil
}

// fillNames writes the figure of every defined name that designates one.
func fillNames(f *excelize.File, d Dashboard) (*FillReport, error) {
	report := &FillReport{}
	for _, dn := range f.GetDefinedName() {
		fg, ok := d.lookup(dn.Name)
		if !ok {
			if looksLikeIndicator(dn.Name) {
				report.Unmatched = append(report.Unmatched, dn.Name)
			}
			continue
		}
		sheet, ref, ok := singleCell(dn.RefersTo)
		if idx, _ := f.GetSheetIndex(sheet); !ok || idx < 0 {
			report.Unmatched = append(report.Unmatched, dn.Name)
			continue
		}
		if err := writeFigure(f, sheet, ref, fg); err != nil {
			return nil, fmt.Errorf("fill %s: %w", dn.Name, err)
		}
		report.Filled = append(report.Filled, dn.Name)
	}
	sort.Strings(report.Filled)
	sort.Strings(report.Unmatched)
	return report, nil
}

func writeFigure(f *excelize.File, sheet, ref string, fg survey.Figure) error {
	if formula, _ := f.GetCellFormula(sheet, ref); formula != "" {
		if err := f.SetCellFormula(sheet, ref, ""); err != nil {
			return err
		}
	}
	if fg.Value == nil {
		return f.SetCellValue(sheet, ref, nil) // no answer: a blank cell
	}
	return f.SetCellValue(sheet, ref, *fg.Value)
}

var (
	monthSuffix   = regexp.MustCompile(`^(.+)_(\d{4})_(0[1-9]|1[0-2])$`)
	quarterSuffix = regexp.MustCompile(`^(.+)_(\d{4})_T([1-4])$`)
	yearSuffix    = regexp.MustCompile(`^(.+)_(\d{4})$`)
)

// lookup finds the figure a defined name designates:
//
//	CODE                 the whole range, all services
//	CODE_MAD, CODE_MAC   the whole range, one service type
//	CODE_2026_03         a month of the range (CODE_2026_03_MAD: one service)
//	CODE_2026_T1         a quarter (clipped to the range)
//	CODE_2026            a year (clipped to the range)
//
// Names are compared in capitals, as Excel treats them.
func (d Dashboard) lookup(name string) (survey.Figure, bool) {
	name = strings.ToUpper(name)
	service := d.Monthly.Services[0]
	for suffix, st := range map[string]survey.ServiceType{"_MAD": survey.ServiceMAD, "_MAC": survey.ServiceMAC} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			if _, known := d.Monthly.Figure(base, survey.TotalPeriodKey, string(st)); known || periodName(base) {
				name, service = base, string(st)
			}
		}
	}
	if fg, ok := d.Monthly.Figure(name, survey.TotalPeriodKey, service); ok {
		return fg, true
	}
	if m := monthSuffix.FindStringSubmatch(name); m != nil {
		return d.Monthly.Figure(m[1], m[2]+"-"+m[3], service)
	}
	if m := quarterSuffix.FindStringSubmatch(name); m != nil {
		return d.Quarterly.Figure(m[1], m[2]+"-T"+m[3], service)
	}
	if m := yearSuffix.FindStringSubmatch(name); m != nil {
		return d.Yearly.Figure(m[1], m[2], service)
	}
	return survey.Figure{}, false
}

func periodName(name string) bool {
	return monthSuffix.MatchString(name) || quarterSuffix.MatchString(name) || yearSuffix.MatchString(name)
}

// looksLikeIndicator reports names a user probably meant for capsat, so
// that the report can say they received nothing.
func looksLikeIndicator(name string) bool {
	up := strings.ToUpper(name)
	for _, h := range survey.HeadlineCodes {
		if strings.HasPrefix(up, h.Code) {
			return true
		}
	}
	return strings.HasPrefix(up, "Q_")
}

// singleCell parses a defined name's reference to one cell:
// "='Tableau de bord'!$B$3" → ("Tableau de bord", "B3").
func singleCell(refersTo string) (sheet, ref string, ok bool) {
	s := strings.TrimPrefix(strings.TrimSpace(refersTo), "=")
	i := strings.LastIndex(s, "!")
	if i <= 0 || strings.ContainsAny(s, ",()") {
		return "", "", false
	}
	sheet, ref = s[:i], strings.ReplaceAll(s[i+1:], "$", "")
	if strings.HasPrefix(sheet, "'") && strings.HasSuffix(sheet, "'") && len(sheet) >= 2 {
		sheet = strings.ReplaceAll(sheet[1:len(sheet)-1], "''", "'")
	}
	if a, b, isRange := strings.Cut(ref, ":"); isRange {
		if a != b {
			return "", "", false
		}
		ref = a
	}
	if _, _, err := excelize.CellNameToCoordinates(ref); err != nil {
		return "", "", false
	}
	return sheet, ref, true
}

// replaceIndicatorsSheet writes the Indicateurs table into the
// "Satisfaction clients" sheet, emptying it first when it exists so that it
// keeps its place and whatever refers to it.
func replaceIndicatorsSheet(f *excelize.File, st *styles, in *survey.Indicators) error {
	idx, err := f.GetSheetIndex(DashboardSheet)
	if err != nil {
		return fmt.Errorf("find sheet: %w", err)
	}
	if idx < 0 {
		if _, err := f.NewSheet(DashboardSheet); err != nil {
			return fmt.Errorf("add sheet: %w", err)
		}
	} else if err := clearSheet(f, DashboardSheet); err != nil {
		return err
	}
	return indicatorsTable(DashboardSheet, "").writeCells(f, st, indicatorRows(st, in))
}

func clearSheet(f *excelize.File, sheet string) error {
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return fmt.Errorf("read sheet %s: %w", sheet, err)
	}
	for r, row := range rows {
		for c := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellFormula(sheet, ref, ""); err != nil {
				return fmt.Errorf("clear %s!%s: %w", sheet, ref, err)
			}
			if err := f.SetCellValue(sheet, ref, nil); err != nil {
				return fmt.Errorf("clear %s!%s: %w", sheet, ref, err)
			}
		}
	}
	return nil
}
