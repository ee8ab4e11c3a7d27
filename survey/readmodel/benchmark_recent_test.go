package readmodel_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/surveytest"
)

// The dashboard's comparison shows the structure's own figures as of now,
// while the region's and the network's may be up to a minute old.
func TestRecentBenchmarkOwnFiguresAreCurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.EmbeddedModel(t, s)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	other := surveytest.Structure(t, s, "AI de la Hague", "Normandie")
	var tokens []string
	for i := range 8 {
		for _, sid := range []string{st.ID, other.ID} {
			_, tok := surveytest.IssuedOrder(t, s, sid, fmt.Sprintf("BC-%d", i), survey.ServiceMAD)
			if sid == st.ID {
				tokens = append(tokens, tok)
			}
		}
	}
	span := survey.MonthSpan{From: "2026-03", To: "2026-03"}
	rate := func() (own, network float64) {
		t.Helper()
		b, err := rm.RecentBenchmark(ctx, st.ID, span, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range b.Lines {
			if l.Code == survey.FigureResponseRate {
				return float64(l.Structure.Numerator), float64(l.Network.Numerator)
			}
		}
		t.Fatal("no response rate line")
		return 0, 0
	}
	if own, network := rate(); own != 0 || network != 0 {
		t.Fatalf("before any answer: own %v, network %v", own, network)
	}
	surveytest.Submit(t, s, tokens[0], func(q *survey.Questionnaire) map[string]string {
		return surveytest.AnswersLike(q, "satisfait", "9", "")
	})
	own, network := rate()
	if own != 1 {
		t.Fatalf("own responses %v after an answer, want 1 at once", own)
	}
	if network != 0 {
		t.Fatalf("network responses %v: the network's figures were read again within the minute", network)
	}
	if b, err := rm.Benchmark(ctx, st.ID, span, ""); err != nil || b.Lines[0].Network.Numerator != 1 {
		t.Fatalf("the exact benchmark (API) sees the network's answer: %+v %v", b, err)
	}
}
