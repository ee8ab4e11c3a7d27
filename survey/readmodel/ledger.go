package readmodel

import (
	"capsat/survey"
	"capsat/survey/store"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colLedgers holds each structure-month's ledger: the surveys issued that
// month and their responses, whole, packed into a few large documents and
// rewritten with the month's summary. Indicators and exports read a
// structure's period from its ledgers by _id instead of filtering the
// orders and responses: on the embedded store a filter scans every
// document of the collection, and reading 100,000 responses one document
// each took 25 s (BENCHMARKS.md) against a few hundred milliseconds packed.
// The orders and responses stay the source of truth; a ledger is a copy
// that the summary refresh keeps, and readers check it is current.
const colLedgers = "ledgers"

// ledgerFormat is the layout of the ledger parts; a summary written with
// another (or none, before ledgers existed) has its month refreshed before
// it is read.
const ledgerFormat = 1

// ledgerPartBytes bounds a part's packed documents, well under the 16 MB
// of a document.
const ledgerPartBytes = 4 << 20

// ledgerPart is one stored part of a structure-month's ledger. Its version
// is the summary's: a part of another version belongs to a rewrite that
// was interrupted or overtaken, and the month is refreshed again.
type ledgerPart struct {
	ID          string `bson:"_id"` // "<summary id>:<part>"
	StructureID string `bson:"structure_id"`
	Month       string `bson:"month"`
	Part        int    `bson:"part"`
	Version     int64  `bson:"version"`
	// Issued holds lines of issued surveys (see appendIssued); Responses,
	// the response documents, BSON laid end to end. Both are compressed
	// binary data (see compress): the embedded store moves each as one
	// value, where an array of documents would be converted field by field.
	Issued    []byte `bson:"issued"`
	Responses []byte `bson:"responses"`
}

// ledgerIssued is an issued survey as a ledger keeps it.
type ledgerIssued struct {
	OrderID   string
	Service   survey.ServiceType
	IssuedAt  time.Time
	Cancelled bool
}

func ledgerPartID(summaryID string, part int) string {
	return fmt.Sprintf("%s:%d", summaryID, part)
}

// ledgerParts packs a cohort's issued surveys and raw response documents
// into parts of at most about ledgerPartBytes each before compression.
func ledgerParts(sid, month string, version int64, issued []ledgerIssued, responses []bson.Raw) ([]ledgerPart, error) {
	var parts []ledgerPart
	cur := func() *ledgerPart {
		if len(parts) == 0 || len(parts[len(parts)-1].Issued)+len(parts[len(parts)-1].Responses) >= ledgerPartBytes {
			n := len(parts)
			parts = append(parts, ledgerPart{ID: ledgerPartID(survey.SummaryID(sid, month), n), StructureID: sid, Month: month, Part: n, Version: version})
		}
		return &parts[len(parts)-1]
	}
	for i := range issued {
		p := cur()
		p.Issued = appendIssued(p.Issued, &issued[i])
	}
	for _, r := range responses {
		p := cur()
		p.Responses = append(p.Responses, r...)
	}
	for i := range parts {
		var err error
		if parts[i].Issued, err = compress(parts[i].Issued); err != nil {
			return nil, fmt.Errorf("ledger %s: %w", survey.SummaryID(sid, month), err)
		}
		if parts[i].Responses, err = compress(parts[i].Responses); err != nil {
			return nil, fmt.Errorf("ledger %s: %w", survey.SummaryID(sid, month), err)
		}
	}
	return parts, nil
}

// eachDocument calls fn on every BSON document of packed.
func eachDocument(packed []byte, fn func(doc []byte) error) error {
	for len(packed) > 0 {
		if len(packed) < 5 {
			return errors.New("ledger: truncated document")
		}
		n := int(binary.LittleEndian.Uint32(packed))
		if n < 5 || n > len(packed) {
			return errors.New("ledger: bad document length")
		}
		if err := fn(packed[:n]); err != nil {
			return err
		}
		packed = packed[n:]
	}
	return nil
}

// writeLedgerParts stores parts (replacing those of the same _id) and then
// drops the parts numbered from len(parts) to oldParts-1, left by a larger
// ledger. The caller holds the summary's lock.
func (s *Model) writeLedgerParts(ctx context.Context, parts []ledgerPart, summaryID string, oldParts int) error {
	col := s.db.Collection(colLedgers)
	for i := range parts {
		if _, err := col.ReplaceOne(ctx, bson.M{"_id": parts[i].ID}, &parts[i], options.Replace().SetUpsert(true)); err != nil {
			return fmt.Errorf("write ledger part %s: %w", parts[i].ID, err)
		}
	}
	s.dropLedgerParts(ctx, summaryID, len(parts), oldParts)
	return nil
}

// dropLedgerParts deletes parts from..to-1 of a ledger; a failure leaves
// parts that no summary counts, which readers never reach.
func (s *Model) dropLedgerParts(ctx context.Context, summaryID string, from, to int) {
	for i := from; i < to; i++ {
		_, _ = s.db.Collection(colLedgers).DeleteOne(ctx, bson.M{"_id": ledgerPartID(summaryID, i)})
	}
}

// ledgerHead is the part of a stored summary that says which ledger goes
// with it.
type ledgerHead struct {
	Version int64 `bson:"version"`
	Format  int   `bson:"ledger_format"`
	Parts   int   `bson:"ledger_parts"`
}

var ledgerHeadFields = bson.M{"version": 1, "ledger_format": 1, "ledger_parts": 1}

// readLedger returns the parts of structure sid's ledger for month,
// decompressed, as of
// every change committed before the call: a month with a refresh pending
// (in this process or, by its marker, in another), a ledger from before
// ledgers existed, or parts of another version than the summary's (a
// rewrite interrupted or racing) is refreshed first, synchronously.
func (s *Model) readLedger(ctx context.Context, sid, month string) ([]ledgerPart, error) {
	id := survey.SummaryID(sid, month)
	pending, err := s.pendingRefresh(ctx, id)
	if err != nil {
		return nil, err
	}
	const attempts = 3
	for attempt := 0; attempt < attempts; attempt++ {
		if pending.waiting() || attempt > 0 {
			if err := s.RefreshSummary(ctx, sid, month); err != nil {
				return nil, err
			}
			if pending.stored != nil && !pending.inProcess {
				s.dropMarker(ctx, id, pending.stored.Generation) // done by this refresh
			}
			pending = refreshState{}
		}
		parts, current, err := s.readLedgerParts(ctx, id)
		if err != nil {
			return nil, err
		}
		if current {
			return parts, nil
		}
	}
	return nil, fmt.Errorf("%w: ledger %s kept changing while being read", survey.ErrConflict, id)
}

// readLedgerParts reads a ledger's parts and tells whether they match the
// summary (no summary: no surveys that month, an empty ledger).
func (s *Model) readLedgerParts(ctx context.Context, id string) ([]ledgerPart, bool, error) {
	var head ledgerHead
	err := store.Translate(s.db.Collection(colSummaries).FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(ledgerHeadFields)).Decode(&head))
	switch {
	case errors.Is(err, survey.ErrNotFound):
		return nil, true, nil
	case err != nil:
		return nil, false, fmt.Errorf("read summary %s: %w", id, err)
	case head.Format != ledgerFormat:
		return nil, false, nil
	}
	parts := make([]ledgerPart, head.Parts)
	for i := range parts {
		err := s.findByID(ctx, colLedgers, ledgerPartID(id, i), &parts[i])
		switch {
		case errors.Is(err, survey.ErrNotFound):
			return nil, false, nil
		case err != nil:
			return nil, false, fmt.Errorf("read ledger %s: %w", id, err)
		case parts[i].Version != head.Version:
			return nil, false, nil
		}
	}
	for i := range parts {
		var err error
		if parts[i].Issued, err = decompress(parts[i].Issued); err != nil {
			return nil, false, fmt.Errorf("read ledger %s: %w", parts[i].ID, err)
		}
		if parts[i].Responses, err = decompress(parts[i].Responses); err != nil {
			return nil, false, fmt.Errorf("read ledger %s: %w", parts[i].ID, err)
		}
	}
	return parts, true, nil
}

