package export

import "testing"

func TestFormulaLead(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		`=HYPERLINK("http://x","y")`: true, "+33 6 12": true, "-2": true, "@SUM(A1)": true,
		"\tcmd": true, "\rx": true, "Très bien": false, "": false, "a=b": false,
	}
	for text, want := range cases {
		if got := formulaLead(text); got != want {
			t.Errorf("formulaLead(%q) = %v, want %v", text, got, want)
		}
	}
}
