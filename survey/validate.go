package survey

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
)

// Validator checks inputs with validator/v10 plus capsat's own rules (SIRET,
// SIREN, French phone numbers, dates, enumerations) and turns failures into
// *ValidationError keyed by JSON path, with French messages and machine codes.
// Build it once (NewStore does) and share it: it caches struct metadata and
// is safe for concurrent use.
type Validator struct {
	v   *validator.Validate
	now func() time.Time // today, for the plausible range of order dates
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// Order dates must fall in a plausible range: from FirstOrderDate to
// OrderDateYearsAhead years after today. A purchase order of the year 0001
// or 9999 is a typing or export mistake (some software writes 31/12/9999
// for "no end"), and would throw periods and indicators off.
const (
	FirstOrderDate      = "2000-01-01"
	OrderDateYearsAhead = 10
)

// OrderDateRange returns the first and last order dates accepted on the
// day of now.
func OrderDateRange(now time.Time) (first, last time.Time) {
	first, _ = time.Parse(time.DateOnly, FirstOrderDate)
	y, m, d := now.Date()
	return first, time.Date(y+OrderDateYearsAhead, m, d, 0, 0, 0, 0, time.UTC)
}

// checkOrderDateRange adds a "date_range" error on field when date, already
// checked as "YYYY-MM-DD", falls outside OrderDateRange. hint ends the message.
func checkOrderDateRange(errs *ValidationError, field, date string, now time.Time, hint string) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return
	}
	first, last := OrderDateRange(now)
	if d.Before(first) || d.After(last) {
		errs.Add(field, "date_range", fmt.Sprintf("Date hors de la plage admise (du %s au %s)%s.",
			first.Format("02/01/2006"), last.Format("02/01/2006"), hint))
	}
}

var codeSlug = regexp.MustCompile(`^[a-z0-9]+(?:[_-][a-z0-9]+)*$`)

// validCodeSlug accepts question codes such as "satisfaction_globale": they
// name indicator columns, so they stay short, lowercase and ASCII.
func validCodeSlug(s string) bool { return len(s) <= 40 && codeSlug.MatchString(s) }

func validQuestionType(t QuestionType) bool {
	switch t {
	case QuestionScale, QuestionYesNo, QuestionNPS, QuestionChoice, QuestionText:
		return true
	}
	return false
}

func validQuestionRole(r QuestionRole) bool {
	switch r {
	case RoleNone, RoleOverall, RoleReuse, RoleRecommend, RoleComment:
		return true
	}
	return false
}

// check validates the struct s points to and converts validator's errors
// into a *ValidationError (nil when valid). Every string goes through the
// text rules first (cleanStrings: invisible characters stripped, control,
// bidirectional and format characters refused). messages gives
// field-specific wording; it may return "" to fall back on the generic
// message of the tag.
func (v *Validator) check(s any, messages func(field, tag string) string) *ValidationError {
	out := &ValidationError{}
	cleanStrings(s, out)
	err := v.v.Struct(s)
	if err == nil {
		return out
	}
	var errs validator.ValidationErrors
	if !errors.As(err, &errs) {
		out.Add("body", "invalid", "Données invalides.")
		return out
	}
	for _, fe := range errs {
		field := fieldPath(fe.Namespace())
		msg := ""
		if messages != nil {
			msg = messages(field, fe.Tag())
		}
		if msg == "" {
			msg = genericMessage(fe)
		}
		out.Add(field, errorCode(fe), msg)
	}
	return out
}

// fieldPath drops the struct name validator puts first: "OrderInput.client.siret" → "client.siret".
func fieldPath(namespace string) string {
	_, rest, ok := strings.Cut(namespace, ".")
	if !ok {
		return namespace
	}
	return rest
}

// errorCode is the machine code of a failed rule, stable for API clients.
func errorCode(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "required"
	case "max", "min":
		if fe.Kind() == reflect.String {
			return "too_long"
		}
		if fe.Kind() == reflect.Slice {
			return "count"
		}
		return "range"
	case "phone_fr":
		return "phone"
	case "service_type", "structure_type", "question_type", "question_role", "oneof":
		return "enum"
	case "code_slug":
		return "slug"
	}
	return fe.Tag()
}

