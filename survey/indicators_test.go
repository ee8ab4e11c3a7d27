package survey_test

import (
	"math"
	"testing"
	"time"

	"capsat/survey"
)

var paris = survey.IndicatorLocation()

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, paris) }

func question(code string, t survey.QuestionType, role survey.QuestionRole) survey.Question {
	return survey.Question{Code: code, Label: "Libellé " + code, Type: t, Role: role}
}

// indicatorFixture: MAD v1, MAD v2 (adds ponctualite), MAC v1.
func indicatorFixture() *survey.IndicatorSource {
	common := []survey.Question{
		question("satisfaction_globale", survey.QuestionScale, survey.RoleOverall),
		question("reutiliser", survey.QuestionYesNo, survey.RoleReuse),
		question("recommandation", survey.QuestionNPS, survey.RoleRecommend),
		question("commentaire", survey.QuestionText, survey.RoleComment),
	}
	mad1 := survey.Questionnaire{ID: "mad1", FamilyID: "mad", Version: 1, Title: "MAD", Status: survey.StatusArchived, ServiceTypes: []survey.ServiceType{survey.ServiceMAD},
		Questions: append([]survey.Question{question("reactivite", survey.QuestionScale, "")}, common...)}
	mad2 := mad1
	mad2.ID, mad2.Version, mad2.Status = "mad2", 2, survey.StatusPublished
	mad2.Questions = append([]survey.Question{question("reactivite", survey.QuestionScale, ""), question("ponctualite", survey.QuestionScale, "")}, common...)
	mac1 := survey.Questionnaire{ID: "mac1", FamilyID: "mac", Version: 1, Title: "MAC", Status: survey.StatusPublished, ServiceTypes: []survey.ServiceType{survey.ServiceMAC},
		Questions: append([]survey.Question{question("preselection", survey.QuestionScale, "")}, common...)}
	resp := func(id string, st survey.ServiceType, qid string, issued, submitted time.Time, answers map[string]string) survey.Response {
		return survey.Response{OrderID: id, OrderReference: "BC-" + id, ServiceType: st, QuestionnaireID: qid, IssuedAt: issued, SubmittedAt: submitted, Answers: answers}
	}
	responses := []survey.Response{
		resp("o1", survey.ServiceMAD, "mad1", day(2026, 1, 10), day(2026, 1, 12), map[string]string{
			"reactivite": "tres_satisfait", "satisfaction_globale": "satisfait", "reutiliser": "oui", "recommandation": "10", "commentaire": "Très bien"}),
		// answered after its period (January) ended: counts in January.
		resp("o2", survey.ServiceMAD, "mad2", day(2026, 1, 20), day(2026, 2, 15), map[string]string{
			"reactivite": "peu_satisfait", "ponctualite": "satisfait", "satisfaction_globale": "pas_du_tout_satisfait", "reutiliser": "non", "recommandation": "3"}),
		resp("o3", survey.ServiceMAC, "mac1", day(2026, 2, 5), day(2026, 2, 6), map[string]string{
			"preselection": "sans_objet", "satisfaction_globale": "sans_objet", "reutiliser": "oui", "recommandation": "9", "commentaire": `=HYPERLINK("http://x","y")`}),
		// issued before the range: out.
		resp("o4", survey.ServiceMAD, "mad1", day(2025, 12, 31), day(2026, 1, 2), map[string]string{"satisfaction_globale": "tres_satisfait"}),
	}
	src := &survey.IndicatorSource{
		Questionnaires: []survey.Questionnaire{mac1, mad2, mad1},
		Surveys: []survey.IssuedSurvey{
			{OrderID: "o1", ServiceType: survey.ServiceMAD, IssuedAt: day(2026, 1, 10)},
			{OrderID: "o2", ServiceType: survey.ServiceMAD, IssuedAt: day(2026, 1, 20)},
			{OrderID: "o3", ServiceType: survey.ServiceMAC, IssuedAt: day(2026, 2, 5)},
			{OrderID: "o5", ServiceType: survey.ServiceMAD, IssuedAt: day(2026, 1, 25)},                  // not answered
			{OrderID: "o6", ServiceType: survey.ServiceMAD, IssuedAt: day(2026, 2, 10), Cancelled: true}, // cancelled, not re-issued
			{OrderID: "o7", ServiceType: survey.ServiceMAC, IssuedAt: day(2026, 2, 20)},                  // not answered
		},
	}
	for i := range responses {
		src.AddResponse(&responses[i])
	}
	return src
}

func janFeb() survey.DateRange {
	return survey.DateRange{From: time.Date(2026, 1, 1, 0, 0, 0, 0, paris), To: time.Date(2026, 2, 28, 0, 0, 0, 0, paris)}
}

// want is an expected figure: value (NaN for none), numerator, denominator.
type want struct {
	code, period, service string
	value, num, den       float64
}

