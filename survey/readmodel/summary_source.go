package readmodel

import (
	"capsat/survey"
	"capsat/survey/store"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// SummaryIndicatorSource is IndicatorSource for a page that shows figures
// and a few comments (the structure's dashboard). On the embedded store,
// for a range of whole months (survey.TalliesCover), it reads each month's
// summary by _id, then the notes of as many months as the period's latest
// comments need, and no response: its cost follows the months shown, not
// the responses they hold. Other ranges, and MongoDB, read as
// IndicatorSource does.
func (s *Model) SummaryIndicatorSource(ctx context.Context, sid string, r survey.DateRange, now time.Time) (*survey.IndicatorSource, error) {
	if !s.embedded || !survey.TalliesCover(r, now) {
		return s.IndicatorSource(ctx, sid, r)
	}
	qs, err := s.store.ListQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	src := &survey.IndicatorSource{Questionnaires: qs}
	months := monthsOf(r)
	sums, err := s.monthSummaries(ctx, sid, months)
	if err != nil {
		return nil, err
	}
	for i, month := range months {
		for _, ss := range sums[i].Services {
			src.Tallies = append(src.Tallies, survey.MonthTally{Month: month, Service: ss})
		}
	}
	src.Verbatims, err = s.latestComments(ctx, sid, months, sums)
	return src, err
}

// monthReaders is how many months' summaries are read at once: the
// embedded store converts one document while the next request is under
// way.
const monthReaders = 4

// monthSummaries reads the current summaries of sid's months (see
// monthView), a few at once.
func (s *Model) monthSummaries(ctx context.Context, sid string, months []string) ([]*survey.Summary, error) {
	sums := make([]*survey.Summary, len(months))
	errs := make([]error, len(months))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(monthReaders, len(months)) {
		wg.Go(func() {
			for i := range next {
				if sums[i], _, errs[i] = s.monthView(ctx, sid, months[i], noNotes); errs[i] != nil {
					errs[i] = fmt.Errorf("summary of %s: %w", months[i], errs[i])
				}
			}
		})
	}
	for i := range months {
		next <- i
	}
	close(next)
	wg.Wait()
	return sums, errors.Join(errs...)
}

// latestComments gathers the period's latest comments of each service type
// from the months' notes, newest months first, reading a month's notes only
// when its latest answer may still beat a comment already held.
func (s *Model) latestComments(ctx context.Context, sid string, months []string, sums []*survey.Summary) ([]survey.Verbatim, error) {
	var held []survey.Verbatim
	for i := len(months) - 1; i >= 0; i-- {
		if !mayHoldLatest(sums[i], held) {
			continue
		}
		_, notes, err := s.monthView(ctx, sid, months[i], commentNotes)
		if err != nil {
			return nil, fmt.Errorf("comments of %s: %w", months[i], err)
		}
		held = latestComments(append(held, notes.Comments...))
	}
	return held, nil
}

// mayHoldLatest tells whether a month's summary allows it to hold one of
// the latest comments of a service type beside those held.
func mayHoldLatest(sum *survey.Summary, held []survey.Verbatim) bool {
	for _, ss := range sum.Services {
		if ss.Comments == 0 {
			continue
		}
		var oldest time.Time
		n := 0
		for _, v := range held {
			if v.ServiceType == ss.Service {
				n, oldest = n+1, v.SubmittedAt
			}
		}
		// LastAnswer is kept to the second: a second's margin.
		if n < notesComments || ss.LastAnswer.Add(time.Second).After(oldest) {
			return true
		}
	}
	return false
}

// monthView reads sid's month summary by _id (an empty one when the month
// has none) and the notes of kind of its ledger, both current (see
// readCurrent).
func (s *Model) monthView(ctx context.Context, sid, month string, kind noteKind) (*survey.Summary, *ledgerNotes, error) {
	id := survey.SummaryID(sid, month)
	var sum *survey.Summary
	notes := &ledgerNotes{}
	err := s.readCurrent(ctx, sid, month, func() (bool, error) {
		var rec summaryRecord
		err := s.findByID(ctx, colSummaries, id, &rec)
		switch {
		case errors.Is(err, survey.ErrNotFound):
			sum = emptySummary(sid, month, 0)
			return true, nil
		case err != nil:
			return false, fmt.Errorf("read summary %s: %w", id, store.Translate(err))
		case rec.LedgerFormat != ledgerFormat:
			return false, nil
		}
		if sum, err = rec.summary(); err != nil {
			return false, err
		}
		if kind == noNotes || rec.LedgerParts == 0 {
			return true, nil
		}
		var part ledgerPart
		field := map[noteKind]string{commentNotes: "notes", followUpNotes: "follow_ups"}[kind]
		err = store.Translate(s.db.Collection(colLedgers).FindOne(ctx, bson.M{"_id": ledgerPartID(id, rec.LedgerParts-1)},
			options.FindOne().SetProjection(bson.M{"version": 1, field: 1})).Decode(&part))
		switch {
		case errors.Is(err, survey.ErrNotFound):
			return false, nil
		case err != nil:
			return false, fmt.Errorf("read ledger notes %s: %w", id, store.Translate(err))
		case part.Version != rec.Version:
			return false, nil
		}
		notes, err = unpackNotes(sid, part.ID, part.Notes, part.FollowUps, kind)
		return err == nil, err
	})
	return sum, notes, err
}
