package survey

import (
	"fmt"
	"sync"
	"time"

	// Indicator periods are French civil dates: the zone database is embedded
	// so that Europe/Paris resolves on hosts without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Granularity is the length of the sub-periods indicators are cut into.
type Granularity string

// Granularities of indicator series.
const (
	ByMonth   Granularity = "month"
	ByQuarter Granularity = "quarter"
	ByYear    Granularity = "year"
)

// Valid reports whether g is a known granularity.
func (g Granularity) Valid() bool { return g == ByMonth || g == ByQuarter || g == ByYear }

// TotalPeriodKey is the key of the period covering the whole requested range.
const TotalPeriodKey = "Total"

// IndicatorLocation is the zone (Europe/Paris) whose civil dates cut periods
// and summary months: a survey issued at 23:30 UTC on 31 March belongs to
// April in France. Loaded once (time/tzdata is embedded).
func IndicatorLocation() *time.Location { return loadParis() }

var loadParis = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil { // impossible with time/tzdata embedded; UTC keeps us running
		return time.UTC
	}
	return loc
})

// DateRange is an inclusive range of civil dates (midnight, in the indicator location).
type DateRange struct {
	From time.Time
	To   time.Time // inclusive: the last day of the range
}

// ParseDateRange reads two YYYY-MM-DD dates in loc.
func ParseDateRange(from, to string, loc *time.Location) (DateRange, error) {
	v := &ValidationError{Message: "Période invalide."}
	f, errF := time.ParseInLocation(time.DateOnly, from, loc)
	if errF != nil {
		v.Add("from", "date", "Date de début invalide (AAAA-MM-JJ).")
	}
	t, errT := time.ParseInLocation(time.DateOnly, to, loc)
	if errT != nil {
		v.Add("to", "date", "Date de fin invalide (AAAA-MM-JJ).")
	}
	if errF == nil && errT == nil {
		switch {
		case t.Before(f):
			v.Add("to", "end_before_start", "La date de fin ne peut pas précéder la date de début.")
		case t.After(f.AddDate(MaxRangeYears, 0, 0)):
			v.Add("to", "range", fmt.Sprintf("La période ne peut pas dépasser %d ans.", MaxRangeYears))
		}
	}
	if err := v.OrNil(); err != nil {
		return DateRange{}, err
	}
	return DateRange{From: f, To: t}, nil
}

// MaxRangeYears bounds the length of a requested range.
const MaxRangeYears = 5

// LastFullMonths is the range of the n whole months before the month of now.
func LastFullMonths(now time.Time, n int, loc *time.Location) DateRange {
	n0 := now.In(loc)
	firstOfMonth := time.Date(n0.Year(), n0.Month(), 1, 0, 0, 0, 0, loc)
	return DateRange{From: firstOfMonth.AddDate(0, -n, 0), To: firstOfMonth.AddDate(0, 0, -1)}
}

// End is the first instant after the range (exclusive bound for timestamps).
func (r DateRange) End() time.Time { return r.To.AddDate(0, 0, 1) }

// Contains reports whether the instant t falls on a date of the range.
func (r DateRange) Contains(t time.Time) bool {
	return !t.Before(r.From) && t.Before(r.End())
}

// WholeMonths reports whether the range starts on a first and ends on a last day of month.
func (r DateRange) WholeMonths() bool {
	return r.From.Day() == 1 && r.End().Day() == 1
}

// months counts the calendar months a whole-month range spans.
func (r DateRange) months() int {
	e := r.End()
	return (e.Year()-r.From.Year())*12 + int(e.Month()) - int(r.From.Month())
}

// Previous is the range of the same length just before r: the same number of
// months when r is made of whole months, else the same number of days.
func (r DateRange) Previous() DateRange {
	if r.WholeMonths() {
		n := r.months()
		return DateRange{From: r.From.AddDate(0, -n, 0), To: r.From.AddDate(0, 0, -1)}
	}
	days := int(r.End().Sub(r.From).Hours()/24 + 0.5)
	return DateRange{From: r.From.AddDate(0, 0, -days), To: r.From.AddDate(0, 0, -1)}
}

// String is the range in French, for sheets: "du 01/03/2025 au 28/02/2026".
func (r DateRange) String() string {
	return "du " + r.From.Format("02/01/2006") + " au " + r.To.Format("02/01/2006")
}

// Period is one sub-period of a range (or the whole range, key Total).
type Period struct {
	Key   string    `json:"key"`   // "2026-03", "2026-T1", "2026" or "Total"
	Label string    `json:"label"` // "mars 2026", "T1 2026", "2026", "Total"
	From  time.Time `json:"from"`
	To    time.Time `json:"to"` // inclusive last date
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// FrenchMonth is the French name of a month ("mars").
func FrenchMonth(m time.Month) string { return frenchMonths[m-1] }

// SplitRange cuts r into periods of g, clipped to r, in order.
func SplitRange(r DateRange, g Granularity) []Period {
	var out []Period
	for start := r.From; !start.After(r.To); {
		p := periodOf(start, g)
		if p.From.Before(r.From) {
			p.From = r.From
		}
		if p.To.After(r.To) {
			p.To = r.To
		}
		out = append(out, p)
		start = p.To.AddDate(0, 0, 1)
	}
	return out
}

// periodOf is the whole period of granularity g containing the date d.
func periodOf(d time.Time, g Granularity) Period {
	y, m, loc := d.Year(), d.Month(), d.Location()
	switch g {
	case ByQuarter:
		q := (int(m)-1)/3 + 1
		from := time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, loc)
		return Period{Key: fmt.Sprintf("%d-T%d", y, q), Label: fmt.Sprintf("T%d %d", q, y), From: from, To: from.AddDate(0, 3, -1)}
	case ByYear:
		from := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return Period{Key: fmt.Sprintf("%d", y), Label: fmt.Sprintf("%d", y), From: from, To: from.AddDate(1, 0, -1)}
	}
	from := time.Date(y, m, 1, 0, 0, 0, 0, loc)
	return Period{Key: fmt.Sprintf("%d-%02d", y, int(m)), Label: FrenchMonth(m) + " " + fmt.Sprintf("%d", y), From: from, To: from.AddDate(0, 1, -1)}
}
