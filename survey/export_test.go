package survey

import "context"

// ImportWithStaleView applies f as an import that read the structure's
// orders before another writer added some would: it plans against no
// existing order, then writes.
func (s *Store) ImportWithStaleView(ctx context.Context, sid string, f *ImportFile) (*ImportReport, error) {
	plan := planImport(sid, f, map[string]*Order{}, s.Now(), (*OrderInput).Validate)
	report := &ImportReport{}
	if err := s.applyImport(ctx, f, plan, report); err != nil {
		return nil, err
	}
	report.Rejected = sortedRejections(plan.rejected)
	return report, nil
}