// genericMessage is the French message of a failed rule when no
// field-specific wording exists.
func genericMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		if fe.Kind() == reflect.Slice {
			return "Au moins un élément est obligatoire."
		}
		return "Ce champ est obligatoire."
	case "max":
		switch fe.Kind() {
		case reflect.String:
			return fmt.Sprintf("%s caractères au plus.", fe.Param())
		case reflect.Slice:
			return fmt.Sprintf("%s éléments au plus.", fe.Param())
		}
		return fmt.Sprintf("La valeur doit être au plus %s.", fe.Param())
	case "min":
		if fe.Kind() == reflect.Slice {
			return fmt.Sprintf("Au moins %s élément(s).", fe.Param())
		}
		return fmt.Sprintf("La valeur doit être au moins %s.", fe.Param())
	case "email":
		return "Adresse e-mail invalide."
	case "siret":
		return "SIRET invalide (14 chiffres, clé de contrôle)"
	case "siren":
		return "SIREN invalide (9 chiffres, clé de contrôle)"
	case "phone_fr":
		return "Numéro de téléphone invalide (format français : 06 12 34 56 78 ou +33 6 12 34 56 78)."
	case "date":
		return "Date invalide (AAAA-MM-JJ)."
	case "oneof":
		return "Valeur inconnue (valeurs possibles : " + strings.ReplaceAll(fe.Param(), " ", ", ") + ")."
	case "end_before_start":
		return "La date de fin ne peut pas précéder la date de début."
	case "service_type":
		return "Type de prestation inconnu (mise_a_disposition ou mise_a_contrat)."
	case "structure_type":
		return "Type de structure inconnu (AI, ETTI, ACI, EI ou other)."
	case "region":
		return "Région inconnue."
	case "question_type":
		return "Type de question inconnu (scale, yes_no, nps, choice ou text)."
	case "question_role":
		return "Rôle de question inconnu (overall, reuse, recommend ou comment)."
	case "code_slug":
		return "Code invalide : lettres minuscules, chiffres, « _ » ou « - », 40 caractères au plus."
	}
	return "Valeur invalide."
}

// NormalizeFrenchPhone accepts French numbers as people type them — 10
// digits starting with 0, or +33 / 0033 (and the overseas codes +262, +590,
// +594, +596) followed by 9 digits, with spaces, dots, dashes or "(0)" —
// and returns them as "06 12 34 56 78".
func NormalizeFrenchPhone(s string) (string, bool) {
	s = strings.Replace(strings.TrimSpace(s), "(0)", "", 1)
	var digits strings.Builder
	international := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
			international = true
		case r == ' ' || r == '.' || r == '-' || r == '\u00a0' || r == '\u202f':
		default:
			return "", false
		}
	}
	d := digits.String()
	if !international && strings.HasPrefix(d, "00") {
		international, d = true, d[2:]
	}
	if international {
		national, ok := nationalFromInternational(d)
		if !ok {
			return "", false
		}
		d = national
	}
	if len(d) != 10 || d[0] != '0' || d[1] == '0' {
		return "", false
	}
	return d[0:2] + " " + d[2:4] + " " + d[4:6] + " " + d[6:8] + " " + d[8:10], true
}

// nationalFromInternational turns "33612345678" into "0612345678"; overseas
// departments keep their own country codes but the same national format.
func nationalFromInternational(d string) (string, bool) {
	for _, cc := range []string{"33", "262", "590", "594", "596"} {
		if rest, ok := strings.CutPrefix(d, cc); ok && len(rest) == 9 {
			return "0" + rest, true
		}
	}
	return "", false
}

// validNormalizedPhone checks a number already passed through NormalizeFrenchPhone.
func validNormalizedPhone(s string) bool {
	n, ok := NormalizeFrenchPhone(s)
	return ok && n == s
}

// NormalizeIdentifier removes the spaces, dots and non-breaking spaces people
// put in SIRET and SIREN numbers.
func NormalizeIdentifier(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '\u00a0', '\u202f':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}