func checkFigures(t *testing.T, in *survey.Indicators, wants []want) {
	t.Helper()
	for _, w := range wants {
		f, ok := in.Figure(w.code, w.period, w.service)
		if !ok {
			t.Errorf("%s %s %s: missing", w.code, w.period, w.service)
			continue
		}
		if f.Numerator != w.num || f.Denominator != w.den {
			t.Errorf("%s %s %s: %v/%v, want %v/%v", w.code, w.period, w.service, f.Numerator, f.Denominator, w.num, w.den)
		}
		switch {
		case math.IsNaN(w.value) && f.Value != nil:
			t.Errorf("%s %s %s: value %v, want none", w.code, w.period, w.service, *f.Value)
		case !math.IsNaN(w.value) && (f.Value == nil || math.Abs(*f.Value-w.value) > 1e-9):
			t.Errorf("%s %s %s: value %v, want %v", w.code, w.period, w.service, f.Value, w.value)
		}
	}
}

var none = math.NaN()

const (
	all = survey.AllServices
	mad = string(survey.ServiceMAD)
	mac = string(survey.ServiceMAC)
)

func TestComputeIndicators(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	in := survey.ComputeIndicators(indicatorFixture(), survey.IndicatorQuery{Range: janFeb(), By: survey.ByMonth}, now)
	if got := len(in.Periods); got != 3 {
		t.Fatalf("periods %d, want 3 (2 months + Total)", got)
	}
	checkFigures(t, in, []want{
		// o1, o2, o5 issued in January; o3, o7 in February; o6 cancelled.
		{"QUESTIONNAIRES_ENVOYES", "Total", all, 5, 5, 0},
		{"REPONSES", "Total", all, 3, 3, 0},
		{"TAUX_REPONSE", "Total", all, 0.6, 3, 5},
		{"TAUX_REPONSE", "2026-01", all, 2.0 / 3, 2, 3},
		{"TAUX_REPONSE", "2026-01", mad, 2.0 / 3, 2, 3},
		{"TAUX_REPONSE", "2026-02", all, 0.5, 1, 2},
		{"TAUX_REPONSE", "2026-02", mad, none, 0, 0}, // only a cancelled link
		{"TAUX_REPONSE", "2026-02", mac, 0.5, 1, 2},
		// satisfait, pas du tout, sans objet: 1 of 2.
		{"SAT_GLOBALE", "Total", all, 0.5, 1, 2},
		{"SAT_GLOBALE_SCORE", "Total", all, 2, 4, 2},
		{"SAT_GLOBALE", "2026-02", mac, none, 0, 0}, // only Sans objet
		// 10, 3, 9: two promoters, one detractor.
		{"NPS", "Total", all, 100.0 / 3, 1, 3},
		{"NPS_PROMOTEURS", "Total", all, 2.0 / 3, 2, 3},
		{"NPS_PASSIFS", "Total", all, 0, 0, 3},
		{"NPS_DETRACTEURS", "Total", all, 1.0 / 3, 1, 3},
		{"NPS", "Total", mad, 0, 0, 2},
		{"NPS", "Total", mac, 100, 1, 1},
		{"TAUX_FIDELISATION", "Total", all, 2.0 / 3, 2, 3},
		{"VERBATIMS", "Total", all, 2, 2, 0},
		{"Q_REACTIVITE", "Total", all, 0.5, 1, 2},
		{"Q_REACTIVITE_SCORE", "Total", mad, 3, 6, 2},
		{"Q_REACTIVITE_TRES_SATISFAIT", "2026-01", mad, 0.5, 1, 2},
		// in version 2 only
		{"Q_PONCTUALITE", "Total", mad, 1, 1, 1},
		{"Q_PONCTUALITE", "2026-01", all, 1, 1, 1},
		{"Q_PRESELECTION", "Total", mac, none, 0, 0},
		{"Q_PRESELECTION_SANS_OBJET", "Total", mac, 1, 1, 1},
		{"Q_REUTILISER", "Total", all, 2.0 / 3, 2, 3},
		{"Q_REUTILISER_NON", "Total", all, 1.0 / 3, 1, 3},
		{"Q_RECOMMANDATION", "Total", all, 100.0 / 3, 1, 3},
		{"Q_RECOMMANDATION_NOTE_9", "Total", all, 1.0 / 3, 1, 3},
	})
	if _, ok := in.Figure("Q_REACTIVITE", "Total", mac); ok {
		t.Error("a staff-provision question has no hiring figure")
	}
	if f, _ := in.Figure("SAT_GLOBALE", "Total", all); !f.Indicative || f.N != 2 {
		t.Errorf("SAT_GLOBALE rests on 2 answers: indicative, n=2; got %+v", f)
	}
	if f, _ := in.Figure("REPONSES", "Total", all); f.Indicative {
		t.Error("a count is never indicative")
	}
	if len(in.Verbatims) != 2 || in.Verbatims[0].OrderReference != "BC-o3" || in.Verbatims[1].Text != "Très bien" {
		t.Errorf("verbatims: %+v", in.Verbatims)
	}
	if len(in.Questionnaires) != 3 {
		t.Errorf("versions involved: %+v", in.Questionnaires)
	}
	if q := in.Questions[0]; q.Code != "reactivite" || len(q.Versions) != 2 {
		t.Errorf("first question %+v, want reactivite in two versions", q)
	}
}

