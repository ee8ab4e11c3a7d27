package survey

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ValidateAnswers checks raw form values against a questionnaire and returns
// the answers to store (only known questions, trimmed). Field keys of the
// validation error are question codes; messages are in French.
func ValidateAnswers(q *Questionnaire, raw map[string]string) (map[string]string, error) {
	v := &ValidationError{Message: "Certaines réponses sont manquantes ou invalides."}
	out := make(map[string]string, len(q.Questions))
	for _, qu := range q.Questions {
		val := strings.TrimSpace(raw[qu.Code])
		if qu.Type == QuestionText {
			// Comments follow the text rules of every other field.
			var msg string
			if val, msg = CleanText(val, true); msg != "" {
				v.Add(qu.Code, CodeInvalidChar, msg)
				continue
			}
		}
		if val == "" {
			if qu.Required {
				v.Add(qu.Code, "required", "Merci de répondre à cette question.")
			}
			continue
		}
		if msg := checkAnswer(qu, val); msg != "" {
			v.Add(qu.Code, "invalid", msg)
			continue
		}
		out[qu.Code] = val
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	return out, nil
}

func checkAnswer(qu Question, val string) string {
	switch qu.Type {
	case QuestionScale:
		if _, ok := ScaleScore(val); !ok {
			return "Choisissez une des réponses proposées."
		}
	case QuestionYesNo:
		if val != YesAnswer && val != NoAnswer {
			return "Répondez par oui ou par non."
		}
	case QuestionNPS:
		if _, ok := parseNPS(val); !ok {
			return "Choisissez une note de 0 à 10."
		}
	case QuestionChoice:
		for _, c := range qu.Choices {
			if c == val {
				return ""
			}
		}
		return "Choisissez une des réponses proposées."
	case QuestionText:
		limit := qu.MaxLength
		if limit <= 0 {
			limit = DefaultTextMaxLen
		}
		if n := utf8.RuneCountInString(val); n > limit {
			return fmt.Sprintf("Votre texte est trop long (%d caractères, %d au plus).", n, limit)
		}
	default:
		return "Question d'un type inconnu."
	}
	return ""
}
