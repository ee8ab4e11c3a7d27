package importfile

import (
	"testing"

	"capsat/survey"
)

// The templates are read back by the parser: every column recognised, the
// example row valid.
func TestTemplatesParse(t *testing.T) {
	xlsx, err := TemplateXLSX()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"csv": TemplateCSV(), "xlsx": xlsx} {
		f, err := ParseOrderImport(data)
		if err != nil {
			t.Fatalf("%s template: %v", name, err)
		}
		for _, c := range Columns() {
			if !f.Has(c.Key) {
				t.Errorf("%s template: column %s not recognised", name, c.Label)
			}
		}
		if len(f.Rows) != 1 || len(f.Rows[0].Problems) != 0 {
			t.Fatalf("%s template rows: %+v", name, f.Rows)
		}
		in := f.Rows[0].Input
		if err := survey.NewValidator().Order(&in); err != nil {
			t.Errorf("%s template example: %v", name, err)
		}
		if in.StartDate != "2026-03-02" || in.ServiceType != survey.ServiceMAD {
			t.Errorf("%s template example read as %+v", name, in)
		}
	}
}

// Every synonym the page lists is recognised as its column.
func TestColumnsListWhatTheParserReads(t *testing.T) {
	for _, c := range Columns() {
		for _, n := range c.Names {
			if got := importColumnByName[normalizeLabel(n)]; got == nil || got.key != c.Key {
				t.Errorf("%q is listed for %s but not read as it", n, c.Label)
			}
		}
	}
}