func TestComputeIndicatorsServiceFilter(t *testing.T) {
	t.Parallel()
	in := survey.ComputeIndicators(indicatorFixture(), survey.IndicatorQuery{Range: janFeb(), By: survey.ByQuarter, Service: survey.ServiceMAC}, time.Now())
	if len(in.Services) != 1 || in.Services[0] != mac {
		t.Fatalf("services %v", in.Services)
	}
	checkFigures(t, in, []want{
		{"QUESTIONNAIRES_ENVOYES", "2026-T1", mac, 2, 2, 0},
		{"NPS", "Total", mac, 100, 1, 1},
	})
	if _, ok := in.Figure("Q_REACTIVITE", "Total", mac); ok {
		t.Error("staff-provision question listed for hiring only")
	}
}

func TestComputeIndicatorsNoResponse(t *testing.T) {
	t.Parallel()
	src := indicatorFixture()
	src = &survey.IndicatorSource{Questionnaires: src.Questionnaires}
	in := survey.ComputeIndicators(src, survey.IndicatorQuery{Range: janFeb(), By: survey.ByMonth}, time.Now())
	checkFigures(t, in, []want{
		{"QUESTIONNAIRES_ENVOYES", "Total", all, 0, 0, 0},
		{"TAUX_REPONSE", "Total", all, none, 0, 0},
		{"NPS", "2026-01", all, none, 0, 0},
		{"SAT_GLOBALE", "Total", all, none, 0, 0},
	})
	if len(in.Verbatims) != 0 || len(in.Questionnaires) != 0 {
		t.Error("no response: no verbatim, no version involved")
	}
}

func TestFigurePlusSumsCounts(t *testing.T) {
	t.Parallel()
	a := survey.NewFigure("NPS", "Total", all, survey.KindNPS, 10, 20)
	b := survey.NewFigure("NPS", "Total", all, survey.KindNPS, -5, 20)
	s := a.Plus(b)
	if *s.Value != 12.5 || s.N != 40 || s.Indicative {
		t.Errorf("sum %+v, want 12.5 on 40", s)
	}
}

func TestPeriods(t *testing.T) {
	t.Parallel()
	r := survey.DateRange{From: time.Date(2025, 3, 1, 0, 0, 0, 0, paris), To: time.Date(2026, 2, 28, 0, 0, 0, 0, paris)}
	prev := r.Previous()
	if prev.From.Format(time.DateOnly) != "2024-03-01" || prev.To.Format(time.DateOnly) != "2025-02-28" {
		t.Errorf("previous of 12 months: %s", prev)
	}
	odd := survey.DateRange{From: time.Date(2026, 1, 10, 0, 0, 0, 0, paris), To: time.Date(2026, 1, 19, 0, 0, 0, 0, paris)}
	if p := odd.Previous(); p.From.Format(time.DateOnly) != "2025-12-31" || p.To.Format(time.DateOnly) != "2026-01-09" {
		t.Errorf("previous of 10 days: %s", p)
	}
	qs := survey.SplitRange(r, survey.ByQuarter)
	if len(qs) != 5 || qs[0].Key != "2025-T1" || qs[0].From.Format(time.DateOnly) != "2025-03-01" || qs[4].Key != "2026-T1" {
		t.Errorf("quarters %+v", qs)
	}
	last := survey.LastFullMonths(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), 12, paris)
	if last.From.Format(time.DateOnly) != "2025-03-01" || last.To.Format(time.DateOnly) != "2026-02-28" {
		t.Errorf("last 12 months %s", last)
	}
	// 23:30 UTC on 31 March is 1 April in Paris.
	late := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC)
	april := survey.DateRange{From: time.Date(2026, 4, 1, 0, 0, 0, 0, paris), To: time.Date(2026, 4, 30, 0, 0, 0, 0, paris)}
	if !april.Contains(late) {
		t.Error("periods are cut on French dates")
	}
}

func TestCodes(t *testing.T) {
	t.Parallel()
	if got := survey.QuestionIndicatorCode("délai présentation"); got != "Q_DELAI_PRESENTATION" {
		t.Errorf("code %q", got)
	}
	if got := survey.Slug("Ça Bouge ! AI d'Évreux"); got != "ca-bouge-ai-d-evreux" {
		t.Errorf("slug %q", got)
	}
}
