package handlers

import (
	"context"
	"log/slog"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// handOutStore records the first channel a survey link went out through
// (see store.RecordHandOut): a QR code produced, the link copied or
// exported, an e-mail queued.
type handOutStore interface {
	RecordHandOut(ctx context.Context, o *survey.Order, ch survey.Channel) (survey.Channel, error)
}

// recordHandOut tells the store that o's live link went out through ch.
// The link went out whatever the store answers: a failure is logged and
// the page or file is served all the same.
func recordHandOut(c *gin.Context, st handOutStore, o *survey.Order, ch survey.Channel) {
	if _, err := st.RecordHandOut(c.Request.Context(), o, ch); err != nil {
		logger(c).Warn("link hand-out not recorded", slog.String("channel", string(ch)), slog.String("order", o.ID), slog.String("error", err.Error()))
	}
}

// qrPreviewParam marks the QR code the order page shows: seeing it is not
// handing it out (downloading or printing it is).
const qrPreviewParam = "apercu"
