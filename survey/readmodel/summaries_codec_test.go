package readmodel

import (
	"capsat/survey"
	"reflect"
	"testing"
)

func TestTalliesRoundTrip(t *testing.T) {
	t.Parallel()
	in := []survey.ServiceSummary{
		{Service: survey.ServiceMAD, Issued: 12, Responses: 10, Questions: []survey.QuestionTally{
			{Code: "satisfaction_globale", Type: survey.QuestionScale, Role: survey.RoleOverall, Counts: map[string]int{"satisfait": 4, survey.NotApplicable: 1}},
			{Code: "recommandation", Type: survey.QuestionNPS, Role: survey.RoleRecommend, Counts: map[string]int{"10": 3, "0": 1}},
			{Code: "reutiliser", Type: survey.QuestionYesNo, Role: survey.RoleReuse, Counts: map[string]int{survey.YesAnswer: 7}},
			{Code: "canal préféré", Type: survey.QuestionChoice, Counts: map[string]int{"Téléphone & mail; = %": 2, "a b": 1}},
		}, Versions: []survey.VersionTally{{Family: "f1", Version: 2, Responses: 10}}},
		{Service: survey.ServiceMAC, Issued: 1, Responses: 0, Questions: []survey.QuestionTally{}, Versions: []survey.VersionTally{}},
	}
	out, err := decodeTallies(encodeTallies(in))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip:\n%+v\n%+v", in, out)
	}
	if _, err := decodeTallies("Q x scale - 1,2\n"); err == nil {
		t.Fatal("a question line before any service must be refused")
	}
}
