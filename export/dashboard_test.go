package export_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"capsat/export"
	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

const board = "Tableau de bord"

// capDashboard is a dashboard as a structure keeps it: named input cells,
// formulas reading them, styles, a data validation, a chart, another sheet,
// another name, and an old "Satisfaction clients" sheet.
func capDashboard(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", board))
	_, err := f.NewSheet("Plan de progrès")
	must(err)
	_, err = f.NewSheet(export.DashboardSheet)
	must(err)
	must(f.SetCellValue(export.DashboardSheet, "Z50", "ancienne valeur"))
	must(f.SetCellValue("Plan de progrès", "A1", "Relancer les clients sans réponse"))
	cells := map[string]any{"A2": "Taux de réponse", "B2": 0.1, "B3": 0.0, "B4": 0.0, "B5": 0.0, "B6": 21, "B7": 0.0, "B8": 0.0,
		"E2": "Jan", "E3": "Fév", "F2": 3, "F3": 5}
	for ref, v := range cells {
		must(f.SetCellValue(board, ref, v))
	}
	names := map[string]string{
		"TAUX_REPONSE": "B2", "NPS_MAC": "B3", "SAT_GLOBALE_2026_01": "B4", "REPONSES_2026_T1_MAD": "B5", "Autre": "B6",
		"nps_2026": "B7", "Q_INCONNUE": "B8",
	}
	for name, ref := range names {
		must(f.SetDefinedName(&excelize.DefinedName{Name: name, RefersTo: "'" + board + "'!$" + ref[:1] + "$" + ref[1:]}))
	}
	must(f.SetCellFormula(board, "C2", "TAUX_REPONSE*100"))
	must(f.SetCellFormula(board, "C6", "Autre*2"))
	pct := "0.0%"
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &pct, Font: &excelize.Font{Bold: true}})
	must(err)
	must(f.SetCellStyle(board, "B2", "B2", style))
	dv := excelize.NewDataValidation(true)
	dv.Sqref = "D2:D10"
	must(dv.SetDropList([]string{"Oui", "Non"}))
	must(f.AddDataValidation(board, dv))
	must(f.AddChart(board, "H2", &excelize.Chart{Type: excelize.Col, Series: []excelize.ChartSeries{{
		Name: "'" + board + "'!$A$2", Categories: "'" + board + "'!$E$2:$E$3", Values: "'" + board + "'!$F$2:$F$3",
	}}}))
	var buf bytes.Buffer
	_, err = f.WriteTo(&buf)
	must(err)
	return buf.Bytes()
}

func fixtureDashboard() export.Dashboard {
	src := fixtureSource()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	q := survey.IndicatorQuery{Range: fixtureRange()}
	by := func(g survey.Granularity) *survey.Indicators { q.By = g; return survey.ComputeIndicators(src, q, now) }
	return export.Dashboard{Monthly: by(survey.ByMonth), Quarterly: by(survey.ByQuarter), Yearly: by(survey.ByYear)}
}

