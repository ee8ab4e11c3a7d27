package accounts_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"
)

// unpredictable returns n bytes of hexadecimal digits that follow no
// pattern, for length tests.
func unpredictable(n int) string {
	var b strings.Builder
	sum := sha256.Sum256([]byte("capsat"))
	for b.Len() < n {
		b.WriteString(hex.EncodeToString(sum[:]))
		sum = sha256.Sum256(sum[:])
	}
	return b.String()[:n]
}

func TestValidatePasswordRefusesGuessablePasswords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, password, code string // code "" when accepted
	}{
		{"twelve spaces", strings.Repeat(" ", 12), "too_predictable"},
		{"spaces and tabs", "  \t   \t  \t  ", "too_predictable"},
		{"one letter repeated", "aaaaaaaaaaaa", "too_predictable"},
		{"one accented letter repeated", "éééééééééééé", "too_predictable"},
		{"a motif repeated", "abcabcabcabc", "too_predictable"},
		{"a word repeated", "soleilsoleil", "too_predictable"},
		{"digits in a row, going round", "123456789012", "too_predictable"},
		{"digits backwards", "987654321098", "too_predictable"},
		{"letters in a row", "abcdefghijkl", "too_predictable"},
		{"letters backwards", "ZYXWVUTSRQPO", "too_predictable"},
		{"AZERTY row", "azertyuiopqs", "too_predictable"},
		{"QWERTY row backwards", "lkjhgfdsapoiuy", "too_predictable"},
		{"two letters and a run of digits", "ab1234567890", "too_predictable"},
		{"common word followed by digits", "password1234", "too_common"},
		{"common word with a capital, digits and a sign", "Password1234!", "too_common"},
		{"French word followed by a year", "motdepasse2024", "too_common"},
		{"French word with dashes", "Mot-de-Passe-2024", "too_common"},
		{"look-alike digits", "P@ssw0rd2024", "too_common"},
		{"year then a city", "2024Marseille!", "too_common"},
		{"first name and a birth year", "Nathalie1975!", "too_common"},
		{"listed as a whole", "1qaz2wsx3edc", "too_common"},
		{"the service's name", "Capsat2026!!", "too_common"},
		{"twelve characters of no pattern", "douze-chars!", ""},
		{"a passphrase", "girafe lampe velours", ""},
		{"random signs", "Xk7#mQ2$pL9!", ""},
		{"random digits", "739104628573", ""},
		{"a listed word inside a longer phrase", "soleil sur la dune grise", ""},
	}
	for _, tc := range cases {
		err := accounts.ValidatePassword("password", tc.password)
		var v *survey.ValidationError
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("%s (%q): refused: %v", tc.name, tc.password, err)
		case tc.code != "" && (!errors.As(err, &v) || v.Fields["password"].Code != tc.code):
			t.Errorf("%s (%q): %v, want %s", tc.name, tc.password, err, tc.code)
		}
	}
	var v *survey.ValidationError
	if err := accounts.ValidatePassword("new_password", "password1234"); !errors.As(err, &v) ||
		!strings.HasPrefix(v.Fields["new_password"].Message, "Ce mot de passe est l'un des plus courants") {
		t.Errorf("common password message: %v", err)
	}
}
