package store

import (
	"capsat/survey"
	"context"
)

// ImportWithStaleView applies f as an import that read the structure's
// orders before another writer added some would: it plans against no
// existing order, then writes.
func (s *Store) ImportWithStaleView(ctx context.Context, sid string, f *survey.ImportFile) (*survey.ImportReport, error) {
	plan := survey.PlanImport(sid, f, map[string]*survey.Order{}, s.Now(), survey.NewValidator().Order)
	report := &survey.ImportReport{}
	if err := s.applyImport(ctx, f, plan, report); err != nil {
		return nil, err
	}
	report.Rejected = survey.SortedRejections(plan.Rejected)
	return report, nil
}
