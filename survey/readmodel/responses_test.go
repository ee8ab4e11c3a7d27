package readmodel_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/readmodel"
	"capsat/survey/surveytest"
)

// Responses reads a structure's responses of a period, the same on both
// designs (ledgers by _id, indexed find), and never another structure's.
func TestResponsesOfAPeriodOnBothDesigns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	ledgers := surveytest.EmbeddedModel(t, s)
	a := surveytest.Structure(t, s, "AI A", "Normandie")
	b := surveytest.Structure(t, s, "AI B", "Normandie")
	var wantMarch, wantApril []string
	for i, ref := range []string{"A-1", "A-2", "A-3"} {
		o, tok := surveytest.IssuedOrder(t, s, a.ID, ref, survey.ServiceMAD)
		surveytest.Submit(t, s, tok, func(q *survey.Questionnaire) map[string]string {
			return surveytest.AnswersLike(q, "satisfait", "9", "Merci "+ref)
		})
		if i < 2 {
			wantMarch = append(wantMarch, o.ID)
		}
		if i == 1 {
			clock.Advance(31 * 24 * time.Hour) // A-3 in April
		}
		if i == 2 {
			wantApril = append(wantApril, o.ID)
		}
	}
	_, tokB := surveytest.IssuedOrder(t, s, b.ID, "B-1", survey.ServiceMAD)
	surveytest.Submit(t, s, tokB, surveytest.Answers)
	_, _ = surveytest.IssuedOrder(t, s, a.ID, "A-unanswered", survey.ServiceMAC)

	march := dateRange(t, "2026-03-01", "2026-03-31")
	both := dateRange(t, "2026-03-01", "2026-04-30")
	check := func(t *testing.T, m *readmodel.Model) {
		for _, c := range []struct {
			r    survey.DateRange
			want []string
		}{{march, wantMarch}, {both, append(slices.Clone(wantMarch), wantApril...)}} {
			got, err := m.Responses(ctx, a.ID, c.r)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range got {
				if r.StructureID != a.ID {
					t.Fatalf("response of structure %s among A's", r.StructureID)
				}
				if r.Answers == nil || r.OrderReference == "" {
					t.Fatalf("response %s read without its answers or reference: %+v", r.OrderID, r)
				}
				ids = append(ids, r.OrderID)
			}
			slices.Sort(ids)
			want := slices.Sorted(slices.Values(c.want))
			if !slices.Equal(ids, want) {
				t.Errorf("%v: responses %v, want %v", c.r, ids, want)
			}
		}
	}
	t.Run("ledgers", func(t *testing.T) { check(t, ledgers) })
	t.Run("indexed find", func(t *testing.T) {
		check(t, readmodel.New(s, s.DB(), readmodel.Options{Embedded: false}))
	})
}
