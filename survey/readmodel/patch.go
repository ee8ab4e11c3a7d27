package readmodel

import (
	"capsat/survey"
	"capsat/survey/store"
	"context"
	"fmt"
	"maps"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// patchSummary brings the summary and ledger of structure sid's month up
// to the changes of the orders listed (embedded store): it starts from the
// month's stored ledger, drops what it holds of those orders, reads each
// of them and its response again by _id, and writes the month back. A
// refresh from the month's sources (readMonth) filters the orders and
// responses, which the embedded store does by converting every document of
// both collections; a patch costs one month's ledger and two reads per
// order.
//
// Why it is exact: the ledger holds every change applied before it was
// written, and every change after that names its order in the queue (the
// store tells Changed after committing it), so re-reading those orders
// after the change committed sees it. Every rewrite of a month, patch or
// refresh, holds the month's lock (rewrites), so that no patch starts from
// a ledger that a rewrite in progress is about to replace. A ledger that is
// not current (another format, a part of another version) is refreshed
// from the sources instead.
func (s *Model) patchSummary(ctx context.Context, sid, month string, orders map[string]bool) error {
	id := survey.SummaryID(sid, month)
	defer s.rewrites.lock(id)()
	b := newSummaryBuilder(s) // the snapshot sequence, before the reads
	parts, current, err := s.readLedgerParts(ctx, id)
	if err != nil {
		return err
	}
	if !current {
		return s.refreshLocked(ctx, sid, month, nil)
	}
	for i := range parts {
		if err := b.addLedgerPart(ctx, sid, &parts[i], orders); err != nil {
			return fmt.Errorf("patch summary %s: %w", id, err)
		}
	}
	for _, oid := range slices.Sorted(maps.Keys(orders)) {
		if err := b.addOrderByID(ctx, sid, month, oid); err != nil {
			return fmt.Errorf("patch summary %s: %w", id, err)
		}
	}
	return s.storeBuilt(ctx, b, sid, month, nil)
}

// addLedgerPart adds what a (decompressed) ledger part holds, except the
// orders skipped and their responses. The ledger does not keep whether an
// order's answered_at copy is set: its orders are taken as copied (the
// refresh that wrote the ledger wrote the missing ones).
func (b *summaryBuilder) addLedgerPart(ctx context.Context, sid string, p *ledgerPart, skipped map[string]bool) error {
	err := eachIssued(p.Issued, func(li ledgerIssued) {
		if skipped[li.OrderID] {
			return
		}
		issued := li.IssuedAt
		o := &store.SourceOrder{ID: li.OrderID, StructureID: sid, ServiceType: li.Service}
		o.Survey = &store.SourceSurvey{IssuedAt: issued, AnsweredAt: &issued, Channel: li.Channel}
		if li.Cancelled {
			o.Survey.CancelledAt = &issued
		}
		b.addOrder(o)
	})
	if err != nil {
		return err
	}
	return eachDocument(p.Responses, func(doc []byte) error {
		var r summaryResponse
		if err := bson.Unmarshal(doc, &r); err != nil {
			return err
		}
		if skipped[r.OrderID] {
			return nil
		}
		return b.addResponse(ctx, r, bson.Raw(doc))
	})
}

// addOrderByID adds order oid and its response, read by _id, when they
// belong to structure sid's month (a reissued link moves an order to the
// month of its new survey; a deleted order is gone).
func (b *summaryBuilder) addOrderByID(ctx context.Context, sid, month, oid string) error {
	o, err := b.s.store.SourceOrderByID(ctx, oid)
	if err != nil {
		return err
	}
	if o != nil && o.StructureID == sid && o.Survey != nil && survey.SummaryMonth(o.Survey.IssuedAt) == month {
		b.addOrder(o)
	}
	raw, err := b.s.store.ResponseDocument(ctx, oid)
	if err != nil || raw == nil {
		return err
	}
	var r summaryResponse
	if err := bson.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("response %s: %w", oid, err)
	}
	if r.StructureID != sid || survey.SummaryMonth(r.IssuedAt) != month {
		return nil
	}
	return b.addResponse(ctx, r, raw)
}
