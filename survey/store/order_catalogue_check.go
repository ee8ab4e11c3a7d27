package store

import (
	"capsat/survey"
	"context"
	"fmt"
)

// OrderCatalogueDrift lists how structure sid's order catalogue differs
// from its order documents (read by query): one line per missing, extra or
// differing entry; none when they agree. Only the embedded store keeps a
// catalogue. It reads every order of the store (a scan on the embedded
// store): for tests and checks after a bulk load (Options.BulkLoad), never
// on a request.
func (s *Store) OrderCatalogueDrift(ctx context.Context, sid string) ([]string, error) {
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
