package importfile

import (
	"capsat/survey"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// importColumn is one column an order import file may have: the OrderInput
// field it fills (keyed as Validate names fields) and the header texts that
// management software and hand-made spreadsheets use for it.
type importColumn struct {
	key      string
	label    string // French name used in messages
	required bool
	names    []string
}

// importColumns lists the columns of an order import, in display order.
// Names are compared after normalizeLabel (case, accents, punctuation and
// small words such as "de" or "du" do not matter).
var importColumns = []importColumn{
	{key: "reference", label: "N° commande", required: true, names: []string{
		"n commande", "no commande", "num commande", "numero commande", "n bon commande",
		"no bon commande", "numero bon commande", "bon commande", "commande", "reference",
		"reference commande", "ref", "ref commande", "n bc", "bc", "n",
	}},
	{key: "service_type", label: "Type de prestation", required: true, names: []string{
		"type prestation", "prestation", "type", "type service", "service", "nature prestation",
		"service type", "type commande",
	}},
	{key: "client.company", label: "Client", required: true, names: []string{
		"client", "entreprise", "raison sociale", "societe", "nom client", "client entreprise",
		"entreprise cliente", "nom entreprise", "denomination", "client company", "company",
	}},
	{key: "client.siret", label: "SIRET", names: []string{
		"siret", "n siret", "no siret", "numero siret", "siret client", "siret entreprise", "client siret",
	}},
	{key: "client.contact_name", label: "Contact", names: []string{
		"contact", "nom contact", "contact client", "interlocuteur", "responsable", "client contact name",
		"contact name",
	}},
	{key: "client.email", label: "Email", names: []string{
		"email", "e mail", "mail", "courriel", "adresse email", "adresse mail", "adresse e mail",
		"adresse electronique", "email contact", "mel", "client email",
	}},
	{key: "client.phone", label: "Téléphone", names: []string{
		"telephone", "tel", "telephone contact", "tel contact", "portable", "mobile",
		"numero telephone", "n telephone", "client phone", "phone",
	}},
	{key: "job_title", label: "Poste", names: []string{
		"poste", "intitule poste", "emploi", "fonction", "metier", "poste occupe", "job title",
	}},
	{key: "start_date", label: "Date début", required: true, names: []string{
		"date debut", "debut", "date debut mission", "debut mission", "date debut contrat",
		"start date",
	}},
	{key: "end_date", label: "Date fin", names: []string{
		"date fin", "fin", "date fin mission", "fin mission", "date fin contrat", "end date",
	}},
	{key: "hours", label: "Heures", names: []string{
		"heures", "nombre heures", "nb heures", "nbre heures", "nombre d heures", "volume horaire",
		"heures prevues", "hours",
	}},
	{key: "notes", label: "Notes", names: []string{
		"notes", "note", "observations", "observation", "commentaire", "commentaires", "remarques",
		"remarque",
	}},
}

// importColumnByName maps a normalised header text to its column.
var importColumnByName = func() map[string]*importColumn {
	m := map[string]*importColumn{}
	for i := range importColumns {
		c := &importColumns[i]
		for _, n := range c.names {
			m[normalizeLabel(n)] = c
		}
	}
	return m
}()

// smallWords are dropped when comparing labels: "Date de début" is "Date début".
var smallWords = map[string]bool{"de": true, "du": true, "des": true, "d": true, "la": true, "le": true, "les": true, "l": true}

// ordinalSigns separate "N°" and "Nº" from what follows; º is a letter to Unicode.
var ordinalSigns = strings.NewReplacer("°", " ", "º", " ")

// stripAccents returns a new accent-stripping transformer: a chain keeps
// state between calls, so one shared by concurrent imports races (and
// panicked under parallel tests).
func stripAccents() transform.Transformer {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}

// normalizeLabel folds a header or an enumerated value for comparison:
// lower case, no accents, no text in parentheses, punctuation as spaces,
// small words dropped. "N° de commande (BC)" becomes "n commande".
func normalizeLabel(s string) string {
	s = ordinalSigns.Replace(dropParentheses(s))
	if folded, _, err := transform.String(stripAccents(), s); err == nil {
		s = folded
	}
	s = strings.ToLower(s)
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	kept := words[:0]
	for _, w := range words {
		if !smallWords[w] {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}

// dropParentheses removes "(...)" parts, such as "(jj/mm/aaaa)" after a
// date header, unless nothing else would remain.
func dropParentheses(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	if strings.TrimSpace(b.String()) == "" {
		return s
	}
	return b.String()
}

// parseServiceType reads the service types as files write them: the codes,
// the French names, the usual abbreviations.
func parseServiceType(v string) (survey.ServiceType, bool) {
	switch normalizeLabel(v) {
	case "mise a disposition", "mad", "mise disposition", "disposition", "mise a disposition personnel":
		return survey.ServiceMAD, true
	case "mise a contrat", "mac", "mise contrat", "recrutement", "embauche", "placement",
		"mise a contrat recrutement", "recrutement mise a contrat":
		return survey.ServiceMAC, true
	}
	if survey.ServiceType(v).Valid() {
		return survey.ServiceType(v), true
	}
	return "", false
}
