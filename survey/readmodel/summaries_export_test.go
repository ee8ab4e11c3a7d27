package readmodel

import "context"

// SnapshotSummaryForTest takes a summary snapshot now and returns a
// function that stores it later, to play a slow, stale recomputation.
func (s *Model) SnapshotSummaryForTest(ctx context.Context, sid, month string) (func() (bool, error), error) {
	b, err := s.readMonth(ctx, sid, month)
	if err != nil {
		return nil, err
	}
	sum := b.summary(sid, month, b.seq)
	parts, err := b.ledgerParts(sum.ID)
	if err != nil {
		return nil, err
	}
	return func() (bool, error) { return s.putSummary(ctx, sum, parts) }, nil
}

// RebuildSummariesInGroupsForTest is RebuildSummaries taking size
// structures a pass, as it does on MongoDB.
func (s *Model) RebuildSummariesInGroupsForTest(ctx context.Context, size int) (*RebuildReport, error) {
	return s.rebuildSummaries(ctx, size, nil)
}

// LedgerFormat is the layout of the ledgers this build writes.
const LedgerFormat = ledgerFormat
