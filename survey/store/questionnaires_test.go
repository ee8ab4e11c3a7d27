package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/surveytest"
)

func TestQuestionnaireLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clock, st := newOrderStore(t)
	defaults := mustList(t, s, st.ID)
	if len(defaults) != 2 {
		t.Fatalf("want the two default questionnaires, got %d", len(defaults))
	}

	draft, err := s.CreateQuestionnaire(ctx, st.ID, surveytest.QuestionnaireInput())
	if err != nil {
		t.Fatal(err)
	}
	if draft.Status != survey.StatusDraft || draft.Version != 1 || draft.FamilyID == "" {
		t.Fatalf("new draft: %+v", draft)
	}
	// A draft is not used for links.
	if q, _ := s.PublishedQuestionnaireFor(ctx, st.ID, survey.ServiceMAD); q.ID == draft.ID {
		t.Fatal("a draft was chosen for new links")
	}
	in := surveytest.QuestionnaireInput()
	in.Title = "Votre avis, version courte"
	in.Questions = in.Questions[6:] // overall, reuse, recommend, comment
	updated, err := s.UpdateQuestionnaire(ctx, st.ID, draft.ID, in)
	if err != nil || updated.Title != in.Title || len(updated.Questions) != 4 {
		t.Fatalf("update draft: %v %+v", err, updated)
	}
	bad := in
	bad.Questions = nil
	if _, err := s.UpdateQuestionnaire(ctx, st.ID, draft.ID, bad); !errors.As(err, new(*survey.ValidationError)) {
		t.Fatalf("invalid update: %v", err)
	}

	clock.Advance(time.Minute)
	pub, err := s.PublishQuestionnaire(ctx, st.ID, draft.ID)
	if err != nil || pub.Status != survey.StatusPublished || pub.PublishedAt == nil {
		t.Fatalf("publish: %v %+v", err, pub)
	}
	if q, _ := s.PublishedQuestionnaireFor(ctx, st.ID, survey.ServiceMAD); q.ID != draft.ID {
		t.Fatalf("the latest published must serve new links, got %s", q.Title)
	}
	var cerr *survey.ConflictError
	if _, err := s.UpdateQuestionnaire(ctx, st.ID, draft.ID, in); !errors.As(err, &cerr) || cerr.Message == "" {
		t.Fatalf("published version edited: %v", err)
	}
	if again, _ := s.Questionnaire(ctx, st.ID, draft.ID); again.Title != in.Title || again.Status != survey.StatusPublished {
		t.Fatalf("published version changed: %+v", again)
	}

	next, err := s.NewQuestionnaireVersion(ctx, st.ID, draft.ID)
	if err != nil || next.Version != 2 || next.FamilyID != draft.FamilyID || next.Status != survey.StatusDraft || len(next.Questions) != 4 {
		t.Fatalf("next version: %v %+v", err, next)
	}
	if _, err := s.NewQuestionnaireVersion(ctx, st.ID, draft.ID); !errors.Is(err, survey.ErrConflict) {
		t.Fatalf("second draft in a family: %v", err)
	}
	clock.Advance(time.Minute)
	if _, err := s.PublishQuestionnaire(ctx, st.ID, next.ID); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.PublishedQuestionnaireFor(ctx, st.ID, survey.ServiceMAD); q.ID != next.ID {
		t.Fatal("version 2 must supersede version 1")
	}
	v3, err := s.NewQuestionnaireVersion(ctx, st.ID, draft.ID) // from an older version: still next in the family
	if err != nil || v3.Version != 3 {
		t.Fatalf("version 3: %v %+v", err, v3)
	}

	archived, err := s.ArchiveQuestionnaire(ctx, st.ID, next.ID)
	if err != nil || archived.Status != survey.StatusArchived {
		t.Fatalf("archive: %v", err)
	}
	if q, _ := s.PublishedQuestionnaireFor(ctx, st.ID, survey.ServiceMAD); q.ID != draft.ID {
		t.Fatal("archiving v2 must fall back on v1")
	}
	if _, err := s.PublishQuestionnaire(ctx, st.ID, next.ID); !errors.Is(err, survey.ErrConflict) {
		t.Fatalf("archived published again: %v", err)
	}
	// The last published questionnaire of a service type stays.
	if _, err := s.ArchiveQuestionnaire(ctx, st.ID, draft.ID); err != nil {
		t.Fatal(err)
	}
	var madDefault string
	for _, q := range defaults {
		if q.ServiceTypes[0] == survey.ServiceMAD {
			madDefault = q.ID
		}
	}
	if _, err := s.ArchiveQuestionnaire(ctx, st.ID, madDefault); !errors.As(err, &cerr) {
		t.Fatalf("last published archived: %v", err)
	}

	if _, err := s.Questionnaire(ctx, "0123456789abcdef01234567", draft.ID); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("another structure's questionnaire: %v", err)
	}
}
