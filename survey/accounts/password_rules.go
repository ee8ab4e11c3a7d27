package accounts

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

// commonPasswordsText lists, lowercase and one a line, about 1,300 of the
// passwords and password stems people use most, in French and in English:
// the heads of the published leak rankings (123456, azerty, motdepasse,
// soleil, doudou, password, iloveyou...), first names, places, football
// clubs, pets, words of the trade (insertion, coorace, capsat...) and
// keyboard rows. Long enough passwords are rarely on such lists as such:
// they are a stem from it with digits or signs around (see predictable).
//
//go:embed common_passwords.txt
var commonPasswordsText string

// commonPasswords is the embedded list as a set, built on first use.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		if w := strings.TrimSpace(line); w != "" {
			set[w] = true
		}
	}
	return set
})

// keyboardRows are the letter and digit rows of French (AZERTY) and
// English (QWERTY) keyboards, read left to right; a password typed along
// them (backwards too) is a keyboard walk.
var keyboardRows = []string{
	"azertyuiopqsdfghjklmwxcvbn", "qwertyuiopasdfghjklzxcvbnm", "qwertzuiopasdfghjklyxcvbnm",
	"1234567890", "&é\"'(-è_çà",
}

// Why a password is refused, as the codes and French messages of the
// "password" field.
const (
	codeCommonPassword      = "too_common"
	codePredictablePassword = "too_predictable"
	msgCommonPassword       = "Ce mot de passe est l'un des plus courants, même suivi ou précédé de chiffres : choisissez-en un autre, par exemple trois ou quatre mots sans rapport entre eux."
	msgPredictablePassword  = "Ce mot de passe est trop prévisible (espaces, un caractère ou un motif répété, une suite comme 123456 ou abcdef, une rangée du clavier) : choisissez-en un autre, par exemple trois ou quatre mots sans rapport entre eux."
)

// weakness returns the code and message of the first rule password breaks,
// or "" when it breaks none. It is case-insensitive:
//   - predictable: only white space, one character or a short motif
//     repeated (aaaaaaaaaaaa, abcabcabcabc), a run of letters or digits
//     (123456789012, abcdefghijkl, backwards too), a keyboard walk
//     (azertyuiopqs);
//   - common: a password of the embedded list, alone or with digits and
//     signs before or after it (password1234, 2024motdepasse!, Soleil.1987),
//     also written with look-alike digits (p@ssw0rd) or with its words
//     separated (mot-de-passe).
func weakness(password string) (code, message string) {
	p := strings.ToLower(password)
	if strings.TrimSpace(p) == "" || trivial(p) {
		return codePredictablePassword, msgPredictablePassword
	}
	// The stem: the password without the digits and signs around it.
	notStem := func(r rune) bool { return !unicode.IsLetter(r) }
	start := len(p) - len(strings.TrimLeftFunc(p, notStem))
	stem := strings.TrimRightFunc(p[start:], notStem)
	for _, s := range append(stemVariants(stem), p) {
		if commonPasswords()[s] {
			return codeCommonPassword, msgCommonPassword
		}
	}
	// A stem of a few letters adds little to the digits and signs around
	// it: those must not be trivial.
	if rest := p[:start] + p[start+len(stem):]; len([]rune(stem)) < 4 && trivial(rest) {
		return codePredictablePassword, msgPredictablePassword
	}
	return "", ""
}

// stemVariants are the ways a stem may spell a listed password: as is,
// without separators, with look-alike digits and signs read as letters.
func stemVariants(stem string) []string {
	joined := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || r == ' ' || r == '\'' {
			return -1
		}
		return r
	}, stem)
	return []string{stem, joined, unLeet(joined, 'i'), unLeet(joined, 'l')}
}

// unLeet reads look-alike digits and signs as the letters they stand for;
// one is read as one.
func unLeet(s string, one rune) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '@', '4':
			return 'a'
		case '0':
			return 'o'
		case '1', '!', '|':
			return one
		case '3', '€':
			return 'e'
		case '$', '5':
			return 's'
		case '7', '+':
			return 't'
		case '9':
			return 'g'
		}
		return r
	}, s)
}

// trivial reports whether s is a motif repeated, a run of consecutive
// letters or digits, or a walk along a keyboard row. An empty s is not.
func trivial(s string) bool {
	rs := []rune(s)
	if len(rs) == 0 {
		return false
	}
	return repeated(rs) || run(rs) || keyboardWalk(s)
}

// repeated reports whether rs is one motif of at most half its length,
// repeated (a motif of one character included).
func repeated(rs []rune) bool {
	for size := 1; size <= len(rs)/2; size++ {
		if len(rs)%size != 0 {
			continue
		}
		same := true
		for i := size; i < len(rs) && same; i++ {
			same = rs[i] == rs[i-size]
		}
		if same {
			return true
		}
	}
	return len(rs) == 1
}

// run reports whether rs counts up or down by one, digits going round
// (…8901…) and letters from a to z.
func run(rs []rune) bool {
	if len(rs) < 2 {
		return false
	}
	for _, step := range []int{1, -1} {
		ok := true
		for i := 1; i < len(rs) && ok; i++ {
			ok = next(rs[i-1], step) == rs[i]
		}
		if ok {
			return true
		}
	}
	return false
}

// next is the character after r (before it, for step -1) in a run.
func next(r rune, step int) rune {
	switch {
	case r >= '0' && r <= '9':
		return '0' + (r-'0'+rune(step)+10)%10
	case r >= 'a' && r <= 'z':
		return r + rune(step)
	}
	return -1
}

// keyboardWalk reports whether s is typed along a keyboard row, forwards
// or backwards, going on to the next row at the end of one.
func keyboardWalk(s string) bool {
	if len([]rune(s)) < 4 {
		return false
	}
	for _, row := range keyboardRows {
		loop := row + row
		if strings.Contains(loop, s) || strings.Contains(loop, reverse(s)) {
			return true
		}
	}
	return false
}

func reverse(s string) string {
	rs := []rune(s)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return string(rs)
}
