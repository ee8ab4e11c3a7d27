package readmodel_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/surveytest"
)

// The structure's own indicators (computed from its responses) and the
// federation's figures for it (summed from summaries) are two paths to the
// same numbers: they must agree on every headline indicator.
func TestStructureIndicatorsAgreeWithFederationFigures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.ReadModel(t, s)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	rng := rand.New(rand.NewPCG(11, 12))
	for i := range 30 {
		if i == 15 {
			clock.T = time.Date(2026, 4, 8, 9, 0, 0, 0, time.UTC)
		}
		o, tok := surveytest.IssuedOrder(t, s, st.ID, fmt.Sprintf("BC-%d", i), survey.ServiceTypes[i%2])
		switch {
		case i%9 == 4:
			if err := s.CancelSurvey(ctx, st.ID, o.ID); err != nil {
				t.Fatal(err)
			}
		case i%5 != 0: // one in five stays unanswered
			sc, err := s.ResolveToken(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.SubmitResponse(ctx, tok, randomAnswers(rng, &sc.Questionnaire)); err != nil {
				t.Fatal(err)
			}
		}
	}
	r, err := survey.ParseDateRange("2026-03-01", "2026-04-30", survey.IndicatorLocation())
	if err != nil {
		t.Fatal(err)
	}
	src, err := rm.IndicatorSource(ctx, st.ID, r)
	if err != nil {
		t.Fatal(err)
	}
	own := map[string]survey.Figure{}
	for _, f := range survey.ComputeIndicators(src, survey.IndicatorQuery{Range: r, By: survey.ByMonth}, clock.Now()).Figures {
		if f.Period == survey.TotalPeriodKey && f.Service == survey.AllServices {
			own[f.Code] = f
		}
	}
	agg, err := rm.Aggregate(ctx, survey.AggregateQuery{Period: survey.MonthSpan{From: "2026-03", To: "2026-04"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(agg.Structures) != 1 {
		t.Fatalf("%d structures in the aggregate", len(agg.Structures))
	}
	net := agg.Structures[0].Figures
	for _, code := range []string{"QUESTIONNAIRES_ENVOYES", "REPONSES", "TAUX_REPONSE", "SAT_GLOBALE", "NPS", "TAUX_FIDELISATION"} {
		o, ok := own[code]
		n, nok := net[code]
		if !ok || !nok || o.Value == nil {
			t.Errorf("%s: structure figure %v (%v), federation figure %v (%v)", code, o, ok, n, nok)
			continue
		}
		nv, _ := n.Value()
		if math.Abs(*o.Value-nv) > 1e-9 {
			t.Errorf("%s: structure %v (%v/%v), federation %v (%d/%d)", code, *o.Value, o.Numerator, o.Denominator, nv, n.Numerator, n.Denominator)
		}
	}
}
