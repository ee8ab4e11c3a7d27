package survey

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// MissionSummary names an order's service in plain words, as the survey
// page heads it: "Mise à disposition — agent d'entretien, du 3 au 14 mars
// 2026". It says nothing of the employee beyond the job title. The e-mails
// describe the mission with it, so that the client reads the same words in
// the mail and on the page.
func MissionSummary(o *Order) string {
	s := o.ServiceType.Label()
	if job := strings.TrimSpace(o.JobTitle); job != "" {
		s += " — " + lowerJobTitle(job)
	}
	if period := FrenchPeriod(o.StartDate, o.EndDate); period != "" {
		s += ", " + period
	}
	return s
}

// lowerJobTitle lowers the first letter of a job title unless it starts an
// acronym ("Agent d'entretien" → "agent d'entretien", "ASH" stays).
func lowerJobTitle(s string) string {
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[1]) {
		return s
	}
	return strings.ToLower(string(r[0])) + string(r[1:])
}

// FrenchPeriod writes two "YYYY-MM-DD" dates as French words: "du 3 au 14
// mars 2026", "du 28 février au 3 mars 2026", "le 3 mars 2026", "à partir
// du 1er mars 2026". Unreadable dates give "".
func FrenchPeriod(start, end string) string {
	from, err := time.Parse(time.DateOnly, start)
	if err != nil {
		return ""
	}
	to, err := time.Parse(time.DateOnly, end)
	day := func(t time.Time) string {
		if t.Day() == 1 {
			return "1er"
		}
		return strconv.Itoa(t.Day())
	}
	monthYear := func(t time.Time) string { return frenchMonths[t.Month()-1] + " " + strconv.Itoa(t.Year()) }
	switch {
	case err != nil:
		return "à partir du " + day(from) + " " + monthYear(from)
	case from.Equal(to):
		return "le " + day(from) + " " + monthYear(from)
	case from.Year() == to.Year() && from.Month() == to.Month():
		return "du " + day(from) + " au " + day(to) + " " + monthYear(to)
	case from.Year() == to.Year():
		return "du " + day(from) + " " + frenchMonths[from.Month()-1] + " au " + day(to) + " " + monthYear(to)
	}
	return "du " + day(from) + " " + monthYear(from) + " au " + day(to) + " " + monthYear(to)
}
