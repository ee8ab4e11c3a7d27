package store_test

import (
	"context"
	"slices"
	"testing"

	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// A structure's questionnaire versions are listed the same way whatever
// happened to them (created, new version, published, deleted), and the
// same for a structure whose list predates none (written at first read).
func TestQuestionnaireListFollowsEveryVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, st := newOrderStore(t)
	other := surveytest.Structure(t, s, "AI des Causses", "Occitanie")
	assertListed(t, s, st.ID)
	draft, err := s.CreateQuestionnaire(ctx, st.ID, surveytest.QuestionnaireInput())
	if err != nil {
		t.Fatal(err)
	}
	assertListed(t, s, st.ID, draft.ID)
	if _, err := s.PublishQuestionnaire(ctx, st.ID, draft.ID); err != nil {
		t.Fatal(err)
	}
	next, err := s.NewQuestionnaireVersion(ctx, st.ID, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertListed(t, s, st.ID, draft.ID, next.ID)
	if err := s.DeleteQuestionnaire(ctx, st.ID, next.ID); err != nil {
		t.Fatal(err)
	}
	assertListed(t, s, st.ID, draft.ID)
	assertListed(t, s, other.ID)
	// A structure from before the lists: its list is written from a find.
	if _, err := s.DB().Collection("questionnaire_lists").DeleteOne(ctx, bson.M{"_id": st.ID}); err != nil {
		t.Fatal(err)
	}
	assertListed(t, s, st.ID, draft.ID)
	if n, err := s.DB().Collection("questionnaire_lists").CountDocuments(ctx, bson.M{"_id": st.ID}); err != nil || n != 1 && s.Embedded() {
		t.Fatalf("list not written back at first read: %d (%v)", n, err)
	}
	assertListed(t, s, st.ID, draft.ID)
}

// assertListed checks that ListQuestionnaires gives sid's default versions
// and the extra ones, and nothing of another structure.
func assertListed(t *testing.T, s *store.Store, sid string, extra ...string) {
	t.Helper()
	qs, err := s.ListQuestionnaires(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	defaults := 0
	for _, q := range qs {
		if q.StructureID != sid {
			t.Fatalf("questionnaire %s of structure %s listed for %s", q.ID, q.StructureID, sid)
		}
		if slices.Contains(extra, q.ID) {
			got = append(got, q.ID)
		} else if q.Status == survey.StatusPublished {
			defaults++
		}
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(extra))
	if !slices.Equal(got, want) || defaults != len(survey.DefaultQuestionnaires(sid)) || len(qs) != len(extra)+defaults {
		t.Fatalf("listed %d versions (%v, %d defaults), want %v and %d defaults", len(qs), got, defaults, want, len(survey.DefaultQuestionnaires(sid)))
	}
}
