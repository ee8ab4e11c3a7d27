package store

import (
	"capsat/survey"
	"context"
	"fmt"
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

// CatalogueDrift lists how structure sid's order catalogue differs from its
// order documents (read by query): one line per missing, extra or
// differing entry. Only the embedded store keeps a catalogue.
func (s *Store) CatalogueDrift(ctx context.Context, sid string) ([]string, error) {
	head, err := s.catalogueHead(ctx, sid)
	if err != nil {
		return nil, err
	}
	listed := map[string]catalogueEntry{}
	for m, n := range head.Months {
		entries, err := s.catalogueEntries(ctx, sid, m)
		if err != nil {
			return nil, err
		}
		if len(entries) != n {
			return []string{fmt.Sprintf("month %s: head counts %d, part holds %d", m, n, len(entries))}, nil
		}
		for _, e := range entries {
			if catalogueMonth(e.Created) != m {
				return []string{fmt.Sprintf("entry %s in month %s", e.ID, m)}, nil
			}
			listed[e.ID] = e
		}
	}
	all, err := s.matchingOrders(ctx, sid, survey.OrderFilter{})
	if err != nil {
		return nil, err
	}
	var drift []string
	for i := range all {
		e, ok := listed[all[i].ID]
		switch {
		case !ok:
			drift = append(drift, "missing "+all[i].Reference)
		case !sameEntry(e, entryOf(&all[i])):
			drift = append(drift, fmt.Sprintf("differs %s: %+v", all[i].Reference, e))
		}
		delete(listed, all[i].ID)
	}
	for id := range listed {
		drift = append(drift, "extra "+id)
	}
	return drift, nil
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
