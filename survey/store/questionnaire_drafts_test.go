package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"capsat/survey"
	"capsat/survey/surveytest"
)

// Two editors who read the same revision: the second save is refused,
// never silently written over the first.
func TestQuestionnaireDraftRevision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, st := newOrderStore(t)
	draft, err := s.CreateQuestionnaire(ctx, st.ID, surveytest.QuestionnaireInput())
	if err != nil {
		t.Fatal(err)
	}
	if draft.Revision != 0 {
		t.Fatalf("new draft revision %d", draft.Revision)
	}
	rev := 0
	first := surveytest.QuestionnaireInput()
	first.Title, first.Revision = "Première", &rev
	saved, err := s.UpdateQuestionnaire(ctx, st.ID, draft.ID, first)
	if err != nil || saved.Revision != 1 {
		t.Fatalf("first save: %v %+v", err, saved)
	}
	second := surveytest.QuestionnaireInput()
	second.Title, second.Revision = "Seconde", &rev
	_, err = s.UpdateQuestionnaire(ctx, st.ID, draft.ID, second)
	var cerr *survey.ConflictError
	if !errors.As(err, &cerr) || !strings.Contains(cerr.Message, "quelqu'un d'autre") {
		t.Fatalf("stale save: %v", err)
	}
	got, _ := s.Questionnaire(ctx, st.ID, draft.ID)
	if got.Title != "Première" || got.Revision != 1 {
		t.Fatalf("stored after a refused save: %q rev %d", got.Title, got.Revision)
	}

	// Concurrent saves of one revision: exactly one wins.
	var wg sync.WaitGroup
	wins := make(chan string, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			one := 1
			in := surveytest.QuestionnaireInput()
			in.Title, in.Revision = "Éditeur "+string(rune('A'+i)), &one
			if _, err := s.UpdateQuestionnaire(ctx, st.ID, draft.ID, in); err == nil {
				wins <- in.Title
			} else if !errors.As(err, &cerr) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	close(wins)
	var winners []string
	for w := range wins {
		winners = append(winners, w)
	}
	got, _ = s.Questionnaire(ctx, st.ID, draft.ID)
	if len(winners) != 1 || got.Title != winners[0] || got.Revision != 2 {
		t.Fatalf("concurrent saves: winners %v, stored %q rev %d", winners, got.Title, got.Revision)
	}
}

func TestDeleteQuestionnaireDraftOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, st := newOrderStore(t)
	published := mustList(t, s, st.ID)[0]
	err := s.DeleteQuestionnaire(ctx, st.ID, published.ID)
	var cerr *survey.ConflictError
	if !errors.As(err, &cerr) || !strings.Contains(cerr.Message, "publiée") {
		t.Fatalf("deleting a published version: %v", err)
	}
	draft, err := s.NewQuestionnaireVersion(ctx, st.ID, published.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteQuestionnaire(ctx, "another-structure", draft.ID); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("another structure deleting: %v", err)
	}
	if err := s.DeleteQuestionnaire(ctx, st.ID, draft.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Questionnaire(ctx, st.ID, draft.ID); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("deleted draft still there: %v", err)
	}
	// The family may have a draft again.
	if _, err := s.NewQuestionnaireVersion(ctx, st.ID, published.ID); err != nil {
		t.Fatal(err)
	}
	// A published draft changes no more.
	rev := 0
	in := surveytest.QuestionnaireInput()
	in.Revision = &rev
	if _, err := s.UpdateQuestionnaire(ctx, st.ID, published.ID, in); !errors.As(err, &cerr) {
		t.Fatalf("updating a published version: %v", err)
	}
}
