package store_test

import (
	"context"
	"errors"
	"testing"

	"capsat/survey"
	"capsat/survey/surveytest"
)

// TestUploadFileNamesFollowTheTextRules: the name of an uploaded workbook,
// shown in the consolidated workbook, loses its invisible characters and
// may not hold control ones.
func TestUploadFileNamesFollowTheTextRules(t *testing.T) {
	t.Parallel()
	s := surveytest.Store(t, nil)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	rows := []survey.UploadRow{{Code: survey.FigureResponses, Month: "2026-01", Numerator: 3}}
	var verr *survey.ValidationError
	if _, err := s.ImportUpload(context.Background(), st.ID, "indicateurs\x00.xlsx", rows); !errors.As(err, &verr) || verr.Fields["file"].Code != survey.CodeInvalidChar {
		t.Errorf("control character: %v", err)
	}
	if _, err := s.ImportUpload(context.Background(), st.ID, "indicateurs\u200b.xlsx", rows); err != nil {
		t.Errorf("zero width space: %v", err)
	}
}
