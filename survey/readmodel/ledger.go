package readmodel

import (
	"capsat/survey"
	"capsat/survey/packed"
	"capsat/survey/store"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ledgerFormat is the layout of the ledger parts; a summary written with
// another (or none, before ledgers existed) has its month refreshed before
// it is read.
const ledgerFormat = 4 // 2: a last part with the month's notes; 3: channels handed out in the summary; 4: comments and follow-ups apart

// ledgerMigration names the one-off rebuild of every ledger into the
// current layout (renamed with ledgerFormat).
const ledgerMigration = "summaries.ledger_format_4"

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
	// binary data (see packed.Compress): the embedded store moves each as one
	// value, where an array of documents would be converted field by field.
	Issued    []byte `bson:"issued"`
	Responses []byte `bson:"responses"`
	// Notes and FollowUps, set on the last part only, hold the month's
	// ledgerNotes (its latest comments, its follow-ups), compressed; that
	// part has no issued surveys or responses.
	Notes     []byte `bson:"notes,omitempty"`
	FollowUps []byte `bson:"follow_ups,omitempty"`
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
		if parts[i].Issued, err = packed.Compress(parts[i].Issued); err != nil {
			return nil, fmt.Errorf("ledger %s: %w", survey.SummaryID(sid, month), err)
		}
		if parts[i].Responses, err = packed.Compress(parts[i].Responses); err != nil {
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
			return fmt.Errorf("write ledger part %s: %w", parts[i].ID, store.Translate(err))
		}
	}
	s.dropLedgerParts(ctx, summaryID, len(parts), oldParts)
	return nil
}

// dropLedgerParts deletes parts from..to-1 of a ledger; a failure leaves
// parts that no summary counts, which readers never reach.
func (s *Model) dropLedgerParts(ctx context.Context, summaryID string, from, to int) {
	for i := from; i < to; i++ {
		if _, err := s.db.Collection(colLedgers).DeleteOne(ctx, bson.M{"_id": ledgerPartID(summaryID, i)}); err != nil {
			s.log.Warn("stale ledger part left (readers never reach it)", slog.String("part", ledgerPartID(summaryID, i)), slog.String("error", err.Error()))
		}
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
			src.Surveys = append(src.Surveys, survey.IssuedSurvey{OrderID: li.OrderID, ServiceType: li.Service, IssuedAt: li.IssuedAt, Cancelled: li.Cancelled, Channel: li.Channel})
		}
	})
	if err != nil {
		return fmt.Errorf("ledger part %s: issued: %w", p.ID, store.Translate(err))
	}
	err = eachDocument(p.Responses, func(doc []byte) error {
		return addLedgerResponse(src, doc, r)
	})
	if err != nil {
		return fmt.Errorf("ledger part %s: responses: %w", p.ID, store.Translate(err))
	}
	return nil
}

// cohortLedger collects a cohort's ledger while its sources stream by.
type cohortLedger struct {
	issued    map[string]*ledgerIssued // by order id
	responses []bson.Raw
	notes     ledgerNotes
}

func (l *cohortLedger) addOrder(li ledgerIssued) {
	if l.issued == nil {
		l.issued = map[string]*ledgerIssued{}
	}
	l.issued[li.OrderID] = &li
}

// addResponse keeps the response's document; its order counts as issued
// and not cancelled, whatever its link says now.
func (l *cohortLedger) addResponse(raw bson.Raw, orderID string, st survey.ServiceType, issuedAt time.Time) {
	if li := l.issued[orderID]; li != nil {
		li.Cancelled = false
	} else {
		l.addOrder(ledgerIssued{OrderID: orderID, Service: st, IssuedAt: issuedAt})
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
	parts, err := ledgerParts(sid, month, version, issued, l.responses)
	if err != nil {
		return nil, err
	}
	comments, followUps, err := l.notes.pack()
	if err != nil {
		return nil, fmt.Errorf("ledger %s: notes: %w", survey.SummaryID(sid, month), err)
	}
	n := len(parts)
	return append(parts, ledgerPart{ID: ledgerPartID(survey.SummaryID(sid, month), n), StructureID: sid, Month: month, Part: n, Version: version,
		Notes: comments, FollowUps: followUps}), nil
}
