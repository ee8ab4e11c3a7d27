package survey

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// ReferenceKey is the form under which a structure's order references are
// compared: two references with the same key are the same reference, and
// the store keeps one order per key and structure. The key is the
// reference in Unicode compatibility form (NFKC: a full-width "ＢＣ" or a
// ligature reads as plain letters), case-folded ("bc-1" is "BC-1"), without
// default-ignorable characters (zero width spaces and joiners, soft
// hyphens, variation selectors, format characters), its runs of white space
// made one space and trimmed. The reference itself is kept as typed.
func ReferenceKey(ref string) string {
	s := norm.NFKC.String(ref)
	s = strings.Map(func(r rune) rune {
		if ignorable(r) {
			return -1
		}
		return r
	}, s)
	// Folding may leave text that is no longer in NFKC ("ǰ" folds to j and
	// a combining caron): normalise again.
	s = norm.NFKC.String(cases.Fold().String(s))
	return strings.Join(strings.Fields(s), " ")
}

// ignorable reports whether r is invisible where it stands: a format
// character, a variation selector or another default-ignorable code point.
func ignorable(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}
