package export_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"capsat/export"
	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// fakeSource answers with the fixture's figures and records what it was asked.
type fakeSource struct {
	structureErr error
	ranges       []survey.DateRange
	spans        []survey.MonthSpan
	src          *survey.IndicatorSource
}

func (f *fakeSource) Structure(_ context.Context, id string) (*survey.Structure, error) {
	if f.structureErr != nil {
		return nil, f.structureErr
	}
	return &survey.Structure{ID: id, Name: "AI du Test", Region: "Normandie"}, nil
}

func (f *fakeSource) IndicatorSource(_ context.Context, _ string, r survey.DateRange) (*survey.IndicatorSource, error) {
	f.ranges = append(f.ranges, r)
	return f.src, nil
}

func (f *fakeSource) RecentBenchmark(_ context.Context, sid string, p survey.MonthSpan, service survey.ServiceType) (*survey.Benchmark, error) {
	f.spans = append(f.spans, p)
	return &survey.Benchmark{StructureID: sid, Region: "Normandie", Period: p, Service: service}, nil
}

func TestBuildSatisfactionReadsBothRangesAndKeepsTheRangesFollowUps(t *testing.T) {
	t.Parallel()
	src := fixtureSource()
	src.FollowUps = []survey.Response{
		{OrderReference: "BC-avant", ServiceType: survey.ServiceMAD, IssuedAt: at(2025, 12, 5), Flagged: true},
		{OrderReference: "BC-dans", ServiceType: survey.ServiceMAC, IssuedAt: at(2026, 1, 15), Flagged: true},
	}
	fake := &fakeSource{src: src}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	name, data, err := export.BuildSatisfaction(t.Context(), fake, "s1", survey.IndicatorQuery{Range: fixtureRange(), By: survey.ByYear}, now)
	if err != nil {
		t.Fatal(err)
	}
	if name != "satisfaction-AI du Test-2026-01_2026-02" {
		t.Errorf("name %q", name)
	}
	r := fixtureRange()
	if len(fake.ranges) != 1 || !fake.ranges[0].From.Equal(r.Previous().From) || !fake.ranges[0].To.Equal(r.To) {
		t.Errorf("indicator source read for %v, want the previous range through the range", fake.ranges)
	}
	if len(fake.spans) != 1 || fake.spans[0] != (survey.MonthSpan{From: "2026-01", To: "2026-02"}) {
		t.Errorf("benchmark spans %v", fake.spans)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := rows(t, f, export.SheetFollowUps); len(got) != 2 || got[1][0] != "BC-dans" {
		t.Errorf("follow-ups %v, want the header and BC-dans only", got)
	}
}

func TestBuildSatisfactionPassesTheSourcesErrors(t *testing.T) {
	t.Parallel()
	fake := &fakeSource{structureErr: survey.ErrNotFound, src: fixtureSource()}
	if _, _, err := export.BuildSatisfaction(t.Context(), fake, "s1", survey.IndicatorQuery{Range: fixtureRange()}, time.Now()); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("err %v, want ErrNotFound", err)
	}
	if len(fake.ranges) != 0 {
		t.Error("figures read for an unknown structure")
	}
}

func TestFillStructureDashboardFillsTheRangesFigures(t *testing.T) {
	t.Parallel()
	board := capDashboard(t)
	fake := &fakeSource{src: fixtureSource()}
	r := survey.DateRange{From: time.Date(2026, 1, 1, 0, 0, 0, 0, paris), To: time.Date(2026, 3, 31, 0, 0, 0, 0, paris)}
	var out bytes.Buffer
	report, err := export.FillStructureDashboard(t.Context(), fake, "s1", survey.IndicatorQuery{Range: r}, time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC),
		bytes.NewReader(board), int64(len(board)), export.DefaultUploadLimits, &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.ranges) != 1 || fake.ranges[0] != r {
		t.Errorf("indicator source read for %v, want %v", fake.ranges, r)
	}
	if len(report.Filled) == 0 || out.Len() == 0 {
		t.Errorf("nothing filled: %v, %d bytes", report.Filled, out.Len())
	}
}

func TestPeriodFileName(t *testing.T) {
	t.Parallel()
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, paris) }
	cases := map[string]survey.DateRange{
		"2026-03":               {From: d(3, 1), To: d(3, 31)},
		"2026-01_2026-03":       {From: d(1, 1), To: d(3, 31)},
		"2026-01-05_2026-02-10": {From: d(1, 5), To: d(2, 10)},
	}
	for want, r := range cases {
		if got := export.PeriodFileName(r); got != want {
			t.Errorf("PeriodFileName(%v) = %q, want %q", r, got, want)
		}
	}
}
