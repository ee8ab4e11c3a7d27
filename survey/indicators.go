package survey

import (
	"strings"
	"time"
)

// Headline indicator codes: stable strings that dashboards and the
// federation look values up by.
const (
	CodeSent            = "QUESTIONNAIRES_ENVOYES"
	CodeResponses       = "REPONSES"
	CodeResponseRate    = "TAUX_REPONSE"
	CodeOverall         = "SAT_GLOBALE"
	CodeOverallScore    = "SAT_GLOBALE_SCORE"
	CodeNPS             = "NPS"
	CodeNPSPromoters    = "NPS_PROMOTEURS"
	CodeNPSPassives     = "NPS_PASSIFS"
	CodeNPSDetractors   = "NPS_DETRACTEURS"
	CodeLoyalty         = "TAUX_FIDELISATION"
	CodeComments        = "VERBATIMS"
	questionCodePrefix  = "Q_"
	scoreSuffix         = "_SCORE"
	promotersSuffix     = "_PROMOTEURS"
	passivesSuffix      = "_PASSIFS"
	detractorsSuffix    = "_DETRACTEURS"
	npsPromoterMin      = 9
	npsDetractorMax     = 6
	indicatorCodeMaxLen = 60
)

// HeadlineCode describes one headline indicator.
type HeadlineCode struct {
	Code  string
	Label string // French
	Kind  FigureKind
}

// HeadlineCodes lists the headline indicators in display order.
var HeadlineCodes = []HeadlineCode{
	{CodeSent, "Questionnaires envoyés", KindCount},
	{CodeResponses, "Réponses", KindCount},
	{CodeResponseRate, "Taux de réponse", KindRate},
	{CodeOverall, "Satisfaction globale (très satisfaits + satisfaits)", KindRate},
	{CodeOverallScore, "Satisfaction globale, score moyen (4 = très satisfait … 1)", KindScore},
	{CodeNPS, "NPS (recommandation, −100 à 100)", KindNPS},
	{CodeNPSPromoters, "NPS : part de promoteurs (9–10)", KindRate},
	{CodeNPSPassives, "NPS : part de passifs (7–8)", KindRate},
	{CodeNPSDetractors, "NPS : part de détracteurs (0–6)", KindRate},
	{CodeLoyalty, "Taux de fidélisation (ferait de nouveau appel)", KindRate},
	{CodeComments, "Commentaires reçus", KindCount},
}

// QuestionIndicatorCode is the indicator code of a question: Q_ and the
// question code in capitals ("reactivite" → "Q_REACTIVITE").
func QuestionIndicatorCode(questionCode string) string {
	return questionCodePrefix + codeWord(questionCode)
}

// codeWord turns free text into an indicator code fragment: capitals,
// digits and underscores, accents dropped.
func codeWord(s string) string {
	var b strings.Builder
	lastUnderscore := true
	for _, r := range strings.ToUpper(foldAccents(s)) {
		switch {
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			lastUnderscore = false
		case !lastUnderscore:
			b.WriteByte('_')
			lastUnderscore = true
		}
	}
	out := strings.TrimRight(b.String(), "_")
	if len(out) > indicatorCodeMaxLen {
		out = out[:indicatorCodeMaxLen]
	}
	return out
}

var accentFolds = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ô': "o", 'ö': "o", 'ó': "o", 'ù': "u", 'û': "u", 'ü': "u", 'ú': "u",
	'ÿ': "y", 'ñ': "n", 'œ': "oe", 'æ': "ae",
	'À': "A", 'Â': "A", 'Ä': "A", 'Ç': "C", 'É': "E", 'È': "E", 'Ê': "E", 'Ë': "E", 'Î': "I", 'Ï': "I",
	'Ô': "O", 'Ö': "O", 'Ù': "U", 'Û': "U", 'Ü': "U", 'Œ': "OE", 'Æ': "AE",
}

