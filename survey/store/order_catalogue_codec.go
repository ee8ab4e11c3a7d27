package store

import (
	"bytes"
	"capsat/survey"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// catalogueEntry is what listing, filtering and searching a structure's
// orders needs of one order (see order_catalogue.go): the page itself is
// then read by _id.
type catalogueEntry struct {
	ID           string
	Created      time.Time
	Service      survey.ServiceType
	StartDate    string
	ReferenceKey string
	// Reference and Company are folded for search (survey.FoldForSearch).
	Reference, Company string
	// Survey is nil for an order without a link.
	Survey *survey.OrderSurvey
}

// entryOf is the catalogue entry of o as its document shows it.
func entryOf(o *survey.Order) catalogueEntry {
	e := catalogueEntry{
		ID: o.ID, Created: o.CreatedAt.UTC().Truncate(time.Millisecond), Service: o.ServiceType, StartDate: o.StartDate,
		ReferenceKey: o.ReferenceKey, Reference: oneLine(survey.FoldForSearch(o.Reference)), Company: oneLine(survey.FoldForSearch(o.Client.Company)),
	}
	if e.ReferenceKey == "" {
		e.ReferenceKey = survey.ReferenceKey(o.Reference)
	}
	if o.Survey != nil {
		e.Survey = &survey.OrderSurvey{IssuedAt: o.Survey.IssuedAt.UTC(), ExpiresAt: o.Survey.ExpiresAt.UTC()}
		if o.Survey.AnsweredAt != nil {
			e.Survey.AnsweredAt = &e.Survey.IssuedAt // only its presence is kept
		}
		if o.Survey.CancelledAt != nil {
			e.Survey.CancelledAt = &e.Survey.IssuedAt
		}
	}
	return e
}

// oneLine keeps the packed format's separators out of a text field.
func oneLine(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
}

// catalogueMonth is the month (UTC, "2006-01") of an order's creation: the
// catalogue part that holds its entry.
func catalogueMonth(created time.Time) string { return created.UTC().Format("2006-01") }

// sameEntry tells whether two entries list, filter and find alike.
func sameEntry(a, b catalogueEntry) bool {
	return bytes.Equal(appendEntry(nil, &a), appendEntry(nil, &b))
}

// matches tells whether the entry passes f (pages ignored) at time now: the
// same conditions as orderFilter, and the text search of matchingOrders.
func (e *catalogueEntry) matches(f *survey.OrderFilter, q string, now time.Time) bool {
	switch {
	case f.ServiceType != "" && e.Service != f.ServiceType,
		f.StartFrom != "" && e.StartDate < f.StartFrom,
		f.StartTo != "" && e.StartDate > f.StartTo:
		return false
	}
	if f.Status != "" {
		o := survey.Order{Survey: e.Survey}
		if o.SurveyStatusAt(now) != f.Status {
			return false
		}
	}
	return q == "" || strings.Contains(e.Reference, q) || strings.Contains(e.Company, q)
}

// newerFirst orders entries as lists show orders: newest first, ties by id.
func newerFirst(a, b catalogueEntry) int {
	if c := b.Created.Compare(a.Created); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}

// Entries are packed as lines of tab-separated fields: id, creation (Unix
// ms), service type, start date, reference key, issued, expires (Unix ms,
// 0 without a survey), answered and cancelled (1 or 0), folded reference,
// folded company.
const entryFields = 11

func appendEntry(b []byte, e *catalogueEntry) []byte {
	var issued, expires int64
	answered, cancelled := "0", "0"
	if s := e.Survey; s != nil {
		issued, expires = s.IssuedAt.UnixMilli(), s.ExpiresAt.UnixMilli()
		if s.AnsweredAt != nil {
			answered = "1"
		}
		if s.CancelledAt != nil {
			cancelled = "1"
		}
	}
	fields := []string{
		e.ID, strconv.FormatInt(e.Created.UnixMilli(), 10), string(e.Service), e.StartDate, oneLine(e.ReferenceKey),
		strconv.FormatInt(issued, 10), strconv.FormatInt(expires, 10), answered, cancelled, e.Reference, e.Company,
	}
	b = append(b, strings.Join(fields, "\t")...)
	return append(b, '\n')
}

func decodeEntries(packed []byte) ([]catalogueEntry, error) {
	var out []catalogueEntry
	for line := range strings.Lines(string(packed)) {
		e, err := decodeEntry(line)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// decodeEntry reads one packed line (its newline optional).
func decodeEntry(line string) (catalogueEntry, error) {
	f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
	if len(f) != entryFields {
		return catalogueEntry{}, fmt.Errorf("order catalogue: entry with %d fields", len(f))
	}
	created, err1 := strconv.ParseInt(f[1], 10, 64)
	issued, err2 := strconv.ParseInt(f[5], 10, 64)
	expires, err3 := strconv.ParseInt(f[6], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return catalogueEntry{}, fmt.Errorf("order catalogue: entry %s: bad time", f[0])
	}
	e := catalogueEntry{
		ID: f[0], Created: time.UnixMilli(created).UTC(), Service: survey.ServiceType(f[2]), StartDate: f[3],
		ReferenceKey: f[4], Reference: f[9], Company: f[10],
	}
	if issued != 0 {
		e.Survey = &survey.OrderSurvey{IssuedAt: time.UnixMilli(issued).UTC(), ExpiresAt: time.UnixMilli(expires).UTC()}
		if f[7] == "1" {
			e.Survey.AnsweredAt = &e.Survey.IssuedAt
		}
		if f[8] == "1" {
			e.Survey.CancelledAt = &e.Survey.IssuedAt
		}
	}
	return e, nil
}

func encodeEntries(entries []catalogueEntry) []byte {
	var b []byte
	for i := range entries {
		b = appendEntry(b, &entries[i])
	}
	return b
}
