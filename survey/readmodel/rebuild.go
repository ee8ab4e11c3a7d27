package readmodel

import (
	"capsat/survey"
	"capsat/survey/store"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // months are French months wherever capsat runs

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RebuildReport is what RebuildSummaries did.
type RebuildReport struct {
	Issued    int     `json:"issued"`
	Responses int     `json:"responses"`
	Summaries int     `json:"summaries"`
	Written   int     `json:"written"`
	Skipped   int     `json:"skipped_newer"`
	Seconds   float64 `json:"seconds"`
}

// RebuildSummaries recomputes every summary and ledger from all orders and
// responses and stores those that are not newer already; a summary whose
// orders are all gone becomes empty.
//
// Ledgers keep whole responses, so a pass holds its structures' responses
// in memory until it writes them. On MongoDB the structures are taken a
// group at a time (indexed reads), which bounds that memory by the group;
// the embedded store, meant for one site, reads everything in one pass,
// since there any filter scans the whole collection.
func (s *Model) RebuildSummaries(ctx context.Context) (*RebuildReport, error) {
	return s.RebuildSummariesWithProgress(ctx, nil)
}

// RebuildProgress is how far a rebuild has gone: structures whose
// summaries are computed, out of all the store's structures.
type RebuildProgress struct {
	Done, Total int
}

// RebuildSummariesWithProgress is RebuildSummaries telling progress, when
// set, of each structure done (and of the total once known, Done 0). It
// is called from the rebuilding goroutine.
func (s *Model) RebuildSummariesWithProgress(ctx context.Context, progress func(RebuildProgress)) (*RebuildReport, error) {
	groupSize := rebuildGroupSize
	if s.embedded {
		groupSize = 0
	}
	return s.rebuildSummaries(ctx, groupSize, progress)
}

// rebuildSummaries is RebuildSummaries taking groupSize structures a pass
// (0: all in one pass).
func (s *Model) rebuildSummaries(ctx context.Context, groupSize int, progress func(RebuildProgress)) (*RebuildReport, error) {
	began := time.Now()
	tell := func(RebuildProgress) {}
	if progress != nil {
		structures, err := s.store.ListStructures(ctx, survey.StructureFilter{})
		if err != nil {
			return nil, fmt.Errorf("rebuild summaries: %w", store.Translate(err))
		}
		p := RebuildProgress{Total: len(structures)}
		progress(p)
		tell = func(d RebuildProgress) {
			// d.Done counts structures newly done; a structure without
			// any survey is counted at the end.
			p.Done = min(p.Done+d.Done, p.Total)
			progress(p)
		}
	}
	existing, err := s.summaryVersions(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := s.rebuildGroups(ctx, groupSize)
	if err != nil {
		return nil, err
	}
	questionnaires, err := s.store.AllQuestionnaires(ctx)
	if err != nil {
		return nil, err
	}
	rep := &RebuildReport{}
	built := map[string]bool{}
	for _, group := range groups {
		if err := s.rebuildGroup(ctx, group, questionnaires, existing, built, rep, tell); err != nil {
			return nil, err
		}
	}
	// Summaries whose cohort is gone (their orders deleted) become empty.
	seq := s.summaries.nextSeq()
	for _, id := range slices.Sorted(maps.Keys(existing)) {
		if built[id] {
			continue
		}
		sid, month, _ := strings.Cut(id, ":")
		ok, err := s.putSummary(ctx, emptySummary(sid, month, seq), nil)
		if err != nil {
			return nil, fmt.Errorf("rebuild summary %s: %w", id, store.Translate(err))
		}
		rep.count(ok)
		rep.Summaries++
	}
	tell(RebuildProgress{Done: 1 << 30}) // every structure, those without surveys included
	rep.Seconds = time.Since(began).Seconds()
	return rep, nil
}

// rebuildGroupSize is how many structures a rebuild pass takes on MongoDB.
const rebuildGroupSize = 50

// rebuildGroups lists the structure ids of each rebuild pass, size at a
// time; size 0 is one nil group: every structure at once.
func (s *Model) rebuildGroups(ctx context.Context, size int) ([][]string, error) {
	if size == 0 {
		return [][]string{nil}, nil
	}
	structures, err := s.store.ListStructures(ctx, survey.StructureFilter{})
	if err != nil {
		return nil, fmt.Errorf("rebuild summaries: %w", store.Translate(err))
	}
	var groups [][]string
	for i := 0; i < len(structures); i += size {
		var ids []string
		for _, st := range structures[i:min(i+size, len(structures))] {
			ids = append(ids, st.ID)
		}
		groups = append(groups, ids)
	}
	return groups, nil
}

// rebuildGroup recomputes and stores the summaries and ledgers of the
// structures sids (nil: all), recording which it built.
// tell is told of each structure whose summaries are computed.
func (s *Model) rebuildGroup(ctx context.Context, sids []string, questionnaires map[string]*survey.Questionnaire, existing map[string]int64, built map[string]bool, rep *RebuildReport, tell func(RebuildProgress)) error {
	b := newSummaryBuilder(s)
	b.questionnaires = questionnaires // read once for every group
	if err := b.readSources(ctx, store.SourceQuery{Structures: sids}); err != nil {
		return fmt.Errorf("rebuild summaries: %w", store.Translate(err))
	}
	var fresh []builtSummary
	last := "" // ids sort by structure: its cohorts come together
	for _, id := range slices.Sorted(maps.Keys(b.cohorts)) {
		c := b.cohorts[id]
		if c.sid != last {
			if last != "" {
				tell(RebuildProgress{Done: 1})
			}
			last = c.sid
		}
		for _, sc := range c.services {
			rep.Issued += len(sc.issued)
			rep.Responses += sc.responses
		}
		built[id] = true
		rep.Summaries++
		sum := b.summary(c.sid, c.month, b.seq)
		parts, err := b.ledgerParts(id)
		if err != nil {
			return err
		}
		if _, ok := existing[id]; !ok {
			fresh = append(fresh, builtSummary{sum, parts})
			continue
		}
		ok, err := s.putSummary(ctx, sum, parts)
		if err != nil {
			return fmt.Errorf("rebuild summary %s: %w", id, store.Translate(err))
		}
		rep.count(ok)
	}
	if err := s.insertFreshSummaries(ctx, fresh, rep); err != nil {
		return err
	}
	if err := s.writeAnsweredCopies(ctx, b.answeredCopies, nil); err != nil {
		return fmt.Errorf("rebuild summaries: %w", store.Translate(err))
	}
	if last != "" {
		tell(RebuildProgress{Done: 1})
	}
	return nil
}

// builtSummary is a summary and its ledger, ready to store.
type builtSummary struct {
	sum   *survey.Summary
	parts []ledgerPart
}

func (r *RebuildReport) count(written bool) {
	if written {
		r.Written++
	} else {
		r.Skipped++
	}
}

// insertFreshSummaries inserts summaries that did not exist when the rebuild
// began, with their ledgers, in batches (ledger parts first, as putSummary
// does); a batch of which one appeared meanwhile goes through putSummary.
func (s *Model) insertFreshSummaries(ctx context.Context, fresh []builtSummary, rep *RebuildReport) error {
	const batch = 200
	for i := 0; i < len(fresh); i += batch {
		group := fresh[i:min(i+batch, len(fresh))]
		records := make([]any, len(group))
		var parts []any
		for j, f := range group {
			rec := summaryRecordOf(f.sum)
			rec.LedgerFormat, rec.LedgerParts = ledgerFormat, len(f.parts)
			records[j] = rec
			for k := range f.parts {
				parts = append(parts, &f.parts[k])
			}
		}
		err := insertMany(ctx, s.db.Collection(colLedgers), parts)
		if err == nil {
			err = insertMany(ctx, s.db.Collection(colSummaries), records)
		}
		if err == nil {
			rep.Written += len(group)
			continue
		}
		if !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("rebuild summaries: %w", store.Translate(err))
		}
		for _, f := range group { // a few were written meanwhile: settle each one
			ok, err := s.putSummary(ctx, f.sum, f.parts)
			if err != nil {
				return fmt.Errorf("rebuild summary %s: %w", f.sum.ID, store.Translate(err))
			}
			rep.count(ok)
		}
	}
	return nil
}

// insertMany inserts docs unordered (nothing when there are none).
func insertMany(ctx context.Context, col *mongo.Collection, docs []any) error {
	if len(docs) == 0 {
		return nil
	}
	_, err := col.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	return err
}

func (s *Model) summaryVersions(ctx context.Context) (map[string]int64, error) {
	cur, err := s.db.Collection(colSummaries).Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"_id": 1, "version": 1}))
	if err != nil {
		return nil, fmt.Errorf("read summaries: %w", store.Translate(err))
	}
	var rows []struct {
		ID      string `bson:"_id"`
		Version int64  `bson:"version"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("read summaries: %w", store.Translate(err))
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Version
	}
	return out, nil
}
