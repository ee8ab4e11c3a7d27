package survey

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text hygiene: the characters every text field of capsat (API, pages and
// imports) keeps, strips or refuses. Text typed here ends up in workbooks,
// CSV files, logs, e-mails and other people's screens, so nothing
// invisible or able to change how the text around it reads is kept.
//
//   - Stripped without a word, being invisible leftovers of copy and paste
//     that nobody could find to remove: U+00AD soft hyphen, U+200B zero
//     width space, U+2060 word joiner, U+FEFF byte order mark.
//   - Refused with a French message naming the character: NUL and the
//     other C0 controls (tab, line feed and carriage return are allowed in
//     multi-line text only: notes, intros, help texts, survey comments,
//     follow-up actions), DEL and the C1 controls (U+007F–U+009F), the
//     line and paragraph separators U+2028 and U+2029, the bidirectional
//     controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069),
//     every other format character (Unicode category Cf, such as the tag
//     characters U+E0000–U+E007F), and bytes that are not UTF-8.
//   - Kept: U+200C and U+200D (zero width non-joiner and joiner, which
//     emoji sequences and some scripts need), and everything else.
//
// CleanText applies these rules to one value; the Validator applies them
// to every string field of its inputs (see cleanStrings).

// CodeInvalidChar is the field code of a refused character.
const CodeInvalidChar = "invalid_char"

// stripped reports whether r is removed from text without a word.
func stripped(r rune) bool {
	switch r {
	case '\u00ad', '\u200b', '\u2060', '\ufeff':
		return true
	}
	return false
}

// bidiControl reports whether r changes the direction of the text around it.
func bidiControl(r rune) bool {
	switch {
	case r == '\u061c', r == '\u200e', r == '\u200f':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// refusal names a refused character in French, or returns "" when r is
// allowed in a field of that kind.
func refusal(r rune, multiline bool) string {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		if multiline {
			return ""
		}
		if r == '\t' {
			return "Ce champ ne peut pas contenir de tabulation."
		}
		return "Ce champ tient sur une ligne : retirez le saut de ligne."
	case r == 0:
		return "Ce champ contient un caractère nul (U+0000) : retirez-le."
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		return fmt.Sprintf("Ce champ contient un caractère de contrôle (U+%04X) : retirez-le.", r)
	case r == '\u2028' || r == '\u2029':
		return fmt.Sprintf("Ce champ contient un séparateur de ligne invisible (U+%04X) : retirez-le.", r)
	case bidiControl(r):
		return fmt.Sprintf("Ce champ contient un caractère invisible qui inverse le sens du texte (U+%04X) : retirez-le.", r)
	case r == '\u200c' || r == '\u200d':
		return ""
	case unicode.Is(unicode.Cf, r):
		return fmt.Sprintf("Ce champ contient un caractère invisible (U+%04X) : retirez-le.", r)
	}
	return ""
}

// CleanText strips the invisible characters capsat drops from s (trimming
// the white space they may have hidden) and reports, as a French message,
// the first character it refuses ("" when none). multiline allows tabs and
// line breaks.
func CleanText(s string, multiline bool) (string, string) {
	if !utf8.ValidString(s) {
		return s, "Ce champ contient des octets qui ne sont pas du texte UTF-8 valide."
	}
	msg := ""
	drop := false
	for _, r := range s {
		if stripped(r) {
			drop = true
			continue
		}
		if msg == "" {
			msg = refusal(r, multiline)
		}
	}
	if drop {
		s = strings.TrimSpace(strings.Map(func(r rune) rune {
			if stripped(r) {
				return -1
			}
			return r
		}, s))
	}
	return s, msg
}
