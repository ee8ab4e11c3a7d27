package readmodel

import (
	"context"
	"log/slog"
	"time"

	"capsat/survey"
)

// Changed is told of every committed change to an order's survey or
// response, with the date its survey was issued: the month of that date
// is refreshed, queued while the worker runs. The change itself stands even
// if the refresh fails: the next change or a rebuild repairs it.
func (m *Model) Changed(ctx context.Context, sid string, issuedAt time.Time) {
	month := survey.SummaryMonth(issuedAt)
	if m.enqueueSummary(ctx, survey.SummaryID(sid, month)) {
		return
	}
	if err := m.RefreshSummary(context.WithoutCancel(ctx), sid, month); err != nil {
		m.log.Warn("summary refresh failed; the next change or a rebuild repairs it",
			slog.String("summary", survey.SummaryID(sid, month)), slog.String("error", err.Error()))
	}
}
