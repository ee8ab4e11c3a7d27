package handlers

import (
	"strconv"
	"strings"
	"time"

	"capsat/survey"
)

// importPreviewRows is how many rows of a file the preview shows, and
// importLinked how many orders of an applied import its result links.
const (
	importPreviewRows = 50
	importLinked      = 50
)

// importPreviewRow is one row of an import file as the preview shows it:
// what it reads and, beside it, why it would be refused.
type importPreviewRow struct {
	Row                                            int
	Reference, Service, Company, Start, End, Hours string
	Problems                                       []survey.ImportRejection
}

// importPreview lays out the file's first rows with their errors; it
// returns how many rows follow and the errors of those.
func importPreview(f *survey.ImportFile, report *survey.ImportReport) ([]importPreviewRow, int, []survey.ImportRejection) {
	byRow := map[int][]survey.ImportRejection{}
	for _, r := range report.Rejected {
		byRow[r.Row] = append(byRow[r.Row], r)
	}
	shown := f.Rows[:min(len(f.Rows), importPreviewRows)]
	last := 0
	rows := make([]importPreviewRow, 0, len(shown))
	for _, r := range shown {
		in := r.Input
		row := importPreviewRow{Row: r.Row, Reference: in.Reference, Company: in.Client.Company, Problems: byRow[r.Row]}
		if in.ServiceType.Valid() {
			row.Service = in.ServiceType.Label()
		}
		row.Start, row.End = previewDate(in.StartDate), previewDate(in.EndDate)
		if in.Hours > 0 {
			row.Hours = strings.Replace(strconv.FormatFloat(in.Hours, 'f', -1, 64), ".", ",", 1)
		}
		rows = append(rows, row)
		last = r.Row
	}
	var later []survey.ImportRejection
	for _, r := range report.Rejected {
		if r.Row > last {
			later = append(later, r)
		}
	}
	return rows, len(f.Rows) - len(shown), later
}

// previewDate shows a read date as dd/mm/yyyy ("" when none or unread).
func previewDate(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return ""
	}
	return t.Format("02/01/2006")
}
