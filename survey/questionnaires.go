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

// ErrStaleDraft refuses a save made over a revision of the draft that
// someone else has saved over meanwhile: silently keeping the last save
// would lose the other one.
func ErrStaleDraft(q *Questionnaire) error {
	return Conflict(fmt.Sprintf("Ce brouillon (version %d) a été enregistré par quelqu'un d'autre pendant que vous le modifiiez : vos modifications n'ont pas été enregistrées. Rechargez la page pour partir de la dernière version enregistrée.", q.Version))
}

// ErrNotDeletable explains why only drafts may be deleted: links and
// responses point to published and archived versions.
func ErrNotDeletable(q *Questionnaire) error {
	if q.Status == StatusPublished {
		return Conflict(fmt.Sprintf("La version %d de ce questionnaire est publiée : elle ne peut pas être supprimée. Archivez-la pour que les nouveaux liens ne l'utilisent plus.", q.Version))
	}
	return Conflict(fmt.Sprintf("La version %d de ce questionnaire est archivée : elle ne peut pas être supprimée.", q.Version))
}
