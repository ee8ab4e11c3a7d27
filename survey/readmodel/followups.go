package readmodel

import (
	"capsat/survey"
	"context"
	"fmt"
	"time"
)

// PeriodFollowUps are a structure's follow-ups of a period: its
// dissatisfied answers to surveys issued then, newest answer first (as
// survey.SortFollowUps), open and closed apart. On the embedded store they
// come from the months' summaries (the counts) and the notes of only as
// many months as the pages asked for need; on MongoDB, from the indicator
// source read by index.
type PeriodFollowUps struct {
	OpenTotal, ClosedTotal int
	s                      *Model
	sid                    string
	r                      survey.DateRange
	months                 []*monthFollowUps
}

// monthFollowUps is one month of the period: what its summary says, and
// its follow-ups once its notes are read.
type monthFollowUps struct {
	month  string
	last   time.Time // its latest answer
	open   int       // its open follow-ups (closed: flagged - open)
	closed int
	loaded bool
	items  []survey.Response // newest answer first
	next   int               // the first item not yet merged
}

// FollowUps reads the period r's follow-up counts of structure sid.
func (s *Model) FollowUps(ctx context.Context, sid string, r survey.DateRange) (*PeriodFollowUps, error) {
	p := &PeriodFollowUps{s: s, sid: sid, r: r}
	if !s.embedded {
		src, err := s.IndicatorSource(ctx, sid, r)
		if err != nil {
			return nil, err
		}
		survey.SortFollowUps(src.FollowUps)
		m := &monthFollowUps{loaded: true, items: src.FollowUps}
		p.months = []*monthFollowUps{m}
		p.count(m.items)
		return p, nil
	}
	months := monthsOf(r)
	sums, err := s.monthSummaries(ctx, sid, months)
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	for i, month := range months {
		sum := sums[i]
		m := &monthFollowUps{month: month}
		for _, ss := range sum.Services {
			m.open, m.closed = m.open+ss.OpenFollowUps, m.closed+ss.Flagged-ss.OpenFollowUps
			if ss.LastAnswer.After(m.last) {
				m.last = ss.LastAnswer
			}
		}
		if m.open+m.closed == 0 {
			continue
		}
		p.months = append(p.months, m)
		if start, end, err := survey.MonthBounds(month); err == nil && r.Contains(start) && (r.Contains(end.Add(-time.Nanosecond)) || !r.End().Before(s.store.Now())) {
			p.OpenTotal, p.ClosedTotal = p.OpenTotal+m.open, p.ClosedTotal+m.closed
			continue
		}
		// A month cut by the period: count what it holds of the period.
		if err := p.load(ctx, m); err != nil {
			return nil, err
		}
		p.count(m.items)
	}
	return p, nil
}

func (p *PeriodFollowUps) count(items []survey.Response) {
	for i := range items {
		if items[i].Open() {
			p.OpenTotal++
		} else {
			p.ClosedTotal++
		}
	}
}

// load reads a month's follow-ups from its notes, those of the period.
func (p *PeriodFollowUps) load(ctx context.Context, m *monthFollowUps) error {
	_, notes, err := p.s.monthView(ctx, p.sid, m.month, followUpNotes)
	if err != nil {
		return fmt.Errorf("follow-ups of %s: %w", m.month, err)
	}
	for _, fu := range notes.FollowUps {
		if p.r.Contains(fu.IssuedAt) {
			m.items = append(m.items, fu)
		}
	}
	m.loaded = true
	return nil
}

// Page returns the follow-ups from position from (0-based) to to of the
// open (or closed) list.
func (p *PeriodFollowUps) Page(ctx context.Context, open bool, from, to int) ([]survey.Response, error) {
	var out []survey.Response
	if from >= to {
		return out, nil
	}
	i := 0
	err := p.each(ctx, func(m *monthFollowUps) bool { return m.holds(open) }, func(r *survey.Response) bool {
		if r.Open() != open {
			return true
		}
		if i >= from {
			out = append(out, *r)
		}
		i++
		return i < to
	})
	return out, err
}

// Position finds the follow-up of order oid: in which list, at which
// position; found is false when the period has none.
func (p *PeriodFollowUps) Position(ctx context.Context, oid string) (open bool, at int, found bool, err error) {
	counts := [2]int{}
	err = p.each(ctx, func(*monthFollowUps) bool { return true }, func(r *survey.Response) bool {
		k := 0
		if r.Open() {
			k = 1
		}
		if r.OrderID == oid {
			open, at, found = r.Open(), counts[k], true
			return false
		}
		counts[k]++
		return true
	})
	return open, at, found, err
}

// holds tells whether the month may hold follow-ups of the open (or
// closed) list; a month cut by the period is read, and says it exactly.
func (m *monthFollowUps) holds(open bool) bool {
	if m.loaded {
		return true
	}
	if open {
		return m.open > 0
	}
	return m.closed > 0
}

// each calls fn on the follow-ups of the months wanted, newest answer
// first, until fn returns false. It merges the months' lists, reading a
// month's notes only once its latest answer could come next.
func (p *PeriodFollowUps) each(ctx context.Context, wanted func(*monthFollowUps) bool, fn func(*survey.Response) bool) error {
	for _, m := range p.months {
		m.next = 0
	}
	for {
		var head *monthFollowUps
		for _, m := range p.months {
			if m.loaded && m.next < len(m.items) && (head == nil || before(&m.items[m.next], &head.items[head.next])) {
				head = m
			}
		}
		var unread *monthFollowUps
		for _, m := range p.months {
			if !m.loaded && wanted(m) && (unread == nil || m.last.After(unread.last)) {
				unread = m
			}
		}
		// The latest answer is kept to the second: a second's margin.
		if unread != nil && (head == nil || !unread.last.Add(time.Second).Before(head.items[head.next].SubmittedAt)) {
			if err := p.load(ctx, unread); err != nil {
				return err
			}
			continue
		}
		if head == nil {
			return nil
		}
		r := &head.items[head.next]
		head.next++
		if !fn(r) {
			return nil
		}
	}
}

// before tells whether a comes before b in survey.SortFollowUps's order.
func before(a, b *survey.Response) bool {
	if !a.SubmittedAt.Equal(b.SubmittedAt) {
		return a.SubmittedAt.After(b.SubmittedAt)
	}
	return a.OrderID > b.OrderID
}
