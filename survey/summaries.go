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
	// The counts below let a structure's own dashboard be drawn from its
	// summaries alone; the federation's figures do not use them.
	Comments      int            `bson:"comments,omitempty" json:"comments,omitempty"`               // responses with a comment
	Flagged       int            `bson:"flagged,omitempty" json:"flagged,omitempty"`                 // dissatisfied responses
	OpenFollowUps int            `bson:"open_follow_ups,omitempty" json:"open_follow_ups,omitempty"` // of those, not closed
	Channels      []ChannelTally `bson:"channels,omitempty" json:"channels,omitempty"`
	LastAnswer    time.Time      `bson:"last_answer,omitempty" json:"last_answer,omitzero"` // the latest response's submission
}

// ChannelTally counts, within a ServiceSummary, the surveys whose link was
// first handed out through one channel, and those of them answered.
type ChannelTally struct {
	Channel   Channel `bson:"channel" json:"channel"`
	Responses int     `bson:"responses" json:"responses"`
	HandedOut int     `bson:"handed_out" json:"handed_out"`
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

// MonthTally is one structure-month's summary of one service, counted
// already: a source holding tallies instead of the rows of those months
// gives the same figures for every period made of whole months, without
// reading a response (the embedded store's dashboard reads a dozen small
// summaries where the rows of a busy year weigh megabytes).
type MonthTally struct {
	Month   string // "YYYY-MM", see SummaryMonth
	Service ServiceSummary
}

// TalliesCover tells whether r is made of whole months of issue as of now:
// it starts on the 1st of a month and ends on the last day of a month or
// on or after today (no survey is issued later than now). Only such a
// range may be computed from tallies.
func TalliesCover(r DateRange, now time.Time) bool {
	loc := IndicatorLocation()
	from, to := r.From.In(loc), r.To.In(loc)
	if from.Day() != 1 || from.Hour() != 0 || from.Minute() != 0 {
		return false
	}
	if to.AddDate(0, 0, 1).Day() == 1 {
		return true
	}
	n := now.In(loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	return !to.Before(today)
}
