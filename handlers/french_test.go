package handlers

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"
)

// show makes the no-break spaces and the minus sign visible in messages.
func show(s string) string {
	return strings.NewReplacer(nbsp, "⍽", nnbsp, "·", minus, "MINUS").Replace(s)
}

func TestFrenchDates(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 17, 23, 30, 0, 0, time.UTC)
	var nilTime *time.Time
	for _, tc := range []struct {
		in   any
		want string
	}{
		{day, "17/11/2026"},
		{&day, "17/11/2026"},
		{"2026-11-17", "17/11/2026"},
		{"2026-12-01", "01/12/2026"},
		{"", ""},
		{"pas une date", "pas une date"},
		{nilTime, ""},
		{time.Time{}, ""},
	} {
		if got := frDate(tc.in); got != tc.want {
			t.Errorf("frDate(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// 23:30 UTC on 17 November is 00:30 in Paris on the 18th.
	if got := frDateTime(day); got != "18/11/2026 à 00h30" {
		t.Errorf("frDateTime = %q", got)
	}
	if got := frLongDate(day); got != "17 novembre 2026" {
		t.Errorf("frLongDate = %q", got)
	}
	want := []string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}
	for m := 1; m <= 12; m++ {
		got := frShortMonth(time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC))
		if got != want[m-1]+nbsp+"26" {
			t.Errorf("frShortMonth(%d) = %q, want %q", m, show(got), want[m-1]+"⍽26")
		}
	}
}

func TestFrenchNumbers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, got, want string
	}{
		{"percent 0.82", frPercent(0.82), "82·%"},
		{"percent 0.005 rounds", frPercent(0.005), "1·%"},
		{"percent 1", frPercent(1), "100·%"},
		{"percent 0", frPercent(0), "0·%"},
		{"signed 7", frSigned(7), "+7"},
		{"signed -7", frSigned(-7), "MINUS7"},
		{"signed 0", frSigned(0), "0"},
		{"signed 100", frSigned(100), "+100"},
		{"thousands 0", frThousands(0), "0"},
		{"thousands 999", frThousands(999), "999"},
		{"thousands 2000", frThousands(2000), "2·000"},
		{"thousands 1234567", frThousands(1234567), "1·234·567"},
		{"thousands -12500", frThousands(-12500), "MINUS12·500"},
		{"decimal 3.44", frDecimal(3.44), "3,4"},
		{"decimal -0.5", frDecimal(-0.5), "MINUS0,5"},
		{"decimal -0.01", frDecimal(-0.01), "0,0"},
	} {
		if show(tc.got) != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, show(tc.got), tc.want)
		}
	}
}

func TestFrenchPlurals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "0⍽bon créé"},
		{1, "1⍽bon créé"},
		{2, "2⍽bons créés"},
		{3, "3⍽bons créés"},
		{2000, "2·000⍽bons créés"},
	} {
		if got := show(frCount(tc.n, "bon créé", "bons créés")); got != tc.want {
			t.Errorf("frCount(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if frPlural(1, "erreur", "erreurs") != "erreur" || frPlural(4, "erreur", "erreurs") != "erreurs" {
		t.Error("frPlural")
	}
}

func TestFrenchSpacesInPages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"<p>Import terminé : 3 créés.</p>", "<p>Import terminé⍽: 3 créés.</p>"},
		{"<p>Vraiment ? Oui ! 82 % ; fin</p>", "<p>Vraiment·? Oui·! 82·%·; fin</p>"},
		{`<a href="/s/abc?x=1" title="a : b">10:30 http://x</a>`, `<a href="/s/abc?x=1" title="a : b">10:30 http://x</a>`},
		{`<input value="Bien : oui"><TEXTAREA name=c>Bien : oui ?</TEXTAREA> : fin`, `<input value="Bien : oui"><TEXTAREA name=c>Bien : oui ?</TEXTAREA>⍽: fin`},
		{"<script>a ? b : c</script><style>a :hover{}</style><pre>x : y</pre>", "<script>a ? b : c</script><style>a :hover{}</style><pre>x : y</pre>"},
		{"<textarea>pas fermé : ", "<textarea>pas fermé : "},
		{"<p", "<p"},
		{"Déjà⍽: fait", "Déjà⍽: fait"},
	} {
		in := strings.ReplaceAll(tc.in, "⍽", nbsp)
		if got := show(string(frSpaces([]byte(in)))); got != tc.want {
			t.Errorf("frSpaces(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// textBeforePunct finds, in a template's text (outside tags and actions),
// an ordinary space before the French high punctuation or "%", and the
// written-out plural shortcut "(s)".
var textBeforePunct = regexp.MustCompile(`[^\s>}] [:;?!%]|\(s\)`)

// TestTemplatesFrenchTypography: no template writes " :" or " %" with an
// ordinary space, nor "(s)" plurals.
func TestTemplatesFrenchTypography(t *testing.T) {
	t.Parallel()
	tagOrAction := regexp.MustCompile(`(?s)\{\{.*?\}\}|<[^>]*>`)
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, name := range names {
		b, _ := fs.ReadFile(templateFS, name)
		for i, line := range strings.Split(string(b), "\n") {
			text := tagOrAction.ReplaceAllString(line, "\x00")
			if m := textBeforePunct.FindString(text); m != "" {
				t.Errorf("%s:%d: %q in %q", name, i+1, m, strings.TrimSpace(line))
			}
		}
	}
}
