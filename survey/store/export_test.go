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

// CatalogueDrift is OrderCatalogueDrift (its former, test-only name).
func (s *Store) CatalogueDrift(ctx context.Context, sid string) ([]string, error) {
	return s.OrderCatalogueDrift(ctx, sid)
}

// ListOrdersByQuery is ListOrders as MongoDB does it (filtered queries),
// whatever the store: the reference the catalogue is compared with.
func (s *Store) ListOrdersByQuery(ctx context.Context, sid string, f survey.OrderFilter) (*survey.OrderPage, error) {
	if err := s.validate.OrderFilter(&f); err != nil {
		return nil, err
	}
	all, err := s.matchingOrders(ctx, sid, f)
	if err != nil {
		return nil, err
	}
	page := &survey.OrderPage{Orders: []survey.Order{}, Page: f.Page, PerPage: f.PerPage, Total: len(all)}
	if skip := (f.Page - 1) * f.PerPage; skip < len(all) {
		page.Orders = all[skip:min(skip+f.PerPage, len(all))]
	}
	return page, nil
}
