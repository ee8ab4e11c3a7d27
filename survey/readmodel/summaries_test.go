package readmodel_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/readmodel"
	"capsat/survey/surveytest"
)

// randomAnswers answers every question with a random valid value, and
// writes a free comment that must never reach a summary.
func randomAnswers(rng *rand.Rand, q *survey.Questionnaire) map[string]string {
	a := map[string]string{}
	for _, qu := range q.Questions {
		switch qu.Type {
		case survey.QuestionScale:
			a[qu.Code] = survey.ScaleLevels[rng.IntN(len(survey.ScaleLevels))].Value
		case survey.QuestionYesNo:
			a[qu.Code] = []string{survey.YesAnswer, survey.NoAnswer}[rng.IntN(2)]
		case survey.QuestionNPS:
			a[qu.Code] = fmt.Sprint(rng.IntN(11))
		case survey.QuestionText:
			a[qu.Code] = "Très bien, merci à Mme Secret"
		}
	}
	return a
}

// withoutVersion blanks the snapshot sequence so that documents compare on content.
func withoutVersion(s *survey.Summary) *survey.Summary {
	c := *s
	c.Version = 0
	return &c
}

func assertSummaryIsRecomputation(t *testing.T, rm *readmodel.Model, sid, month string) *survey.Summary {
	t.Helper()
	ctx := context.Background()
	stored, err := rm.Summary(ctx, sid, month)
	if err != nil {
		t.Fatalf("summary %s: %v", month, err)
	}
	fresh, err := rm.ComputeSummary(ctx, sid, month)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(withoutVersion(stored), fresh) {
		t.Fatalf("stored summary differs from a recomputation:\nstored %+v\nfresh  %+v", stored, fresh)
	}
	return stored
}

func TestSummariesEqualRecomputationAfterConcurrentSubmissions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 31, 21, 0, 0, 0, time.UTC)} // 23:00 in Paris: March
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.ReadModel(t, s)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	var tokens []string
	for i := range 24 {
		if i == 12 {
			clock.Advance(2 * time.Hour) // 01:00 on 1 April in Paris: April
		}
		service := survey.ServiceTypes[i%2]
		o, tok := surveytest.IssuedOrder(t, s, st.ID, fmt.Sprintf("BC-%d", i), service)
		if i%7 == 3 {
			if err := s.CancelSurvey(ctx, st.ID, o.ID); err != nil {
				t.Fatal(err)
			}
			continue
		}
		tokens = append(tokens, tok)
	}
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	rng.Shuffle(len(tokens), func(i, j int) { tokens[i], tokens[j] = tokens[j], tokens[i] })
	answered := tokens[:len(tokens)-3] // a few stay unanswered
	jobs := make(chan string)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wr := rand.New(rand.NewPCG(uint64(w), 99))
			for tok := range jobs {
				sc, err := s.ResolveToken(ctx, tok)
				if err != nil {
					t.Errorf("resolve: %v", err)
					continue
				}
				if _, err := s.SubmitResponse(ctx, tok, randomAnswers(wr, &sc.Questionnaire)); err != nil {
					t.Errorf("submit: %v", err)
				}
			}
		}()
	}
	for _, tok := range answered {
		jobs <- tok
	}
	close(jobs)
	wg.Wait()

	total := 0
	for _, month := range []string{"2026-03", "2026-04"} {
		sum := assertSummaryIsRecomputation(t, rm, st.ID, month)
		for _, ss := range sum.Services {
			total += ss.Responses
			if ss.Issued == 0 || ss.Issued > 6 {
				t.Errorf("%s %s: issued %d", month, ss.Service, ss.Issued)
			}
			for _, q := range ss.Questions {
				if q.Type == survey.QuestionText {
					t.Errorf("free text tallied: %+v", q)
				}
			}
		}
	}
	if total != len(answered) {
		t.Fatalf("summaries count %d responses, %d were submitted", total, len(answered))
	}
}

func TestStaleSummaryRecomputationNeverOverwritesNewer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.ReadModel(t, s)
	st := surveytest.Structure(t, s, "AI", "Bretagne")
	_, tok := surveytest.IssuedOrder(t, s, st.ID, "BC-1", survey.ServiceMAD)
	stale, err := rm.SnapshotSummaryForTest(ctx, st.ID, "2026-03") // before the answer
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := s.ResolveToken(ctx, tok)
	if _, err := s.SubmitResponse(ctx, tok, randomAnswers(rand.New(rand.NewPCG(1, 2)), &sc.Questionnaire)); err != nil {
		t.Fatal(err)
	}
	written, err := stale()
	if err != nil || written {
		t.Fatalf("stale snapshot written=%v err=%v", written, err)
	}
	sum := assertSummaryIsRecomputation(t, rm, st.ID, "2026-03")
	if sum.Services[0].Responses != 1 {
		t.Fatalf("the answer was lost: %+v", sum)
	}
}

func TestRebuildSummariesIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.ReadModel(t, s)
	st := surveytest.Structure(t, s, "AI", "Corse")
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 6 {
		_, tok := surveytest.IssuedOrder(t, s, st.ID, fmt.Sprintf("BC-%d", i), survey.ServiceTypes[i%2])
		sc, _ := s.ResolveToken(ctx, tok)
		if _, err := s.SubmitResponse(ctx, tok, randomAnswers(rng, &sc.Questionnaire)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * 24 * time.Hour)
	}
	before := map[string]*survey.Summary{}
	for _, m := range []string{"2026-02", "2026-03", "2026-04"} {
		before[m] = withoutVersion(assertSummaryIsRecomputation(t, rm, st.ID, m))
	}
	if _, err := s.DB().Collection("summaries").DeleteMany(ctx, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // from nothing, then over its own result
		rep, err := rm.RebuildSummaries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Summaries != 3 || rep.Written != 3 || rep.Responses != 6 {
			t.Fatalf("report %+v", rep)
		}
		for m, want := range before {
			if got := assertSummaryIsRecomputation(t, rm, st.ID, m); !reflect.DeepEqual(withoutVersion(got), want) {
				t.Fatalf("%s after rebuild: %+v, want %+v", m, got, want)
			}
		}
	}
	if _, err := rm.Summary(ctx, st.ID, "2026-05"); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("no summary without orders: %v", err)
	}
}

// On MongoDB the rebuild takes the structures a group at a time; it must
// come to what one pass gives: summaries, ledgers, and summaries emptied
// of their orders.
func TestRebuildSummariesInGroupsEqualsOnePass(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.ReadModel(t, s)
	rng := rand.New(rand.NewPCG(5, 6))
	var sids []string
	for _, name := range []string{"AI du Bocage", "ETTI du Littoral", "ACI des Monts"} {
		st := surveytest.Structure(t, s, name, "Normandie")
		sids = append(sids, st.ID)
		for i := range 4 {
			_, tok := surveytest.IssuedOrder(t, s, st.ID, fmt.Sprintf("BC-%d", i), survey.ServiceTypes[i%2])
			sc, _ := s.ResolveToken(ctx, tok)
			if _, err := s.SubmitResponse(ctx, tok, randomAnswers(rng, &sc.Questionnaire)); err != nil {
				t.Fatal(err)
			}
			clock.Advance(12 * 24 * time.Hour)
		}
	}
	// A month whose only order is deleted keeps a summary that must empty.
	gone, _ := surveytest.IssuedOrder(t, s, sids[0], "BC-SUPPRIME", survey.ServiceMAD)
	if err := s.DeleteOrder(ctx, sids[0], gone.ID); err != nil {
		t.Fatal(err)
	}
	goneMonth := survey.SummaryMonth(clock.Now())
	months := []string{"2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"}
	want := map[string]*survey.Summary{}
	for _, sid := range sids {
		for _, m := range months {
			sum, err := rm.ComputeSummary(ctx, sid, m)
			if err != nil {
				t.Fatal(err)
			}
			want[sid+m] = withoutVersion(sum)
		}
	}
	for _, col := range []string{"summaries", "ledgers"} {
		if _, err := s.DB().Collection(col).DeleteMany(ctx, map[string]any{}); err != nil {
			t.Fatal(err)
		}
	}
	// The emptied month's summary exists (with stale tallies) before the rebuild.
	if _, err := s.DB().Collection("summaries").InsertOne(ctx, map[string]any{
		"_id": survey.SummaryID(sids[0], goneMonth), "structure_id": sids[0], "month": goneMonth, "version": int64(1),
		"tallies": "S mad 1 0\n", "ledger_format": 1, "ledger_parts": 0,
	}); err != nil {
		t.Fatal(err)
	}
	rep, err := rm.RebuildSummariesInGroupsForTest(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Responses != 12 {
		t.Fatalf("report %+v", rep)
	}
	for _, sid := range sids {
		for _, m := range months {
			got, err := rm.Summary(ctx, sid, m)
			switch {
			case errors.Is(err, survey.ErrNotFound) && len(want[sid+m].Services) == 0:
			case err != nil:
				t.Fatalf("%s %s: %v", sid, m, err)
			case !reflect.DeepEqual(withoutVersion(got), want[sid+m]):
				t.Fatalf("%s %s after a grouped rebuild: %+v, want %+v", sid, m, got, want[sid+m])
			}
		}
		r := survey.DateRange{From: time.Date(2026, 2, 1, 0, 0, 0, 0, survey.IndicatorLocation()), To: time.Date(2026, 7, 31, 0, 0, 0, 0, survey.IndicatorLocation())}
		ledger, err := rm.IndicatorSource(ctx, sid, r)
		if err != nil {
			t.Fatal(err)
		}
		reference, err := s.IndexedIndicatorSource(ctx, sid, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(ledger.Responses) != 4 || len(ledger.Responses) != len(reference.Responses) || len(ledger.Surveys) != len(reference.Surveys) {
			t.Fatalf("%s: ledgers hold %d responses and %d surveys, the collections %d and %d", sid,
				len(ledger.Responses), len(ledger.Surveys), len(reference.Responses), len(reference.Surveys))
		}
	}
	emptied, err := rm.Summary(ctx, sids[0], goneMonth)
	if err != nil || len(emptied.Services) != 0 {
		t.Fatalf("summary of the emptied month: %+v, %v", emptied, err)
	}
}
