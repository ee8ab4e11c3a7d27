package export_test

import (
	"archive/zip"
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"capsat/export"
	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

var paris = survey.IndicatorLocation()

const hyperlink = `=HYPERLINK("http://x","y")`

func at(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, paris) }

// fixtureSource: default questionnaires, responses in Dec 2025 (previous
// range) and Jan–Feb 2026, one comment that looks like a formula.
func fixtureSource() *survey.IndicatorSource {
	mad := survey.Questionnaire{ID: "mad1", FamilyID: "mad", Version: 1, Title: "Mise à disposition", Status: survey.StatusPublished,
		ServiceTypes: []survey.ServiceType{survey.ServiceMAD}, Questions: survey.DefaultMADQuestions()}
	mac := survey.Questionnaire{ID: "mac1", FamilyID: "mac", Version: 1, Title: "Recrutement", Status: survey.StatusPublished,
		ServiceTypes: []survey.ServiceType{survey.ServiceMAC}, Questions: survey.DefaultMACQuestions()}
	src := &survey.IndicatorSource{Questionnaires: []survey.Questionnaire{mad, mac}}
	add := func(id string, st survey.ServiceType, issued time.Time, overall, reuse, nps, comment string) {
		q := mad
		if st == survey.ServiceMAC {
			q = mac
		}
		answers := map[string]string{"satisfaction_globale": overall, "reutiliser": reuse, "recommandation": nps}
		for _, qu := range q.Questions {
			if qu.Type == survey.QuestionScale && qu.Role == "" {
				answers[qu.Code] = "satisfait"
			}
		}
		if comment != "" {
			answers["commentaire"] = comment
		}
		src.Surveys = append(src.Surveys, survey.IssuedSurvey{OrderID: id, ServiceType: st, IssuedAt: issued})
		ch := survey.ChannelLink
		if id == "j1" {
			ch = survey.ChannelQR
		}
		src.AddResponse(&survey.Response{OrderID: id, OrderReference: "BC-" + id, ServiceType: st,
			QuestionnaireID: q.ID, QuestionnaireVersion: 1, IssuedAt: issued, SubmittedAt: issued.AddDate(0, 0, 3), Answers: answers, Channel: ch})
	}
	add("d1", survey.ServiceMAD, at(2025, 12, 5), "satisfait", "oui", "10", "")
	add("j1", survey.ServiceMAD, at(2026, 1, 5), "tres_satisfait", "oui", "9", "Parfait")
	add("j2", survey.ServiceMAC, at(2026, 1, 15), "peu_satisfait", "non", "4", hyperlink)
	add("f1", survey.ServiceMAD, at(2026, 2, 3), "sans_objet", "oui", "7", "")
	src.Surveys = append(src.Surveys, survey.IssuedSurvey{OrderID: "f2", ServiceType: survey.ServiceMAD, IssuedAt: at(2026, 2, 10)})
	return src
}

func fixtureRange() survey.DateRange {
	return survey.DateRange{From: time.Date(2026, 1, 1, 0, 0, 0, 0, paris), To: time.Date(2026, 2, 28, 0, 0, 0, 0, paris)}
}

// buildWorkbook writes the satisfaction workbook of the fixture and opens it
// again with raw cell values.
func buildWorkbook(t *testing.T) (*export.Satisfaction, *excelize.File, []byte) {
	t.Helper()
	src := fixtureSource()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	r := fixtureRange()
	in := &export.Satisfaction{
		StructureName: "=AI du Test",
		Current:       survey.ComputeIndicators(src, survey.IndicatorQuery{Range: r, By: survey.ByMonth}, now),
		Previous:      survey.ComputeIndicators(src, survey.IndicatorQuery{Range: r.Previous(), By: survey.ByMonth}, now),
		Source:        src,
		GeneratedAt:   now,
	}
	var buf bytes.Buffer
	if err := export.WriteSatisfaction(&buf, *in); err != nil {
		t.Fatalf("write: %v", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return in, f, buf.Bytes()
}

func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rs, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("rows of %s: %v", sheet, err)
	}
	return rs
}

func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// sameNumber compares a raw cell with a figure number (empty for none).
func sameNumber(t *testing.T, where, got string, want *float64) {
	t.Helper()
	if want == nil {
		if got != "" {
			t.Errorf("%s: %q, want empty", where, got)
		}
		return
	}
	v, err := strconv.ParseFloat(got, 64)
	if err != nil || math.Abs(v-*want) > 1e-9 {
		t.Errorf("%s: %q, want %v", where, got, *want)
	}
}

func ptr(v float64) *float64 { return &v }

func serviceKey(label string) string {
	for _, s := range []string{survey.AllServices, string(survey.ServiceMAD), string(survey.ServiceMAC)} {
		if survey.ServiceLabel(s) == label {
			return s
		}
	}
	return label
}

func TestSatisfactionSheets(t *testing.T) {
	t.Parallel()
	_, f, _ := buildWorkbook(t)
	want := []string{"Synthèse", "Indicateurs", "Questions", "Évolution", "Verbatims", "Suivi des insatisfactions", "Réponses", "Méthode", "Canaux"}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	for _, s := range want {
		if p, err := f.GetPanes(s); err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("%s: header row not frozen (%+v, %v)", s, p, err)
		}
	}
}

