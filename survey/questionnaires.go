package survey

import (
	"fmt"
)

func (q *Questionnaire) SetContent(in QuestionnaireInput) {
	q.Title, q.Intro, q.ServiceTypes, q.Questions = in.Title, in.Intro, in.ServiceTypes, in.Questions
}

// ErrNotDraft explains why only drafts change.
func ErrNotDraft(q *Questionnaire) error {
	if q.Status == StatusPublished {
		return Conflict(fmt.Sprintf("La version %d de ce questionnaire est publiée : elle ne peut plus être modifiée. Créez une nouvelle version pour la faire évoluer.", q.Version))
	}
	return Conflict(fmt.Sprintf("La version %d de ce questionnaire est archivée : elle ne peut plus être modifiée.", q.Version))
}
