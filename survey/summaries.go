package survey

import (
	"time"
	_ "time/tzdata" // months are French months wherever capsat runs
)

// SummaryMonth is the month ("2026-03", Europe/Paris) a survey issued at t counts in.
func SummaryMonth(t time.Time) string { return t.In(IndicatorLocation()).Format("2006-01") }

// MonthBounds returns the UTC instants [start, end) of a "YYYY-MM" month in Europe/Paris.
func MonthBounds(month string) (time.Time, time.Time, error) {
	start, err := time.ParseInLocation("2006-01", month, IndicatorLocation())
	if err != nil {
		return time.Time{}, time.Time{}, Invalid("month", "month", "Mois invalide (AAAA-MM).")
	}
	return start.UTC(), start.AddDate(0, 1, 0).UTC(), nil
}

// Summary is the raw tallies of one structure for one month of survey
// issue: no client data, only counts. It is derived from orders and
// responses and can always be recomputed from them.
type Summary struct {
	ID          string           `bson:"_id" json:"id"` // "<structure id>:<YYYY-MM>"
	StructureID string           `bson:"structure_id" json:"structure_id"`
	Month       string           `bson:"month" json:"month"`
	Version     int64            `bson:"version" json:"version"` // snapshot sequence: a write only replaces an older one
	Services    []ServiceSummary `bson:"services" json:"services"`
}

// ServiceSummary is the tallies of one service type within a Summary.
type ServiceSummary struct {
	Service   ServiceType     `bson:"service" json:"service"`
	Issued    int             `bson:"issued" json:"issued"`       // orders whose current link was issued this month
	Responses int             `bson:"responses" json:"responses"` // those answered
	Questions []QuestionTally `bson:"questions" json:"questions"` // sorted by code
	Versions  []VersionTally  `bson:"versions" json:"versions"`   // questionnaire versions answered
}

// QuestionTally counts the answers of one question code by stored value
// (scale levels incl. sans_objet, oui/non, 0–10). Free text is never kept.
type QuestionTally struct {
	Code   string         `bson:"code" json:"code"`
	Type   QuestionType   `bson:"type" json:"type"`
	Role   QuestionRole   `bson:"role,omitempty" json:"role,omitempty"`
	Counts map[string]int `bson:"counts" json:"counts"`
}

// VersionTally counts responses per questionnaire version.
type VersionTally struct {
	Family    string `bson:"family" json:"family"`
	Version   int    `bson:"version" json:"version"`
	Responses int    `bson:"responses" json:"responses"`
}

// SummaryID is the deterministic _id of a structure's month summary.
func SummaryID(sid, month string) string { return sid + ":" + month }