func TestFillDashboardKeepsWorkbook(t *testing.T) {
	t.Parallel()
	in := capDashboard(t)
	d := fixtureDashboard()
	var out bytes.Buffer
	report, err := export.FillDashboard(bytes.NewReader(in), int64(len(in)), d, export.DefaultUploadLimits, &out)
	if err != nil {
		t.Fatalf("fill: %v", err)
	}
	if got := strings.Join(report.Filled, ","); got != "NPS_MAC,REPONSES_2026_T1_MAD,SAT_GLOBALE_2026_01,TAUX_REPONSE,nps_2026" {
		t.Errorf("filled %s", got)
	}
	if strings.Join(report.Unmatched, ",") != "Q_INCONNUE" {
		t.Errorf("unmatched %v", report.Unmatched)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	value := func(code, period, service string) string {
		fg, ok := map[string]*survey.Indicators{"2026": d.Yearly, "2026-T1": d.Quarterly}[period], false
		if fg == nil {
			fg = d.Monthly
		}
		figure, ok := fg.Figure(code, period, service)
		if !ok || figure.Value == nil {
			t.Fatalf("no value for %s %s %s", code, period, service)
		}
		return fmtG(*figure.Value)
	}
	checks := map[string]string{
		"B2": value("TAUX_REPONSE", "Total", survey.AllServices),
		"B3": value("NPS", "Total", string(survey.ServiceMAC)),
		"B4": value("SAT_GLOBALE", "2026-01", survey.AllServices),
		"B5": value("REPONSES", "2026-T1", string(survey.ServiceMAD)),
		"B7": value("NPS", "2026", survey.AllServices),
		"B6": "21", // another name keeps its value
	}
	for ref, want := range checks {
		got, _ := f.GetCellValue(board, ref)
		if g, err := strconv.ParseFloat(got, 64); err != nil || fmtG(g) != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
	}
	if formula, _ := f.GetCellFormula(board, "C2"); formula != "TAUX_REPONSE*100" {
		t.Errorf("formula C2 %q", formula)
	}
	if formula, _ := f.GetCellFormula(board, "C6"); formula != "Autre*2" {
		t.Errorf("formula C6 %q", formula)
	}
	if got := numFmt(t, f, board, "B2"); got != "0.0%" {
		t.Errorf("style of B2 lost: %q", got)
	}
	if dvs, err := f.GetDataValidations(board); err != nil || len(dvs) != 1 || dvs[0].Sqref != "D2:D10" {
		t.Errorf("data validation lost: %v %v", dvs, err)
	}
	names := map[string]bool{}
	for _, n := range f.GetDefinedName() {
		names[n.Name] = true
	}
	if !names["Autre"] || !names["TAUX_REPONSE"] {
		t.Errorf("names %v", names)
	}
	if v, _ := f.GetCellValue("Plan de progrès", "A1"); v != "Relancer les clients sans réponse" {
		t.Errorf("other sheet lost: %q", v)
	}
	if v, _ := f.GetCellValue(export.DashboardSheet, "Z50"); v != "" {
		t.Errorf("old content of the replaced sheet kept: %q", v)
	}
	rs, _ := f.GetRows(export.DashboardSheet)
	// Every figure but the by-channel ones, which only named cells take.
	figures := 0
	for _, fg := range d.Monthly.Figures {
		if !survey.IsChannelCode(fg.Code) {
			figures++
		}
	}
	if strings.Join(rs[0], "|") != "Code|Période|Prestation|Valeur|Numérateur|Dénominateur" || len(rs)-1 != figures {
		t.Errorf("indicators sheet: header %v, %d rows", rs[0], len(rs)-1)
	}
	if sheets := f.GetSheetList(); len(sheets) != 3 || sheets[2] != export.DashboardSheet {
		t.Errorf("sheets %v", sheets)
	}
	zr, _ := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	charts := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 1 {
		t.Errorf("chart lost: %d charts", charts)
	}
	if calc, _ := f.GetCalcProps(); calc.FullCalcOnLoad == nil || !*calc.FullCalcOnLoad {
		t.Error("formulas must be recomputed on load")
	}
}

// zipOf builds a zip archive of the given entries.
func zipOf(t *testing.T, entries map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFillDashboardRefusesBadFiles(t *testing.T) {
	t.Parallel()
	zeros := make([]byte, 3<<20)
	cases := []struct {
		name, code string
		data       []byte
		limits     export.UploadLimits
	}{
		{"not a zip", "not_xlsx", []byte("Référence;Client\nBC-1;ACME\n"), export.DefaultUploadLimits},
		{"zip without workbook", "not_xlsx", zipOf(t, map[string][]byte{"a.txt": []byte("x")}), export.DefaultUploadLimits},
		{"zip with broken parts", "not_xlsx", zipOf(t, map[string][]byte{"[Content_Types].xml": []byte("<x"), "xl/workbook.xml": []byte("<x")}), export.DefaultUploadLimits},
		{"zip bomb", "zip_bomb", zipOf(t, map[string][]byte{"[Content_Types].xml": []byte("<x/>"), "xl/workbook.xml": []byte("<x/>"), "xl/worksheets/sheet1.xml": zeros}), export.DefaultUploadLimits},
		{"unpacks too large", "too_large_unpacked", zipOf(t, map[string][]byte{"xl/worksheets/sheet1.xml": zeros}), export.UploadLimits{MaxUncompressed: 1 << 20, MaxRatio: 1 << 30}},
	}
	d := fixtureDashboard()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			_, err := export.FillDashboard(bytes.NewReader(c.data), int64(len(c.data)), d, c.limits, &out)
			var v *survey.ValidationError
			if !errors.As(err, &v) || v.Fields["file"].Code != c.code {
				t.Fatalf("error %v, want file %s", err, c.code)
			}
			if out.Len() != 0 {
				t.Error("nothing may be written for a refused file")
			}
		})
	}
}

func fmtG(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func TestReadIndicatorRowsRefusesAZipBomb(t *testing.T) {
	t.Parallel()
	zeros := make([]byte, 3<<20)
	bomb := zipOf(t, map[string][]byte{"[Content_Types].xml": []byte("<x/>"), "xl/workbook.xml": []byte("<x/>"), "xl/worksheets/sheet1.xml": zeros})
	_, err := export.ReadIndicatorRows(bytes.NewReader(bomb), int64(len(bomb)), export.DefaultUploadLimits)
	var verr *survey.ValidationError
	if !errors.As(err, &verr) || verr.Fields["file"].Code != "zip_bomb" {
		t.Fatalf("want a zip_bomb validation error, got %v", err)
	}
}
