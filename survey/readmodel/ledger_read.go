package readmodel

import (
	"capsat/survey"
	"context"
	"fmt"
)

// readLedger returns the parts of structure sid's ledger for month,
// decompressed, as of
// every change committed before the call: a month with a refresh pending
// (in this process or, by its marker, in another), a ledger from before
// ledgers existed, or parts of another version than the summary's (a
// rewrite interrupted or racing) is refreshed first, synchronously.
func (s *Model) readLedger(ctx context.Context, sid, month string) ([]ledgerPart, error) {
	var parts []ledgerPart
	err := s.readCurrent(ctx, sid, month, func() (bool, error) {
		var current bool
		var err error
		parts, current, err = s.readLedgerParts(ctx, survey.SummaryID(sid, month))
		return current, err
	})
	return parts, err
}

// readCurrent calls read, which tells whether what it read of sid's month
// is current, after bringing the month up to date when a refresh is
// pending, and again after a refresh when it was not current.
func (s *Model) readCurrent(ctx context.Context, sid, month string, read func() (bool, error)) error {
	id := survey.SummaryID(sid, month)
	pending, err := s.pendingRefresh(ctx, id)
	if err != nil {
		return err
	}
	const attempts = 3
	for attempt := 0; attempt < attempts; attempt++ {
		if pending.waiting() || attempt > 0 {
			var err error
			if pending.inProcess && !pending.whole && len(pending.orders) > 0 && attempt == 0 {
				// Patched here, the month leaves the worker's queue unless
				// a change came meanwhile (see patchedByReader).
				if err = s.patchSummary(ctx, sid, month, pending.orders); err == nil {
					s.patchedByReader(ctx, id, pending)
				}
			} else {
				err = s.RefreshSummary(ctx, sid, month)
			}
			if err != nil {
				return err
			}
			if pending.stored != nil && !pending.inProcess {
				s.dropMarker(ctx, id, pending.stored.Generation) // done by this refresh
			}
			pending = refreshState{}
		}
		current, err := read()
		if err != nil {
			return err
		}
		if current {
			return nil
		}
	}
	return fmt.Errorf("%w: ledger %s kept changing while being read", survey.ErrConflict, id)
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
