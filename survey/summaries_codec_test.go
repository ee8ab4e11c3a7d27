package survey

import (
	"reflect"
	"testing"
)

func TestTalliesRoundTrip(t *testing.T) {
	t.Parallel()
	in := []ServiceSummary{
		{Service: ServiceMAD, Issued: 12, Responses: 10, Questions: []QuestionTally{
			{Code: "satisfaction_globale", Type: QuestionScale, Role: RoleOverall, Counts: map[string]int{"satisfait": 4, NotApplicable: 1}},
			{Code: "recommandation", Type: QuestionNPS, Role: RoleRecommend, Counts: map[string]int{"10": 3, "0": 1}},
			{Code: "reutiliser", Type: QuestionYesNo, Role: RoleReuse, Counts: map[string]int{YesAnswer: 7}},
			{Code: "canal préféré", Type: QuestionChoice, Counts: map[string]int{"Téléphone & mail; = %": 2, "a b": 1}},
		}, Versions: []VersionTally{{Family: "f1", Version: 2, Responses: 10}}},
		{Service: ServiceMAC, Issued: 1, Responses: 0, Questions: []QuestionTally{}, Versions: []VersionTally{}},
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
