package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"capsat/survey"
)

// PlanMonth enqueues the digests of month ("YYYY-MM") for every structure
// and region; digests already planned are left alone.
func (p *Planner) PlanMonth(ctx context.Context, month string) (*Report, error) {
	structures, err := p.Store.ListStructures(ctx, survey.StructureFilter{})
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	regions := map[string][]survey.Structure{}
	var errs []error
	for i := range structures {
		st := &structures[i]
		regions[st.Region] = append(regions[st.Region], *st)
		if err := p.planStructure(ctx, st, month, rep); err != nil {
			errs = append(errs, fmt.Errorf("digest of %s: %w", st.ID, err))
		}
	}
	for region, sts := range regions {
		if err := p.planRegion(ctx, region, sts, month, rep); err != nil {
			errs = append(errs, fmt.Errorf("digest of region %s: %w", region, err))
		}
	}
	return rep, errors.Join(errs...)
}

// PreviousMonth is the month before now's, in Paris ("YYYY-MM"): the one a
// digest sent in a month is about.
func PreviousMonth(now time.Time) string {
	n := now.In(survey.IndicatorLocation())
	return survey.SummaryMonth(time.Date(n.Year(), n.Month(), 1, 12, 0, 0, 0, n.Location()).AddDate(0, -1, 0))
}

// Run plans the previous month's digests at start and then every interval
// until ctx ends: each run after the first of a month finds them planned
// (their _ids exist) and enqueues nothing, so instances may all run it.
func (p *Planner) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		month := PreviousMonth(p.Now())
		rep, err := p.PlanMonth(ctx, month)
		switch {
		case err != nil && ctx.Err() == nil:
			p.Log.Warn("monthly digests", slog.String("month", month), slog.String("error", err.Error()))
		case rep != nil && rep.Enqueued > 0:
			p.Log.Info("monthly digests planned", slog.String("month", month), slog.Int("enqueued", rep.Enqueued))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
