package store

import (
	"capsat/survey"
	"capsat/survey/packed"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The order catalogue lists each structure's orders on the embedded store,
// where any filter but an exact _id converts every document of the
// orders collection (every structure's) in Go: a page of a structure's
// orders would cost what the whole store holds. It keeps, per structure
// and creation month, one document read and written by _id
// ("<structure id>:<YYYY-MM>") packing a short entry per order (see
// order_catalogue_codec.go), and per structure a head ("<structure id>")
// counting each month's entries. A list page reads the head, the month or
// two it shows, then its orders by _id; a filtered or searched page reads
// the structure's months, never another structure's. MongoDB does not use
// it: indexes serve the same queries there.
//
// The catalogue is a copy, written after the order's document (before it,
// for a new order) under the structure's lock: inside the one process of
// the embedded store, writes of one structure's catalogue go one at a time,
// as the store loses concurrent updates of one document. A page repairs
// the entries of the orders it reads (see ListOrders), so that an entry a
// crash left behind mends when it is shown.

// catalogueHead counts a structure's entries by month.
type catalogueHead struct {
	ID     string         `bson:"_id"`
	Months map[string]int `bson:"months"`
}

// cataloguePart holds one structure-month's entries, packed and
// compressed (one value for the store to move, see packed).
type cataloguePart struct {
	ID          string `bson:"_id"`
	StructureID string `bson:"structure_id"`
	Month       string `bson:"month"`
	Entries     []byte `bson:"entries"`
}

func cataloguePartID(sid, month string) string { return sid + ":" + month }

// catalogueEdit is one entry to write (put) or remove, with the month of
// its order's creation.
type catalogueEdit struct {
	month  string
	entry  catalogueEntry
	remove bool
}

func putEntry(o *survey.Order) catalogueEdit {
	return catalogueEdit{month: catalogueMonth(o.CreatedAt), entry: entryOf(o)}
}

func removeEntry(o *survey.Order) catalogueEdit {
	return catalogueEdit{month: catalogueMonth(o.CreatedAt), entry: catalogueEntry{ID: o.ID}, remove: true}
}

// editCatalogue applies edits to structure sid's catalogue (embedded store
// only, and not during a bulk load: see Options.BulkLoad).
func (s *Store) editCatalogue(ctx context.Context, sid string, edits ...catalogueEdit) error {
	if !s.embedded || s.bulkLoad || len(edits) == 0 {
		return nil
	}
	return s.writeCatalogue(ctx, sid, edits...)
}

// writeCatalogue applies edits to structure sid's catalogue, one write per
// month touched and one for the head when counts change.
func (s *Store) writeCatalogue(ctx context.Context, sid string, edits ...catalogueEdit) error {
	unlock := s.catalogueLocks.lock(sid)
	defer unlock()
	byMonth := map[string][]catalogueEdit{}
	for _, e := range edits {
		byMonth[e.month] = append(byMonth[e.month], e)
	}
	head, err := s.catalogueHead(ctx, sid)
	if err != nil {
		return err
	}
	countsChanged := false
	for _, month := range slices.Sorted(maps.Keys(byMonth)) {
		n, err := s.editCataloguePart(ctx, sid, month, byMonth[month])
		if err != nil {
			return err
		}
		if n != head.Months[month] {
			countsChanged = true
			if n == 0 {
				delete(head.Months, month)
			} else {
				head.Months[month] = n
			}
		}
	}
	if !countsChanged {
		return nil
	}
	_, err = s.db.Collection(colOrderCatalogue).ReplaceOne(ctx, bson.M{"_id": sid}, head, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("order catalogue of %s: %w", sid, Translate(err))
	}
	return nil
}

// editCataloguePart applies edits to one month's part and returns how many
// entries it holds after them.
func (s *Store) editCataloguePart(ctx context.Context, sid, month string, edits []catalogueEdit) (int, error) {
	entries, err := s.catalogueEntries(ctx, sid, month)
	if err != nil {
		return 0, err
	}
	at := make(map[string]int, len(entries))
	for i, e := range entries {
		at[e.ID] = i
	}
	for _, ed := range edits {
		i, present := at[ed.entry.ID]
		switch {
		case ed.remove && present:
			entries[i].ID = "" // dropped below
			delete(at, ed.entry.ID)
		case ed.remove:
		case present:
			entries[i] = ed.entry
		default:
			at[ed.entry.ID] = len(entries)
			entries = append(entries, ed.entry)
		}
	}
	entries = slices.DeleteFunc(entries, func(e catalogueEntry) bool { return e.ID == "" })
	id := cataloguePartID(sid, month)
	col := s.db.Collection(colOrderCatalogue)
	if len(entries) == 0 {
		if _, err := col.DeleteOne(ctx, bson.M{"_id": id}); err != nil {
			return 0, fmt.Errorf("order catalogue %s: %w", id, Translate(err))
		}
		return 0, nil
	}
	slices.SortFunc(entries, newerFirst)
	blob, err := packed.Compress(encodeEntries(entries))
	if err != nil {
		return 0, fmt.Errorf("order catalogue %s: %w", id, err)
	}
	part := cataloguePart{ID: id, StructureID: sid, Month: month, Entries: blob}
	if _, err := col.ReplaceOne(ctx, bson.M{"_id": id}, part, options.Replace().SetUpsert(true)); err != nil {
		return 0, fmt.Errorf("order catalogue %s: %w", id, Translate(err))
	}
	return len(entries), nil
}

// catalogueHead reads structure sid's head (empty when it has no orders).
func (s *Store) catalogueHead(ctx context.Context, sid string) (*catalogueHead, error) {
	head := &catalogueHead{}
	err := s.findByID(ctx, colOrderCatalogue, sid, head)
	switch {
	case errors.Is(err, survey.ErrNotFound):
		return &catalogueHead{ID: sid, Months: map[string]int{}}, nil
	case err != nil:
		return nil, fmt.Errorf("order catalogue of %s: %w", sid, err)
	}
	if head.Months == nil {
		head.Months = map[string]int{}
	}
	return head, nil
}

// catalogueEntries reads one month's entries, newest first.
func (s *Store) catalogueEntries(ctx context.Context, sid, month string) ([]catalogueEntry, error) {
	raw, err := s.catalogueLines(ctx, sid, month)
	if err != nil {
		return nil, err
	}
	return decodeEntries(raw)
}

// catalogueLines reads one month's entries as packed lines, newest first.
func (s *Store) catalogueLines(ctx context.Context, sid, month string) ([]byte, error) {
	var part cataloguePart
	err := s.findByID(ctx, colOrderCatalogue, cataloguePartID(sid, month), &part)
	switch {
	case errors.Is(err, survey.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("order catalogue %s: %w", cataloguePartID(sid, month), err)
	}
	raw, err := packed.Decompress(part.Entries)
	if err != nil {
		return nil, fmt.Errorf("order catalogue %s: %w", part.ID, err)
	}
	return raw, nil
}
