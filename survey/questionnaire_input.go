package survey

import (
	"fmt"
	"strings"
)

// QuestionnaireInput is a questionnaire draft as callers give it.
type QuestionnaireInput struct {
	Title        string        `json:"title" validate:"required,max=200"`
	Intro        string        `json:"intro" validate:"max=1000" text:"multiline"`
	ServiceTypes []ServiceType `json:"service_types" validate:"required,min=1,max=2,dive,service_type"`
	Questions    []Question    `json:"questions" validate:"required,min=1,max=40,dive"`
	// Revision, when given, is the draft revision the caller edited: a
	// save over any other revision is a conflict (lost update refused).
	Revision *int `json:"revision,omitempty"`
}

// Questionnaire normalises a questionnaire input and checks it: field
// shapes with validator/v10, then the rules between questions that
// indicators rely on (unique codes, one overall scale question, at most one
// reuse and one recommend question, choices only where they belong).
func (v *Validator) Questionnaire(in *QuestionnaireInput) error {
	in.Title = strings.TrimSpace(in.Title)
	in.Intro = strings.TrimSpace(in.Intro)
	for i := range in.Questions {
		q := &in.Questions[i]
		q.Code = strings.TrimSpace(q.Code)
		q.Label = strings.TrimSpace(q.Label)
		q.Help = strings.TrimSpace(q.Help)
		for j := range q.Choices {
			q.Choices[j] = strings.TrimSpace(q.Choices[j])
		}
	}
	errs := v.check(in, questionnaireMessage)
	checkServiceTypesUnique(in.ServiceTypes, errs)
	checkQuestionRules(in.Questions, errs)
	return errs.OrNil()
}

func questionnaireMessage(field, tag string) string {
	switch field + ":" + tag {
	case "title:required":
		return "Le titre du questionnaire est obligatoire."
	case "service_types:required", "service_types:min":
		return "Indiquez au moins un type de prestation (mise_a_disposition, mise_a_contrat)."
	case "questions:required", "questions:min":
		return "Le questionnaire doit contenir au moins une question."
	}
	return ""
}

func checkServiceTypesUnique(sts []ServiceType, errs *ValidationError) {
	seen := map[ServiceType]bool{}
	for i, st := range sts {
		if seen[st] {
			errs.Add(fmt.Sprintf("service_types[%d]", i), "duplicate", "Ce type de prestation est déjà indiqué.")
		}
		seen[st] = true
	}
}

// roleType is the question type each indicator role needs.
func roleType(r QuestionRole) QuestionType {
	switch r {
	case RoleOverall:
		return QuestionScale
	case RoleReuse:
		return QuestionYesNo
	case RoleRecommend:
		return QuestionNPS
	case RoleComment:
		return QuestionText
	}
	return ""
}

func checkQuestionRules(qs []Question, errs *ValidationError) {
	codes := map[string]bool{}
	roles := map[QuestionRole]int{}
	for i, q := range qs {
		at := func(f string) string { return fmt.Sprintf("questions[%d].%s", i, f) }
		if q.Code != "" && codes[q.Code] {
			errs.Add(at("code"), "duplicate", "Ce code est déjà utilisé par une autre question.")
		}
		codes[q.Code] = true
		checkChoices(q, at("choices"), errs)
		if q.MaxLength != 0 && q.Type != QuestionText {
			errs.Add(at("max_length"), "text_only", "Seules les questions à réponse libre ont une longueur maximale.")
		}
		if q.Role == RoleNone || !validQuestionRole(q.Role) {
			continue
		}
		if want := roleType(q.Role); q.Type != want {
			errs.Add(at("role"), "role_type", fmt.Sprintf("Une question de rôle « %s » doit être de type « %s ».", q.Role.Label(), want.Label()))
		}
		roles[q.Role]++
		if q.Role != RoleComment && roles[q.Role] > 1 {
			errs.Add(at("role"), "role_duplicate", fmt.Sprintf("Une seule question peut avoir le rôle « %s ».", q.Role.Label()))
		}
	}
	if roles[RoleOverall] == 0 && len(qs) > 0 {
		errs.Add("questions", "overall_missing", "Une question de type « échelle de satisfaction » doit porter le rôle « Satisfaction globale » (overall).")
	}
}

func checkChoices(q Question, field string, errs *ValidationError) {
	if q.Type != QuestionChoice {
		if len(q.Choices) > 0 {
			errs.Add(field, "choice_only", "Seules les questions à choix proposent des réponses.")
		}
		return
	}
	if len(q.Choices) < 2 {
		errs.Add(field, "choices_missing", "Une question à choix doit proposer au moins deux réponses.")
		return
	}
	seen := map[string]bool{}
	for _, c := range q.Choices {
		if seen[c] {
			errs.Add(field, "duplicate", "Deux réponses proposées sont identiques.")
			return
		}
		seen[c] = true
	}
}
