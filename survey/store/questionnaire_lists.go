package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// questionnaireList is the list of one structure's questionnaire versions
// on the embedded store, read by _id: a filter on structure_id would
// convert every structure's questionnaires, and every dashboard, export and
// "Suivi" page lists them. It may name more versions than exist (an id is
// added before its version is written and removed after it is deleted),
// never fewer; a structure without a list has one written from a find the
// first time it is read.
type questionnaireList struct {
	ID  string   `bson:"_id"` // the structure id
	IDs []string `bson:"ids"`
}

// listedQuestionnaires reads structure sid's versions through its list.
func (s *Store) listedQuestionnaires(ctx context.Context, sid string) ([]survey.Questionnaire, error) {
	var l questionnaireList
	err := s.findByID(ctx, colQuestionnaireLists, sid, &l)
	if errors.Is(err, survey.ErrNotFound) {
		return s.startQuestionnaireList(ctx, sid)
	}
	if err != nil {
		return nil, fmt.Errorf("list questionnaires: %w", err)
	}
	out := make([]survey.Questionnaire, 0, len(l.IDs))
	for _, id := range l.IDs {
		var q survey.Questionnaire
		err := s.findByID(ctx, colQuestionnaires, id, &q)
		switch {
		case errors.Is(err, survey.ErrNotFound):
			continue // listed before its write, or deleted since
		case err != nil:
			return nil, fmt.Errorf("list questionnaires: %w", err)
		case q.StructureID == sid:
			out = append(out, q)
		}
	}
	sortQuestionnaires(out)
	return out, nil
}

// startQuestionnaireList writes the list of a structure that has none from
// its versions found by structure_id (once per structure).
func (s *Store) startQuestionnaireList(ctx context.Context, sid string) ([]survey.Questionnaire, error) {
	defer s.listLocks.lock(sid)()
	qs, err := s.questionnairesOf(ctx, sid)
	if err != nil {
		return nil, err
	}
	l := questionnaireList{ID: sid, IDs: []string{}}
	for _, q := range qs {
		l.IDs = append(l.IDs, q.ID)
	}
	// Upserted only when still missing: a version listed meanwhile stays.
	_, err = s.db.Collection(colQuestionnaireLists).UpdateOne(ctx, bson.M{"_id": sid}, bson.M{"$setOnInsert": bson.M{"ids": l.IDs}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return nil, fmt.Errorf("list questionnaires: %w", Translate(err))
	}
	return qs, nil
}

// listQuestionnaire adds (or, add false, removes) version id to structure
// sid's list on the embedded store. A structure without a list keeps none:
// its first read writes it from a find.
func (s *Store) listQuestionnaire(ctx context.Context, sid, id string, add bool) error {
	if !s.embedded {
		return nil
	}
	defer s.listLocks.lock(sid)()
	var l questionnaireList
	err := s.findByID(ctx, colQuestionnaireLists, sid, &l)
	switch {
	case errors.Is(err, survey.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("questionnaire list: %w", err)
	}
	has := slices.Contains(l.IDs, id)
	switch {
	case add && !has:
		l.IDs = append(l.IDs, id)
	case !add && has:
		l.IDs = slices.DeleteFunc(l.IDs, func(x string) bool { return x == id })
	default:
		return nil
	}
	if _, err := s.db.Collection(colQuestionnaireLists).ReplaceOne(ctx, bson.M{"_id": sid}, &l); err != nil {
		return fmt.Errorf("questionnaire list: %w", Translate(err))
	}
	return nil
}

// startListWith writes a new structure's list of versions.
func (s *Store) startListWith(ctx context.Context, sid string, ids []string) error {
	if !s.embedded {
		return nil
	}
	_, err := s.db.Collection(colQuestionnaireLists).ReplaceOne(ctx, bson.M{"_id": sid}, &questionnaireList{ID: sid, IDs: ids}, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("questionnaire list: %w", Translate(err))
	}
	return nil
}

// ListQuestionnaires returns every questionnaire version of a structure.
func (s *Store) ListQuestionnaires(ctx context.Context, sid string) ([]survey.Questionnaire, error) {
	if s.embedded {
		return s.listedQuestionnaires(ctx, sid)
	}
	return s.questionnairesOf(ctx, sid)
}

// questionnairesOf finds a structure's questionnaire versions by their
// structure_id.
func (s *Store) questionnairesOf(ctx context.Context, sid string) ([]survey.Questionnaire, error) {
	cur, err := s.db.Collection(colQuestionnaires).Find(ctx, bson.M{"structure_id": sid})
	if err != nil {
		return nil, fmt.Errorf("list questionnaires: %w", Translate(err))
	}
	out := []survey.Questionnaire{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list questionnaires: %w", Translate(err))
	}
	sortQuestionnaires(out)
	return out, nil
}

// sortQuestionnaires orders by title, then version.
func sortQuestionnaires(qs []survey.Questionnaire) {
	for i := 1; i < len(qs); i++ {
		for j := i; j > 0 && lessQuestionnaire(qs[j], qs[j-1]); j-- {
			qs[j], qs[j-1] = qs[j-1], qs[j]
		}
	}
}

func lessQuestionnaire(a, b survey.Questionnaire) bool {
	if a.FamilyID != b.FamilyID {
		if a.Title != b.Title {
			return a.Title < b.Title
		}
		return a.FamilyID < b.FamilyID
	}
	return a.Version < b.Version
}
