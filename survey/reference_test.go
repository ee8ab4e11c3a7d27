package survey_test

import (
	"testing"

	"capsat/survey"
)

func TestReferenceKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, a, b string
		same       bool
	}{
		{"case", "BC-2026-001", "bc-2026-001", true},
		{"full-width letters and digits", "BC-2026-001", "ＢＣ-２０２６-００１", true},
		{"zero width space", "BC-2026-001", "BC-2026\u200b-001", true},
		{"zero width joiner and byte order mark", "BC-2026-001", "\ufeffBC-20\u200d26-001", true},
		{"soft hyphen", "BC-2026-001", "BC-20\u00ad26-001", true},
		{"non-breaking and repeated spaces", "BC 2026 001", "BC\u00a02026  001 ", true},
		{"ligature", "Ofﬁce-1", "office-1", true},
		{"German sharp s folds as ss", "Straße-1", "STRASSE-1", true},
		{"accents are letters of their own", "Été-1", "Ete-1", false},
		{"another number", "BC-2026-001", "BC-2026-002", false},
		{"hyphen and dash differ", "BC-1", "BC–1", false},
	}
	for _, tc := range cases {
		ka, kb := survey.ReferenceKey(tc.a), survey.ReferenceKey(tc.b)
		if (ka == kb) != tc.same {
			t.Errorf("%s: keys %q and %q, want same=%v", tc.name, ka, kb, tc.same)
		}
	}
}

// TestPlanImportComparesReferencesByKey: a row whose reference differs
// from a stored one only by case, width or invisible characters is that
// order (its reference kept as stored), and such a row repeats an earlier
// row of the file.
func TestPlanImportComparesReferencesByKey(t *testing.T) {
	t.Parallel()
	stored := storedOrder("000000000000000000000001", "BC-1")
	f := importFile(allImportColumns(),
		importRow(2, "bc-1", nil),                                          // the stored order, unchanged
		importRow(3, "BC-7", nil),                                          // new
		importRow(4, "ｂｃ-７", nil),                                          // repeats row 3
		importRow(5, "BC\u200b-7", nil),                                    // repeats row 3
		importRow(6, "Bc-1", func(in *survey.OrderInput) { in.Hours = 7 }), // repeats row 2
	)
	plan := planImport(f, map[string]*survey.Order{"BC-1": stored})
	if plan.Unchanged != 1 || len(plan.Updates) != 0 {
		t.Errorf("unchanged %d, updates %+v; want row 2 unchanged", plan.Unchanged, plan.Updates)
	}
	if len(plan.Inserts) != 1 || plan.Inserts[0].Row != 3 || plan.Inserts[0].Order.ReferenceKey != survey.ReferenceKey("BC-7") {
		t.Errorf("inserts %+v, want row 3 with its reference key", plan.Inserts)
	}
	if len(plan.Rejected) != 3 {
		t.Errorf("rejected %+v, want rows 4, 5 and 6", plan.Rejected)
	}

	f = importFile(allImportColumns(), importRow(2, "bc-1", func(in *survey.OrderInput) { in.Hours = 7 }))
	plan = planImport(f, map[string]*survey.Order{"BC-1": stored})
	if len(plan.Updates) != 1 || plan.Updates[0].Order != stored || plan.Updates[0].Input.Reference != "BC-1" {
		t.Errorf("updates %+v, want the stored BC-1, reference kept", plan.Updates)
	}
}
