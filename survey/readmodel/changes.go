package readmodel

import (
	"context"
	"log/slog"
	"time"

	"capsat/survey"
)

// Changed is told of every committed change to order oid's survey or
// response, with the date its survey was issued: the month of that date
// is brought up to it, queued while the worker runs. On the embedded store
// the month is patched with the order (see patchSummary); on MongoDB it is
// refreshed from its sources by index. The change itself stands even if
// the refresh fails: the next change or a rebuild repairs it.
func (m *Model) Changed(ctx context.Context, sid, oid string, issuedAt time.Time) {
	month := survey.SummaryMonth(issuedAt)
	if m.enqueueSummary(ctx, survey.SummaryID(sid, month), oid) {
		return
	}
	var err error
	if m.embedded {
		err = m.patchSummary(context.WithoutCancel(ctx), sid, month, map[string]bool{oid: true})
	} else {
		err = m.RefreshSummary(context.WithoutCancel(ctx), sid, month)
	}
	if err != nil {
		m.log.Warn("summary refresh failed; the next change or a rebuild repairs it",
			slog.String("summary", survey.SummaryID(sid, month)), slog.String("error", err.Error()))
	}
}