// IndicatorSource reads what the indicators of structure sid need for the
// surveys issued in r: from the ledgers on the embedded store, by index
// from the orders and responses on MongoDB (store.IndexedIndicatorSource).
func (s *Model) IndicatorSource(ctx context.Context, sid string, r survey.DateRange) (*survey.IndicatorSource, error) {
	if !s.embedded {
		return s.store.IndexedIndicatorSource(ctx, sid, r)
	}
	return s.LedgerIndicatorSource(ctx, sid, r)
}

// LedgerIndicatorSource is IndicatorSource read from the ledgers of the
// months r spans: a few lookups by _id per month. A month with a refresh
// pending is refreshed first, so the result is exact.
func (s *Model) LedgerIndicatorSource(ctx context.Context, sid string, r survey.DateRange) (*survey.IndicatorSource, error) {
	qs, err := s.store.ListQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	src := &survey.IndicatorSource{Questionnaires: qs}
	// The next month is read while this one is decoded: the embedded
	// store converts documents on one core, decoding takes the other.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type monthRead struct {
		month string
		parts []ledgerPart
		err   error
	}
	reads := make(chan monthRead, 1)
	go func() {
		defer close(reads)
		for _, month := range monthsOf(r) {
			parts, err := s.readLedger(ctx, sid, month)
			select {
			case reads <- monthRead{month, parts, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for mr := range reads {
		if mr.err != nil {
			return nil, fmt.Errorf("indicators of %s: %w", mr.month, mr.err)
		}
		for i := range mr.parts {
			if err := addLedgerPart(src, &mr.parts[i], r); err != nil {
				return nil, err
			}
		}
	}
	survey.SortFollowUps(src.FollowUps)
	return src, nil
}

// monthsOf lists the summary months ("YYYY-MM") that r's days fall in.
func monthsOf(r survey.DateRange) []string {
	last := survey.SummaryMonth(r.End().Add(-time.Nanosecond))
	var out []string
	for m := r.From.In(survey.IndicatorLocation()); ; m = m.AddDate(0, 1, 0) {
		month := survey.SummaryMonth(m)
		out = append(out, month)
		if month >= last {
			return out
		}
		m = time.Date(m.Year(), m.Month(), 1, 12, 0, 0, 0, m.Location()) // stay clear of month ends
	}
}

// addLedgerPart adds a (decompressed) part's surveys and responses issued in r.
func addLedgerPart(src *survey.IndicatorSource, p *ledgerPart, r survey.DateRange) error {
	err := eachIssued(p.Issued, func(li ledgerIssued) {
		if r.Contains(li.IssuedAt) {
			src.Surveys = append(src.Surveys, survey.IssuedSurvey{OrderID: li.OrderID, ServiceType: li.Service, IssuedAt: li.IssuedAt, Cancelled: li.Cancelled})
		}
	})
	if err != nil {
		return fmt.Errorf("ledger part %s: issued: %w", p.ID, err)
	}
	err = eachDocument(p.Responses, func(doc []byte) error {
		return addLedgerResponse(src, doc, r)
	})
	if err != nil {
		return fmt.Errorf("ledger part %s: responses: %w", p.ID, err)
	}
	return nil
}

// cohortLedger collects a cohort's ledger while its sources stream by.
type cohortLedger struct {
	issued    map[string]*ledgerIssued // by order id
	responses []bson.Raw
}

func (l *cohortLedger) addOrder(id string, st survey.ServiceType, issuedAt time.Time, cancelled bool) {
	if l.issued == nil {
		l.issued = map[string]*ledgerIssued{}
	}
	l.issued[id] = &ledgerIssued{OrderID: id, Service: st, IssuedAt: issuedAt, Cancelled: cancelled}
}

// addResponse keeps the response's document; its order counts as issued
// and not cancelled, whatever its link says now.
func (l *cohortLedger) addResponse(raw bson.Raw, r *summaryResponse) {
	if li := l.issued[r.OrderID]; li != nil {
		li.Cancelled = false
	} else {
		l.addOrder(r.OrderID, r.ServiceType, r.IssuedAt, false)
	}
	l.responses = append(l.responses, raw)
}

// parts packs the ledger in a stable order (order ids).
func (l *cohortLedger) parts(sid, month string, version int64) ([]ledgerPart, error) {
	issued := make([]ledgerIssued, 0, len(l.issued))
	for _, li := range l.issued {
		issued = append(issued, *li)
	}
	slices.SortFunc(issued, func(a, b ledgerIssued) int { return strings.Compare(a.OrderID, b.OrderID) })
	return ledgerParts(sid, month, version, issued, l.responses)
}
