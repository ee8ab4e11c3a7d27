package export

import (
	"errors"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// SatisfactionWorkbook builds the satisfaction workbook in memory, whole,
// so that a caller answering HTTP can still send an error instead. The
// bytes are excelize's own buffer, not a copy: a 100,000-response workbook
// is some 9 MB, held once.
func SatisfactionWorkbook(in Satisfaction) ([]byte, error) {
	if in.Current == nil || in.Previous == nil || in.Source == nil {
		return nil, errors.New("satisfaction workbook: current and previous indicators and their source are required")
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := buildSatisfaction(f, &in); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("write workbook: %w", err)
	}
	return buf.Bytes(), nil
}

// buildSatisfaction adds every sheet of the satisfaction workbook to f.
func buildSatisfaction(f *excelize.File, in *Satisfaction) error {
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	// Rename the default sheet rather than delete it at the end: deleting
	// (or changing the active sheet) makes excelize parse every streamed
	// sheet back into memory.
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return fmt.Errorf("name first sheet: %w", err)
	}
	steps := []func(*excelize.File, *styles, *Satisfaction) error{
		writeSummary, writeIndicators, writeQuestions, writeEvolution, writeVerbatims, writeFollowUps, writeResponses, writeMethod, writeChannels,
	}
	for _, step := range steps {
		if err := step(f, st, in); err != nil {
			return err
		}
	}
	if in.Comparison != nil {
		if err := AddComparisonSheet(f, in.Comparison); err != nil {
			return err
		}
	}
	return nil
}