func TestIndicatorsSheetMatchesFigures(t *testing.T) {
	t.Parallel()
	in, f, _ := buildWorkbook(t)
	rs := rows(t, f, "Indicateurs")
	if got := strings.Join(rs[0], "|"); got != "Code|Période|Prestation|Valeur|Numérateur|Dénominateur" {
		t.Fatalf("header %q", got)
	}
	// Every figure but the by-channel ones (sheet Canaux).
	channel := 0
	for _, fg := range in.Current.Figures {
		if survey.IsChannelCode(fg.Code) {
			channel++
		}
	}
	if channel == 0 || len(rs)-1 != len(in.Current.Figures)-channel {
		t.Fatalf("%d rows, want %d figures (%d by channel)", len(rs)-1, len(in.Current.Figures)-channel, channel)
	}
	months := map[string]bool{}
	for i, r := range rs[1:] {
		fg, ok := in.Current.Figure(r[0], r[1], serviceKey(r[2]))
		if !ok {
			t.Fatalf("row %d %v: no such figure", i+2, r)
		}
		where := "Indicateurs row " + strconv.Itoa(i+2)
		sameNumber(t, where+" value", cell(r, 3), fg.Value)
		sameNumber(t, where+" numerator", cell(r, 4), ptr(fg.Numerator))
		if fg.Kind == survey.KindCount {
			sameNumber(t, where+" denominator", cell(r, 5), nil)
		} else {
			sameNumber(t, where+" denominator", cell(r, 5), ptr(fg.Denominator))
		}
		months[r[1]] = true
	}
	if !months["2026-01"] || !months["2026-02"] || !months["Total"] || len(months) != 3 {
		t.Errorf("periods %v, want 2026-01, 2026-02, Total", months)
	}
	// TAUX_REPONSE of January, all services, is a fraction in percent format.
	for i, r := range rs {
		if r[0] == "TAUX_REPONSE" && r[1] == "2026-01" && r[2] == "Toutes" {
			if r[3] != "1" {
				t.Errorf("January response rate %q, want 1 (2 of 2)", r[3])
			}
			ref, _ := excelize.CoordinatesToCellName(4, i+1)
			if got := numFmt(t, f, "Indicateurs", ref); got != "0.0%" {
				t.Errorf("rate format %q", got)
			}
		}
		if r[0] == "NPS" && r[1] == "Total" && r[2] == "Toutes" {
			// 9, 4, 7: one promoter, one detractor → 0.
			if r[3] != "0" || r[4] != "0" || r[5] != "3" {
				t.Errorf("NPS row %v", r)
			}
		}
	}
}

func numFmt(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	return strconv.Itoa(st.NumFmt)
}

func TestSummarySheetMatchesFigures(t *testing.T) {
	t.Parallel()
	in, f, _ := buildWorkbook(t)
	rs := rows(t, f, "Synthèse")
	if len(rs)-1 != len(survey.HeadlineCodes)*len(in.Current.Services) {
		t.Fatalf("%d rows", len(rs)-1)
	}
	for i, r := range rs[1:] {
		svc := serviceKey(r[2])
		c, _ := in.Current.Figure(r[1], "Total", svc)
		p, _ := in.Previous.Figure(r[1], "Total", svc)
		where := "Synthèse row " + strconv.Itoa(i+2) + " " + r[1]
		sameNumber(t, where+" current", cell(r, 3), c.Value)
		sameNumber(t, where+" previous", cell(r, 6), p.Value)
		if c.Value != nil && p.Value != nil {
			sameNumber(t, where+" gap", cell(r, 9), ptr(*c.Value-*p.Value))
		}
	}
	// Previous range (December 2025): one MAD response, satisfied.
	for _, r := range rs[1:] {
		if r[1] == "SAT_GLOBALE" && r[2] == "Toutes" && (cell(r, 6) != "1" || cell(r, 3) != "0.5") {
			t.Errorf("SAT_GLOBALE now 1 of 2 (sans objet left out), before 1 of 1: %v", r)
		}
	}
}

