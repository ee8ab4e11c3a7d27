package survey

import "context"

// SnapshotSummaryForTest takes a summary snapshot now and returns a
// function that stores it later, to play a slow, stale recomputation.
func (s *Store) SnapshotSummaryForTest(ctx context.Context, sid, month string) (func() (bool, error), error) {
	seq := s.summaries.nextSeq()
	sum, err := s.ComputeSummary(ctx, sid, month)
	if err != nil {
		return nil, err
	}
	sum.Version = seq
	return func() (bool, error) { return s.putSummary(ctx, sum) }, nil
}
