package store

import (
	"capsat/survey"
	"context"
	"slices"
)

// Questionnaire returns one questionnaire version of structure sid.
func (s *Store) Questionnaire(ctx context.Context, sid, id string) (*survey.Questionnaire, error) {
	if !survey.ValidIDShape(id) {
		return nil, survey.ErrNotFound
	}
	var q survey.Questionnaire
	if err := s.findByID(ctx, colQuestionnaires, id, &q); err != nil {
		return nil, err
	}
	if q.StructureID != sid {
		return nil, survey.ErrNotFound
	}
	return &q, nil
}

// PublishedQuestionnaireFor returns the questionnaire a new survey link of
// that service type uses: the most recently published version that applies,
// so that publishing a new version supersedes the older ones for new links.
func (s *Store) PublishedQuestionnaireFor(ctx context.Context, sid string, st survey.ServiceType) (*survey.Questionnaire, error) {
	questionnaireFor, err := s.publishedQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	return questionnaireFor(st)
}

// latestPublished picks the published questionnaire for st with the latest
// publication date; ties (one clock tick) go to the higher version, then id.
func latestPublished(qs []survey.Questionnaire, st survey.ServiceType) (*survey.Questionnaire, error) {
	var best *survey.Questionnaire
	for i := range qs {
		q := &qs[i]
		if q.Status != survey.StatusPublished || q.PublishedAt == nil || !slices.Contains(q.ServiceTypes, st) {
			continue
		}
		if best == nil || publishedAfter(q, best) {
			best = q
		}
	}
	if best == nil {
		return nil, &survey.ConflictError{Message: "Aucun questionnaire publié pour le type de prestation « " + st.Label() + " » : publiez-en un avant d'envoyer des questionnaires."}
	}
	return best, nil
}

func publishedAfter(a, b *survey.Questionnaire) bool {
	if !a.PublishedAt.Equal(*b.PublishedAt) {
		return a.PublishedAt.After(*b.PublishedAt)
	}
	if a.Version != b.Version {
		return a.Version > b.Version
	}
	return a.ID > b.ID
}

// publishedQuestionnaires reads the structure's questionnaires once and
// answers PublishedQuestionnaireFor's question for each service type.
func (s *Store) publishedQuestionnaires(ctx context.Context, sid string) (func(survey.ServiceType) (*survey.Questionnaire, error), error) {
	qs, err := s.ListQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	return func(st survey.ServiceType) (*survey.Questionnaire, error) { return latestPublished(qs, st) }, nil
}

// frozenQuestionnaire returns a questionnaire version that survey links
// point to, from the cache when published.
func (s *Store) FrozenQuestionnaire(ctx context.Context, id string) (*survey.Questionnaire, error) {
	if q, ok := s.frozen.get(id); ok {
		return q, nil
	}
	q := &survey.Questionnaire{}
	if err := s.findByID(ctx, colQuestionnaires, id, q); err != nil {
		return nil, err
	}
	if q.Status == survey.StatusPublished || q.Status == survey.StatusArchived {
		s.frozen.put(q)
	}
	return q, nil
}
