package survey

import (
	"strings"
	"time"
	"unicode"
)

// OrderInput is a purchase order as callers give it (API, forms, imports).
// The validate tags are checked by Validator.Order; the client's rules are
// registered in NewValidator (Client lives in types.go without tags).
type OrderInput struct {
	Reference   string      `json:"reference" validate:"required,max=64"`
	ServiceType ServiceType `json:"service_type" validate:"required,service_type"`
	Client      Client      `json:"client"`
	JobTitle    string      `json:"job_title" validate:"max=200"`
	StartDate   string      `json:"start_date" validate:"required,date"`
	EndDate     string      `json:"end_date" validate:"omitempty,date"`
	Hours       float64     `json:"hours" validate:"min=0,max=10000"`
	Notes       string      `json:"notes" validate:"max=2000" text:"multiline"`
}

// Order normalises an order input (trimmed text, SIRET without spaces, phone
// as "06 12 34 56 78", invisible characters stripped) and checks it, dates
// within OrderDateRange included. Field keys are JSON paths such as
// "client.siret" or "end_date".
func (v *Validator) Order(in *OrderInput) error {
	in.Reference = strings.TrimSpace(in.Reference)
	in.JobTitle = strings.TrimSpace(in.JobTitle)
	in.StartDate = strings.TrimSpace(in.StartDate)
	in.EndDate = strings.TrimSpace(in.EndDate)
	in.Notes = strings.TrimSpace(in.Notes)
	c := &in.Client
	c.Company = strings.TrimSpace(c.Company)
	c.SIRET = NormalizeIdentifier(c.SIRET)
	c.ContactName = strings.TrimSpace(c.ContactName)
	c.Email = strings.TrimSpace(c.Email)
	c.Phone = strings.TrimSpace(c.Phone)
	if p, ok := NormalizeFrenchPhone(c.Phone); ok {
		c.Phone = p
	}
	errs := v.check(in, orderMessage)
	now := v.now()
	checkOrderDateRange(errs, "start_date", in.StartDate, now, "")
	if in.EndDate != "" {
		checkOrderDateRange(errs, "end_date", in.EndDate, now, " : laissez-la vide si la fin n'est pas connue")
	}
	return errs.OrNil()
}

// orderMessage words the errors of order fields whose generic message would
// be too vague for someone filling in a purchase order.
func orderMessage(field, tag string) string {
	switch field + ":" + tag {
	case "reference:required", "reference:max":
		return "La référence du bon de commande est obligatoire (64 caractères au plus)."
	case "client.company:required":
		return "Le nom du client est obligatoire."
	case "start_date:required", "start_date:date":
		return "Date de début invalide (AAAA-MM-JJ)."
	case "end_date:date":
		return "Date de fin invalide (AAAA-MM-JJ)."
	case "hours:min", "hours:max":
		return "Le nombre d'heures doit être compris entre 0 et 10 000."
	}
	return ""
}

// ErrDuplicateReference is the conflict of a reference already used in the structure.
func ErrDuplicateReference() error {
	return ConflictOn("reference", "duplicate", "Un bon de commande de cette structure porte déjà cette référence.")
}

// MsgServiceTypeLocked refuses a service type change while a link is live:
// the link's questionnaire was chosen for the old type.
const MsgServiceTypeLocked = "Un questionnaire est en cours pour ce bon de commande : annulez-le avant de changer le type de prestation."

func ServiceTypeLocked(o *Order, in OrderInput, now time.Time) bool {
	return in.ServiceType != o.ServiceType && o.SurveyStatusAt(now) == SurveyIssued
}

func ErrOrderAnswered(verb string) error {
	return Conflict("Ce bon de commande a reçu une réponse au questionnaire : il ne peut plus être " + verb + ".")
}

// OrderFilter selects a structure's orders, for lists and batch issues.
// Empty fields match everything. Dates bound start_date, both inclusive.
type OrderFilter struct {
	ServiceType ServiceType  `json:"service_type" validate:"omitempty,service_type"`
	StartFrom   string       `json:"start_from" validate:"omitempty,date"`
	StartTo     string       `json:"start_to" validate:"omitempty,date"`
	Status      SurveyStatus `json:"status" validate:"omitempty,oneof=not_issued issued answered expired cancelled"`
	Q           string       `json:"q" validate:"max=200"`
	Page        int          `json:"page" validate:"min=0,max=1000000"`
	PerPage     int          `json:"per_page" validate:"min=0,max=200"`
}

// OrderFilter checks a filter and fills in the page defaults.
func (v *Validator) OrderFilter(f *OrderFilter) error {
	f.Q = strings.TrimSpace(f.Q)
	errs := v.check(f, nil)
	if f.StartFrom != "" && f.StartTo != "" && f.StartTo < f.StartFrom && errs.Fields["start_to"].Code == "" {
		errs.Add("start_to", "end_before_start", "La fin de la période ne peut pas précéder son début.")
	}
	if f.Page == 0 {
		f.Page = 1
	}
	if f.PerPage == 0 {
		f.PerPage = DefaultOrdersPerPage
	}
	return errs.OrNil()
}

// OrderPage is one page of a filtered order list. Total counts every match.
type OrderPage struct {
	Orders  []Order
	Total   int
	Page    int
	PerPage int
	// TotalAtLeast tells that Total only counts the matches up to the
	// page's next one: a search on the embedded store stops there rather
	// than read a structure's whole history.
	TotalAtLeast bool
}

// FoldForSearch lowercases s and strips French diacritics, so that "ecole"
// finds "École" and "Crème".
func FoldForSearch(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		switch {
		case r < unicode.MaxASCII:
			b.WriteRune(r)
		case strings.ContainsRune("àâäáãå", r):
			b.WriteByte('a')
		case r == 'ç':
			b.WriteByte('c')
		case strings.ContainsRune("éèêë", r):
			b.WriteByte('e')
		case strings.ContainsRune("îïíì", r):
			b.WriteByte('i')
		case strings.ContainsRune("ôöóòõ", r):
			b.WriteByte('o')
		case strings.ContainsRune("ùûüú", r):
			b.WriteByte('u')
		case strings.ContainsRune("ÿý", r):
			b.WriteByte('y')
		case r == 'ñ':
			b.WriteByte('n')
		case r == 'œ':
			b.WriteString("oe")
		case r == 'æ':
			b.WriteString("ae")
		case r == '\u00a0' || r == '\u202f':
			b.WriteByte(' ')
		case r == '’':
			b.WriteByte('\'')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Page sizes of order lists.
const (
	DefaultOrdersPerPage = 50
	MaxOrdersPerPage     = 200
)
