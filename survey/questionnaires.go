package survey

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Questionnaire returns one questionnaire version of structure sid.
func (s *Store) Questionnaire(ctx context.Context, sid, id string) (*Questionnaire, error) {
	if !ValidIDShape(id) {
		return nil, ErrNotFound
	}
	var q Questionnaire
	if err := s.findByID(ctx, colQuestionnaires, id, &q); err != nil {
		return nil, err
	}
	if q.StructureID != sid {
		return nil, ErrNotFound
	}
	return &q, nil
}

// ListQuestionnaires returns every questionnaire version of a structure.
func (s *Store) ListQuestionnaires(ctx context.Context, sid string) ([]Questionnaire, error) {
	cur, err := s.db.Collection(colQuestionnaires).Find(ctx, bson.M{"structure_id": sid})
	if err != nil {
		return nil, fmt.Errorf("list questionnaires: %w", err)
	}
	out := []Questionnaire{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list questionnaires: %w", err)
	}
	sortQuestionnaires(out)
	return out, nil
}

// sortQuestionnaires orders by title, then version.
func sortQuestionnaires(qs []Questionnaire) {
	for i := 1; i < len(qs); i++ {
		for j := i; j > 0 && lessQuestionnaire(qs[j], qs[j-1]); j-- {
			qs[j], qs[j-1] = qs[j-1], qs[j]
		}
	}
}

func lessQuestionnaire(a, b Questionnaire) bool {
	if a.FamilyID != b.FamilyID {
		if a.Title != b.Title {
			return a.Title < b.Title
		}
		return a.FamilyID < b.FamilyID
	}
	return a.Version < b.Version
}

// PublishedQuestionnaireFor returns the questionnaire a new survey link of
// that service type uses: the most recently published version that applies.
func (s *Store) PublishedQuestionnaireFor(ctx context.Context, sid string, st ServiceType) (*Questionnaire, error) {
	qs, err := s.ListQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	var best *Questionnaire
	for i := range qs {
		q := &qs[i]
		if q.Status != StatusPublished || !containsService(q.ServiceTypes, st) {
			continue
		}
		if best == nil || q.PublishedAt.After(*best.PublishedAt) {
			best = q
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: no published questionnaire for %s", ErrConflict, st)
	}
	return best, nil
}

func containsService(list []ServiceType, st ServiceType) bool {
	for _, x := range list {
		if x == st {
			return true
		}
	}
	return false
}
