package survey_test

import (
	"reflect"
	"testing"
	"time"

	"capsat/survey"
)

func TestQuestionnaireSetContent(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	q := &survey.Questionnaire{
		ID: "q1", StructureID: "s1", FamilyID: "f1", Version: 3, Status: survey.StatusDraft,
		Title: "Ancien titre", Intro: "Ancienne intro", ServiceTypes: []survey.ServiceType{survey.ServiceMAD},
		Questions: []survey.Question{question("ancienne", survey.QuestionText, "")},
		CreatedAt: created, UpdatedAt: created,
	}
	in := survey.QuestionnaireInput{
		Title: "Nouveau titre", Intro: "",
		ServiceTypes: []survey.ServiceType{survey.ServiceMAC, survey.ServiceMAD},
		Questions: []survey.Question{
			question("satisfaction_globale", survey.QuestionScale, survey.RoleOverall),
			question("recommandation", survey.QuestionNPS, survey.RoleRecommend),
		},
	}
	q.SetContent(in)
	want := survey.Questionnaire{
		ID: "q1", StructureID: "s1", FamilyID: "f1", Version: 3, Status: survey.StatusDraft,
		Title: "Nouveau titre", Intro: "", ServiceTypes: in.ServiceTypes, Questions: in.Questions,
		CreatedAt: created, UpdatedAt: created,
	}
	if !reflect.DeepEqual(*q, want) {
		t.Errorf("after SetContent:\n%+v\nwant\n%+v", *q, want)
	}
}