func TestQuestionsAndEvolutionSheets(t *testing.T) {
	t.Parallel()
	in, f, raw := buildWorkbook(t)
	qs := rows(t, f, "Questions")
	if len(qs) < 2 {
		t.Fatal("no question rows")
	}
	for i, r := range qs[1:] {
		fg, ok := in.Current.Figure(r[1], "Total", serviceKey(r[2]))
		if !ok {
			t.Fatalf("Questions row %d: unknown %v", i+2, r)
		}
		sameNumber(t, "Questions count "+r[1], cell(r, 4), ptr(fg.Numerator))
		sameNumber(t, "Questions share "+r[1], cell(r, 5), fg.Value)
	}
	ev := rows(t, f, "Évolution")
	if len(ev) != 3 || ev[1][0] != "janvier 2026" || ev[2][0] != "février 2026" {
		t.Fatalf("evolution rows %v", ev)
	}
	for i, key := range []string{"2026-01", "2026-02"} {
		for c, code := range []string{"QUESTIONNAIRES_ENVOYES", "REPONSES", "TAUX_REPONSE", "SAT_GLOBALE", "NPS"} {
			fg, _ := in.Current.Figure(code, key, survey.AllServices)
			sameNumber(t, "Évolution "+key+" "+code, cell(ev[i+1], c+1), fg.Value)
		}
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 3 {
		t.Errorf("%d charts, want 3", charts)
	}
}

func TestVerbatimsResponsesMethodSheets(t *testing.T) {
	t.Parallel()
	in, f, _ := buildWorkbook(t)
	vs := rows(t, f, "Verbatims")
	if len(vs)-1 != len(in.Current.Verbatims) || len(vs) != 3 {
		t.Fatalf("verbatims %v", vs)
	}
	found := false
	for i, r := range vs[1:] {
		if r[0] != hyperlink {
			continue
		}
		found = true
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		if formula, _ := f.GetCellFormula("Verbatims", ref); formula != "" {
			t.Errorf("comment became a formula %q", formula)
		}
		if typ, _ := f.GetCellType("Verbatims", ref); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
			t.Errorf("comment cell type %v, want text", typ)
		}
		if got := numFmt(t, f, "Verbatims", ref); got != "49" {
			t.Errorf("formula-like comment should have the text format, got %s", got)
		}
		if r[1] != "BC-j2" || r[2] != "Mise à contrat" {
			t.Errorf("verbatim row %v", r)
		}
		dateRef, _ := excelize.CoordinatesToCellName(4, i+2)
		if got := numFmt(t, f, "Verbatims", dateRef); got != "dd/mm/yyyy" {
			t.Errorf("date format %q", got)
		}
		if v, _ := f.GetCellValue("Verbatims", dateRef); v != "46037" { // 15/01/2026
			t.Errorf("issue date serial %q", v)
		}
	}
	if !found {
		t.Error("formula-like comment missing from Verbatims")
	}
	rs := rows(t, f, "Réponses")
	if len(rs)-1 != 3 { // j1, j2, f1: December is out of the range
		t.Fatalf("%d response rows", len(rs)-1)
	}
	col := -1
	for i, h := range rs[0] {
		if strings.HasSuffix(h, "[satisfaction_globale]") {
			col = i
		}
	}
	if col < 0 || rs[1][0] != "BC-j1" || rs[1][col] != "Très satisfait" || rs[2][col] != "Peu satisfait" {
		t.Errorf("responses %v", rs)
	}
	ms := rows(t, f, "Méthode")
	text := ""
	for _, r := range ms {
		text += strings.Join(r, " ") + "\n"
	}
	for _, must := range []string{"Mise à disposition (v1) : 2 réponse(s)", "Recrutement (v1) : 1 réponse(s)", "annulé", "moins de 30", "=AI du Test"} {
		if !strings.Contains(text, must) {
			t.Errorf("Méthode lacks %q", must)
		}
	}
}

func TestChannelsSheet(t *testing.T) {
	t.Parallel()
	in, f, _ := buildWorkbook(t)
	rs := rows(t, f, "Canaux")
	if got := strings.Join(rs[0], "|"); got != "Canal|Code|Période|Prestation|Valeur|Numérateur|Dénominateur|Liens remis par ce canal (n)|Indicatif (moins de 30 liens)" {
		t.Fatalf("header %q", got)
	}
	n := 0
	for i, r := range rs[1:] {
		fg, ok := in.Current.Figure(r[1], r[2], serviceKey(r[3]))
		if !ok || !survey.IsChannelCode(r[1]) {
			t.Fatalf("row %d %v: no such channel figure", i+2, r)
		}
		where := "Canaux row " + strconv.Itoa(i+2)
		sameNumber(t, where+" value", cell(r, 4), fg.Value)
		sameNumber(t, where+" numerator", cell(r, 5), ptr(fg.Numerator))
		n++
	}
	if want := len(survey.ChannelCodes) * len(in.Current.Periods) * len(in.Current.Services); n != want {
		t.Errorf("%d rows, want %d", n, want)
	}
	// January, all services: j1 handed out as a QR code and j2 as the
	// link copied, each answered: each channel over its own links.
	for _, r := range rs[1:] {
		if r[2] != "2026-01" || r[3] != "Toutes" {
			continue
		}
		switch r[1] {
		case "TAUX_REPONSE_QR", "TAUX_REPONSE_LIEN":
			if r[5] != "1" || r[6] != "1" || cell(r, 7) != "1" || cell(r, 8) != "Oui" {
				t.Errorf("%s: %v, want 1/1, n = 1, indicative", r[1], r)
			}
		case "TAUX_REPONSE_MAIL", "REPONSES_MAIL":
			if r[5] != "0" || cell(r, 7) != "0" {
				t.Errorf("%s: %v, want 0, n = 0", r[1], r)
			}
		case "REPONSES_QR":
			if r[5] != "1" || cell(r, 7) != "1" {
				t.Errorf("%s: %v, want 1, n = 1", r[1], r)
			}
		}
	}
}
