package survey

import "testing"

// TestRegisteredRules checks the custom tags themselves, including those no
// input struct uses yet (siren), through validator's Var.
func TestRegisteredRules(t *testing.T) {
	t.Parallel()
	v := NewValidator()
	cases := []struct {
		value, tag string
		ok         bool
	}{
		{"732829320", "siren", true},
		{"732829321", "siren", false},
		{"73282932000074", "siren", false},
		{"73282932000074", "siret", true},
		{"35600000000001", "siret", true}, // La Poste: digit sum multiple of 5, no Luhn
		{"06 12 34 56 78", "phone_fr", true},
		{"0612345678", "phone_fr", false}, // not normalised
		{"2026-02-28", "date", true},
		{"2026-02-29", "date", false},
		{"satisfaction_globale", "code_slug", true},
		{"_globale", "code_slug", false},
		{"Normandie", "region", true},
		{"normandie", "region", false},
	}
	for _, tc := range cases {
		if err := v.v.Var(tc.value, tc.tag); (err == nil) != tc.ok {
			t.Errorf("%s %q: %v", tc.tag, tc.value, err)
		}
	}
}