// foldAccents replaces French accented letters by their plain letters.
func foldAccents(s string) string {
	var b strings.Builder
	for _, r := range s {
		if f, ok := accentFolds[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Slug is s in lower-case ASCII words joined by hyphens ("Ça Bouge!" → "ca-bouge").
func Slug(s string) string {
	return strings.ReplaceAll(strings.ToLower(codeWord(s)), "_", "-")
}

// IssuedSurvey is what indicators need of an order whose survey was issued.
type IssuedSurvey struct {
	OrderID     string
	ServiceType ServiceType
	IssuedAt    time.Time
	Cancelled   bool // its last link was cancelled and not re-issued
	// Channel is the channel its link was first handed out through; empty
	// when it was not handed out (an answered link's response tells its
	// channel, see ComputeIndicators).
	Channel Channel
}

// IndicatorQuery selects what to compute.
type IndicatorQuery struct {
	Range   DateRange
	By      Granularity
	Service ServiceType // empty: both types together and each one
}

// Services lists the service selections of the query: AllServices and each
// type, or the one type asked for.
func (q IndicatorQuery) Services() []string {
	if q.Service != "" {
		return []string{string(q.Service)}
	}
	out := []string{AllServices}
	for _, st := range ServiceTypes {
		out = append(out, string(st))
	}
	return out
}

// QuestionInfo describes a question followed across questionnaire versions
// by its code.
type QuestionInfo struct {
	Code          string        `json:"code"`
	IndicatorCode string        `json:"indicator_code"`
	Label         string        `json:"label"` // from the latest version holding it
	Type          QuestionType  `json:"type"`
	Role          QuestionRole  `json:"role,omitempty"`
	Choices       []string      `json:"choices,omitempty"`
	ServiceTypes  []ServiceType `json:"service_types"`
	Versions      []string      `json:"versions"` // questionnaire version ids holding it
	// Levels are the distribution codes of the question, in display order.
	Levels []QuestionLevel `json:"levels"`
}

// QuestionLevel is one answer of a question's distribution.
type QuestionLevel struct {
	Value string `json:"value"` // stored value
	Label string `json:"label"` // French
	Code  string `json:"code"`  // indicator code of its share
}

// QuestionnaireVersion is a questionnaire version answered in the range.
type QuestionnaireVersion struct {
	ID           string        `json:"id"`
	FamilyID     string        `json:"family_id"`
	Title        string        `json:"title"`
	Version      int           `json:"version"`
	ServiceTypes []ServiceType `json:"service_types"`
	Responses    int           `json:"responses"`
}

// Verbatim is one free-text comment.
type Verbatim struct {
	OrderID        string      `json:"order_id"`
	OrderReference string      `json:"order_reference"`
	ServiceType    ServiceType `json:"service_type"`
	IssuedAt       time.Time   `json:"issued_at"`
	SubmittedAt    time.Time   `json:"submitted_at"`
	QuestionCode   string      `json:"question_code"`
	Text           string      `json:"text"`
}

// Indicators are the figures of one structure for a query.
type Indicators struct {
	Range          DateRange              `json:"-"`
	From           string                 `json:"from"`
	To             string                 `json:"to"`
	By             Granularity            `json:"by"`
	Service        ServiceType            `json:"service,omitempty"`
	Services       []string               `json:"services"`
	Periods        []Period               `json:"periods"` // sub-periods, then Total
	Figures        []Figure               `json:"figures"`
	Questions      []QuestionInfo         `json:"questions"`
	Questionnaires []QuestionnaireVersion `json:"questionnaires"`
	Verbatims      []Verbatim             `json:"verbatims"`
	GeneratedAt    time.Time              `json:"generated_at"`
	index          map[figureKey]int
}

type figureKey struct{ code, period, service string }

// Figure returns the figure of a code, period key and service selection.
func (in *Indicators) Figure(code, period, service string) (Figure, bool) {
	i, ok := in.index[figureKey{code, period, service}]
	if !ok {
		return Figure{}, false
	}
	return in.Figures[i], true
}

// Codes lists the indicator codes present, in display order.
func (in *Indicators) Codes() []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range in.Figures {
		if !seen[f.Code] {
			seen[f.Code] = true
			out = append(out, f.Code)
		}
	}
	return out
}
