package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// listCatalogued fills page with the orders of structure sid matching f,
// from its order catalogue: without a filter it reads the head and the
// month or two the page shows; with one, the structure's months. The
// page's orders are then read by _id, and their entries repaired when they
// differ from the documents (see repairEntries).
func (s *Store) listCatalogued(ctx context.Context, sid string, f survey.OrderFilter, page *survey.OrderPage) error {
	head, err := s.catalogueHead(ctx, sid)
	if err != nil {
		return err
	}
	months := slices.Sorted(maps.Keys(head.Months))
	slices.Reverse(months)
	skip := (f.Page - 1) * f.PerPage
	var shown []catalogueEntry
	if f == (survey.OrderFilter{Page: f.Page, PerPage: f.PerPage}) {
		shown, page.Total, err = s.catalogueWindow(ctx, sid, months, head.Months, skip, f.PerPage)
	} else {
		shown, page.Total, page.TotalAtLeast, err = s.catalogueMatches(ctx, sid, months, &f, skip)
	}
	if err != nil {
		return err
	}
	page.Orders, err = s.ordersOf(ctx, sid, shown)
	return err
}

// catalogueWindow returns the entries at positions [skip, skip+n) of the
// structure's list, reading only the months that hold them, and the total.
func (s *Store) catalogueWindow(ctx context.Context, sid string, months []string, counts map[string]int, skip, n int) ([]catalogueEntry, int, error) {
	total := 0
	for _, m := range months {
		total += counts[m]
	}
	var out []catalogueEntry
	before := 0 // entries of the months newer than m
	for _, m := range months {
		if len(out) == n {
			break
		}
		if before+counts[m] <= skip {
			before += counts[m]
			continue
		}
		entries, err := s.catalogueEntries(ctx, sid, m)
		if err != nil {
			return nil, 0, err
		}
		from := max(skip-before, 0)
		if from < len(entries) {
			out = append(out, entries[from:min(len(entries), from+n-len(out))]...)
		}
		before += counts[m]
	}
	return out, total, nil
}

// catalogueMatches returns the page of entries matching f after skip
// others, and how many match: in all, or (atLeast) up to the one after the
// page, where it stops once a month is read through, so that a search
// costs the months its page needs rather than the structure's history.
func (s *Store) catalogueMatches(ctx context.Context, sid string, months []string, f *survey.OrderFilter, skip int) ([]catalogueEntry, int, bool, error) {
	q, now := survey.FoldForSearch(f.Q), s.Now()
	var out []catalogueEntry
	total := 0
	for i, m := range months {
		if total > skip+f.PerPage && i > 0 {
			return out, total, true, nil
		}
		lines, err := s.catalogueLines(ctx, sid, m)
		if err != nil {
			return nil, 0, false, err
		}
		for line := range strings.Lines(string(lines)) {
			// A searched text is in its entry's line, folded: most lines
			// are passed over without decoding them.
			if q != "" && !strings.Contains(line, q) {
				continue
			}
			e, err := decodeEntry(line)
			if err != nil {
				return nil, 0, false, err
			}
			if !e.matches(f, q, now) {
				continue
			}
			if total >= skip && len(out) < f.PerPage {
				out = append(out, e)
			}
			total++
		}
	}
	return out, total, false, nil
}

// ordersOf reads the orders of entries by _id, in their order, a few at a
// time (the embedded store answers reads in parallel). An entry whose order
// is gone or differs from its document is repaired (a crash between an
// order's write and its entry's): the page shows the documents.
func (s *Store) ordersOf(ctx context.Context, sid string, entries []catalogueEntry) ([]survey.Order, error) {
	read := make([]survey.Order, len(entries))
	errs := make([]error, len(entries))
	var wg sync.WaitGroup
	slots := make(chan struct{}, 4)
	for i := range entries {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			errs[i] = s.findByID(ctx, colOrders, entries[i].ID, &read[i])
		}()
	}
	wg.Wait()
	out := make([]survey.Order, 0, len(entries))
	var repairs []catalogueEdit
	for i, e := range entries {
		o, err := &read[i], errs[i]
		switch {
		case errors.Is(err, survey.ErrNotFound) || (err == nil && o.StructureID != sid):
			repairs = append(repairs, catalogueEdit{month: catalogueMonth(e.Created), entry: e, remove: true})
			continue
		case err != nil:
			return nil, err
		}
		if fresh := entryOf(o); !sameEntry(fresh, e) {
			repairs = append(repairs, catalogueEdit{month: catalogueMonth(e.Created), entry: e, remove: true}, putEntry(o))
		}
		out = append(out, *o)
	}
	if len(repairs) > 0 {
		if err := s.editCatalogue(ctx, sid, repairs...); err != nil {
			s.log.Warn("order catalogue not repaired", "structure_id", sid, "error", err.Error())
		} else {
			s.log.Info("order catalogue entries repaired", "structure_id", sid, "entries", len(repairs))
		}
	}
	return out, nil
}

// refuseCataloguedReference is refuseTakenReference from the structure's
// order catalogue.
func (s *Store) refuseCataloguedReference(ctx context.Context, o *survey.Order, key string) error {
	head, err := s.catalogueHead(ctx, o.StructureID)
	if err != nil {
		return err
	}
	for m := range head.Months {
		entries, err := s.catalogueEntries(ctx, o.StructureID, m)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.ReferenceKey == key && e.ID != o.ID {
				return survey.ErrDuplicateReference()
			}
		}
	}
	return nil
}

// cataloguedByReference reads, by _id, the orders of structure sid whose
// reference key is one of the file's rows', keyed by reference (see
// ordersByReference).
func (s *Store) cataloguedByReference(ctx context.Context, sid string, f *survey.ImportFile) (map[string]*survey.Order, error) {
	keys := make(map[string]bool, len(f.Rows))
	for _, r := range f.Rows {
		keys[survey.ReferenceKey(strings.TrimSpace(r.Input.Reference))] = true
	}
	head, err := s.catalogueHead(ctx, sid)
	if err != nil {
		return nil, err
	}
	byRef := map[string]*survey.Order{}
	for m := range head.Months {
		entries, err := s.catalogueEntries(ctx, sid, m)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !keys[e.ReferenceKey] {
				continue
			}
			var o survey.Order
			err := s.findByID(ctx, colOrders, e.ID, &o)
			switch {
			case errors.Is(err, survey.ErrNotFound):
				continue // its entry outlived it: the insert will tell
			case err != nil:
				return nil, fmt.Errorf("load orders for import: %w", err)
			}
			byRef[o.Reference] = &o
		}
	}
	return byRef, nil
}
