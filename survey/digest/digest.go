// Package digest plans the monthly digests: to each structure's accounts
// its figures of the month, to each region's accounts its structures
// ranked by response rate. Figures come from the read model (a structure's
// month through its ledger or indexed reader, the region's summaries by
// _id), never from a scan of the responses. Each digest's message _id names
// its kind, scope, month and recipient, so planning a month again, in the
// same process or another, enqueues nothing twice.
package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/notices"
)

// Store is what the planner needs of the store and the read model.
type Store interface {
	ListStructures(ctx context.Context, f survey.StructureFilter) ([]survey.Structure, error)
	ListUsers(ctx context.Context, sid string) ([]accounts.User, error)
	RegionUsers(ctx context.Context, region string) ([]accounts.User, error)
	Order(ctx context.Context, sid, oid string) (*survey.Order, error)
	IndicatorSource(ctx context.Context, sid string, r survey.DateRange) (*survey.IndicatorSource, error)
	Summary(ctx context.Context, sid, month string) (*survey.Summary, error)
	Message(ctx context.Context, sid, id string) (*survey.OutboxMessage, error)
	Enqueue(ctx context.Context, msg *survey.OutboxMessage) error
}

// QuietDays is how long without a survey sent makes a structure quiet.
const QuietDays = 60

// expiringWithin is how far ahead a structure's digest lists links about
// to expire.
const expiringWithin = 7 * 24 * time.Hour

// Planner enqueues the digests of a month.
type Planner struct {
	Store   Store
	Mails   *notices.Templates
	BaseURL string
	Now     func() time.Time
	Log     *slog.Logger
}

// Report counts what PlanMonth did.
type Report struct {
	Enqueued, AlreadyPlanned, TurnedOff int
}

// enqueue writes msg unless a message with its _id exists already.
func (p *Planner) enqueue(ctx context.Context, sid string, msg *survey.OutboxMessage, rep *Report) error {
	if _, err := p.Store.Message(ctx, sid, msg.ID); err == nil {
		rep.AlreadyPlanned++
		return nil
	} else if !errors.Is(err, survey.ErrNotFound) {
		return err
	}
	err := p.Store.Enqueue(ctx, msg)
	switch {
	case errors.Is(err, survey.ErrConflict):
		rep.AlreadyPlanned++ // another instance, just now
		return nil
	case err != nil:
		return err
	}
	rep.Enqueued++
	return nil
}

// monthRange is the days of month.
func monthRange(month string) (survey.DateRange, error) {
	start, end, err := survey.MonthBounds(month)
	if err != nil {
		return survey.DateRange{}, err
	}
	return survey.DateRange{From: start, To: end.AddDate(0, 0, -1)}, nil
}

// MonthName is "février 2026".
func MonthName(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return frMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

var frMonths = [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// formatValue writes a value in French: "82 %", "+35", "3".
func formatValue(kind survey.FigureKind, v *float64) string {
	if v == nil {
		return "—"
	}
	switch kind {
	case survey.KindRate:
		return strconv.Itoa(int(math.Round(*v*100))) + " %"
	case survey.KindNPS:
		return fmt.Sprintf("%+d", int(math.Round(*v)))
	case survey.KindScore:
		return strings.Replace(fmt.Sprintf("%.1f", *v), ".", ",", 1)
	}
	return strconv.Itoa(int(*v))
}

// sortRows ranks structures by response rate, highest first, withheld
// rates last, names breaking ties.
func sortRows(rows []rankedRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.row.Withheld != b.row.Withheld {
			return !a.row.Withheld
		}
		if a.rate != b.rate {
			return a.rate > b.rate
		}
		return a.row.Name < b.row.Name
	})
}

type rankedRow struct {
	row  notices.RegionRow
	rate float64
}
