package store

import (
	"capsat/survey"
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// CreateQuestionnaire stores a new questionnaire as version 1 of a new
// family, in draft.
func (s *Store) CreateQuestionnaire(ctx context.Context, sid string, in survey.QuestionnaireInput) (*survey.Questionnaire, error) {
	if err := s.validate.Questionnaire(&in); err != nil {
		return nil, err
	}
	now := s.Now()
	q := &survey.Questionnaire{
		ID: survey.NewID(), StructureID: sid, FamilyID: survey.NewID(), Version: 1, Status: survey.StatusDraft,
		CreatedAt: now, UpdatedAt: now,
	}
	q.SetContent(in)
	if err := s.listQuestionnaire(ctx, sid, q.ID, true); err != nil {
		return nil, fmt.Errorf("create questionnaire: %w", err)
	}
	if _, err := s.db.Collection(colQuestionnaires).InsertOne(ctx, q); err != nil {
		return nil, fmt.Errorf("create questionnaire: %w", Translate(err))
	}
	return q, nil
}

// UpdateQuestionnaire replaces the content of a draft. A published or
// archived version never changes: ErrConflict, with a message that says to
// create the next version.
//
// When in.Revision is given, the save is refused (survey.ErrStaleDraft)
// unless the draft is still at that revision: two people editing one
// draft never silently lose one's work. Every save increments the revision.
func (s *Store) UpdateQuestionnaire(ctx context.Context, sid, id string, in survey.QuestionnaireInput) (*survey.Questionnaire, error) {
	s.questionnaireWrites.Lock()
	defer s.questionnaireWrites.Unlock()
	q, err := s.Questionnaire(ctx, sid, id)
	if err != nil {
		return nil, err
	}
	if q.Status != survey.StatusDraft {
		return nil, survey.ErrNotDraft(q)
	}
	if in.Revision != nil && *in.Revision != q.Revision {
		return nil, survey.ErrStaleDraft(q)
	}
	if err := s.validate.Questionnaire(&in); err != nil {
		return nil, err
	}
	q.SetContent(in)
	q.UpdatedAt = s.Now()
	set := bson.M{"title": q.Title, "intro": q.Intro, "service_types": q.ServiceTypes, "questions": q.Questions, "updated_at": q.UpdatedAt, "revision": q.Revision + 1}
	if err := s.setDraft(ctx, q, set); err != nil {
		return nil, fmt.Errorf("update questionnaire: %w", Translate(err))
	}
	q.Revision++
	return q, nil
}

// PublishQuestionnaire makes a draft the version new links of its service
// types use (the latest published wins). Publishing a published version
// changes nothing; an archived one is refused.
func (s *Store) PublishQuestionnaire(ctx context.Context, sid, id string) (*survey.Questionnaire, error) {
	s.questionnaireWrites.Lock()
	defer s.questionnaireWrites.Unlock()
	q, err := s.Questionnaire(ctx, sid, id)
	if err != nil {
		return nil, err
	}
	switch q.Status {
	case survey.StatusPublished:
		return q, nil
	case survey.StatusArchived:
		return nil, survey.Conflict(fmt.Sprintf("La version %d de ce questionnaire est archivée : elle ne peut plus être publiée.", q.Version))
	}
	// Rules may have tightened since the draft was saved.
	in := survey.QuestionnaireInput{Title: q.Title, Intro: q.Intro, ServiceTypes: q.ServiceTypes, Questions: q.Questions}
	if err := s.validate.Questionnaire(&in); err != nil {
		return nil, err
	}
	now := s.Now()
	if err := s.setDraft(ctx, q, bson.M{"status": survey.StatusPublished, "published_at": now, "updated_at": now}); err != nil {
		return nil, fmt.Errorf("publish questionnaire: %w", Translate(err))
	}
	q.Status, q.PublishedAt, q.UpdatedAt = survey.StatusPublished, &now, now
	return q, nil
}

// ArchiveQuestionnaire retires a version: new links stop using it, links
// already issued keep it. Archiving the last published questionnaire of a
// service type is refused, since new links of that type would have none.
func (s *Store) ArchiveQuestionnaire(ctx context.Context, sid, id string) (*survey.Questionnaire, error) {
	s.questionnaireWrites.Lock()
	defer s.questionnaireWrites.Unlock()
	q, err := s.Questionnaire(ctx, sid, id)
	if err != nil {
		return nil, err
	}
	if q.Status == survey.StatusArchived {
		return q, nil
	}
	if q.Status == survey.StatusPublished {
		if err := s.refuseLastPublished(ctx, q); err != nil {
			return nil, err
		}
	}
	now := s.Now()
	q.Status, q.ArchivedAt, q.UpdatedAt = survey.StatusArchived, &now, now
	if err := s.setQuestionnaire(ctx, q.ID, bson.M{"status": q.Status, "archived_at": now, "updated_at": now}); err != nil {
		return nil, fmt.Errorf("archive questionnaire: %w", Translate(err))
	}
	return q, nil
}

func (s *Store) refuseLastPublished(ctx context.Context, q *survey.Questionnaire) error {
	qs, err := s.ListQuestionnaires(ctx, q.StructureID)
	if err != nil {
		return err
	}
	for _, st := range q.ServiceTypes {
		covered := false
		for _, other := range qs {
			if other.ID != q.ID && other.Status == survey.StatusPublished && slices.Contains(other.ServiceTypes, st) {
				covered = true
				break
			}
		}
		if !covered {
			return survey.Conflict("C'est le seul questionnaire publié pour le type de prestation « " + st.Label() + " » : publiez-en un autre avant de l'archiver.")
		}
	}
	return nil
}

// NewQuestionnaireVersion copies a version into a new draft of the same
// family with the next version number. A family has at most one draft: when
// one exists, it is a conflict naming it. The unique (family, version) index
// refuses a concurrent copy.
func (s *Store) NewQuestionnaireVersion(ctx context.Context, sid, id string) (*survey.Questionnaire, error) {
	s.questionnaireWrites.Lock()
	defer s.questionnaireWrites.Unlock()
	src, err := s.Questionnaire(ctx, sid, id)
	if err != nil {
		return nil, err
	}
	qs, err := s.ListQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	last := 0
	for _, q := range qs {
		if q.FamilyID != src.FamilyID {
			continue
		}
		if q.Status == survey.StatusDraft {
			return nil, &survey.ConflictError{Message: fmt.Sprintf("La version %d de ce questionnaire est déjà un brouillon (id %s) : modifiez-la.", q.Version, q.ID)}
		}
		last = max(last, q.Version)
	}
	now := s.Now()
	next := *src
	next.ID, next.Version, next.Status, next.Revision = survey.NewID(), last+1, survey.StatusDraft, 0
	next.CreatedAt, next.UpdatedAt, next.PublishedAt, next.ArchivedAt = now, now, nil, nil
	next.Questions = append([]survey.Question(nil), src.Questions...)
	next.ServiceTypes = append([]survey.ServiceType(nil), src.ServiceTypes...)
	if err := s.listQuestionnaire(ctx, next.StructureID, next.ID, true); err != nil {
		return nil, fmt.Errorf("new questionnaire version: %w", err)
	}
	if _, err := s.db.Collection(colQuestionnaires).InsertOne(ctx, &next); err != nil {
		return nil, fmt.Errorf("new questionnaire version: %w", Translate(err))
	}
	return &next, nil
}

// DeleteQuestionnaire deletes a draft. Published and archived versions
// are refused (survey.ErrNotDeletable): links and responses point to them.
func (s *Store) DeleteQuestionnaire(ctx context.Context, sid, id string) error {
	s.questionnaireWrites.Lock()
	defer s.questionnaireWrites.Unlock()
	q, err := s.Questionnaire(ctx, sid, id)
	if err != nil {
		return err
	}
	if q.Status != survey.StatusDraft {
		return survey.ErrNotDeletable(q)
	}
	res, err := s.db.Collection(colQuestionnaires).DeleteOne(ctx, bson.M{"_id": q.ID, "status": survey.StatusDraft})
	if err != nil {
		return fmt.Errorf("delete questionnaire: %w", Translate(err))
	}
	if res.DeletedCount == 0 {
		now, err := s.Questionnaire(ctx, sid, id)
		if err != nil {
			return err
		}
		return survey.ErrNotDeletable(now)
	}
	// Left listed on failure: readers pass over a listed version that is gone.
	_ = s.listQuestionnaire(ctx, sid, q.ID, false)
	return nil
}

// setDraft changes q only while it is still a draft at the revision q was
// read at. Status and revision in the filter make the check and the write
// one operation on MongoDB, so that a version published or saved
// meanwhile by another instance is never altered (questionnaireWrites does
// it inside the process, the embedded store's only one); on the embedded
// store this filter costs a scan of the (small) questionnaires collection,
// a price worth paying on such a rare write.
func (s *Store) setDraft(ctx context.Context, q *survey.Questionnaire, set bson.M) error {
	filter := bson.M{"_id": q.ID, "status": survey.StatusDraft, "revision": q.Revision}
	if q.Revision == 0 {
		// Drafts stored before revisions were counted have none.
		filter["revision"] = bson.M{"$in": bson.A{0, nil}}
	}
	res, err := s.db.Collection(colQuestionnaires).UpdateOne(ctx, filter, bson.M{"$set": set})
	if err != nil {
		return Translate(err)
	}
	if res.MatchedCount == 0 {
		now, err := s.Questionnaire(ctx, q.StructureID, q.ID)
		if err != nil {
			return err
		}
		if now.Status == survey.StatusDraft {
			return survey.ErrStaleDraft(now)
		}
		return survey.ErrNotDraft(now)
	}
	return nil
}

func (s *Store) setQuestionnaire(ctx context.Context, id string, set bson.M) error {
	_, err := s.db.Collection(colQuestionnaires).UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": set})
	return Translate(err)
}
