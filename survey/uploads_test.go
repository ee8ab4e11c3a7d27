package survey_test

import (
	"reflect"
	"testing"
	"time"

	"capsat/survey"
)

func TestUploadedMonths(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	recommend := survey.QuestionFigureCode("recommandation")
	rows := []survey.UploadRow{
		{Code: survey.FigureResponses, Month: "2026-01", Service: survey.ServiceMAD, Numerator: 8, Denominator: 10},
		{Code: survey.FigureResponseRate, Month: "2026-01", Service: survey.ServiceMAD, Value: 0.8, HasValue: true, Numerator: 8, Denominator: 10},
		{Code: survey.FigureOverall, Month: "2026-01", Service: survey.ServiceMAD, Value: 0.75, HasValue: true, Numerator: 6, Denominator: 8},
		{Code: survey.CodeOverallScore, Month: "2026-01", Service: survey.ServiceMAD, Value: 3.375, HasValue: true, Numerator: 27, Denominator: 8},
		// NPS numerators are rebuilt from the value, rounded half away from zero.
		{Code: survey.FigureNPS, Month: "2026-01", Service: survey.ServiceMAD, Value: 33.3, HasValue: true, Numerator: 99, Denominator: 9},
		{Code: recommend, Month: "2026-01", Service: survey.ServiceMAD, Value: -31.25, HasValue: true, Numerator: 0, Denominator: 8},
		{Code: "Q_AUTRE", Month: "2026-01", Service: survey.ServiceMAD, Value: -50, HasValue: true, Numerator: -2, Denominator: 4}, // negative: an NPS
		{Code: "Q_PONCTUALITE", Month: "2026-01", Service: survey.ServiceMAD, Value: 0.5, HasValue: true, Numerator: 2, Denominator: 4},
		{Code: survey.FigureIssued, Month: "2026-01", Service: "", Numerator: 20, Denominator: 20},
		{Code: survey.FigureResponses, Month: "2026-01", Service: "", Numerator: 12, Denominator: 20}, // after the row that needs it
		{Code: survey.FigureNPS, Month: "2026-01", Service: "", Numerator: -2, Denominator: 5},        // no value: numerator kept
		{Code: survey.CodeComments, Month: "2026-01", Service: survey.ServiceMAC, Numerator: 4},
		{Code: survey.FigureResponses, Month: "2026-02", Service: survey.ServiceMAD, Numerator: 3, Denominator: 5},
	}
	got := survey.UploadedMonths("s1", "indicateurs.xlsx", now, rows)
	if len(got) != 2 || got["2026-01"] == nil || got["2026-02"] == nil {
		t.Fatalf("months %v, want 2026-01 and 2026-02", got)
	}
	jan := got["2026-01"]
	if jan.ID != "s1:2026-01" || jan.StructureID != "s1" || jan.Month != "2026-01" || jan.FileName != "indicateurs.xlsx" || !jan.UploadedAt.Equal(now) {
		t.Errorf("january document %+v", jan)
	}
	var services []survey.ServiceType
	for _, s := range jan.Services {
		services = append(services, s.Service)
	}
	if !reflect.DeepEqual(services, []survey.ServiceType{survey.ServiceMAD, "", survey.ServiceMAC}) {
		t.Errorf("services %q, in order of appearance", services)
	}
	want := map[survey.ServiceType]survey.NetFigures{
		survey.ServiceMAD: {
			survey.FigureResponses:    {Kind: survey.NetCount, Numerator: 8, Denominator: 10, Base: 8},
			survey.FigureResponseRate: {Kind: survey.NetRate, Numerator: 8, Denominator: 10, Base: 8},
			survey.FigureOverall:      {Kind: survey.NetRate, Numerator: 6, Denominator: 8, Base: 8},
			survey.CodeOverallScore:   {Kind: survey.NetScore, Numerator: 27, Denominator: 8, Base: 8},
			survey.FigureNPS:          {Kind: survey.NetNPS, Numerator: 3, Denominator: 9, Base: 9},
			recommend:                 {Kind: survey.NetNPS, Numerator: -3, Denominator: 8, Base: 8},
			"Q_AUTRE":                 {Kind: survey.NetNPS, Numerator: -2, Denominator: 4, Base: 4},
			"Q_PONCTUALITE":           {Kind: survey.NetRate, Numerator: 2, Denominator: 4, Base: 4},
		},
		"": {
			survey.FigureIssued:    {Kind: survey.NetCount, Numerator: 20, Denominator: 20, Base: 12},
			survey.FigureResponses: {Kind: survey.NetCount, Numerator: 12, Denominator: 20, Base: 12},
			survey.FigureNPS:       {Kind: survey.NetNPS, Numerator: -2, Denominator: 5, Base: 5},
		},
		survey.ServiceMAC: {
			survey.CodeComments: {Kind: survey.NetCount, Numerator: 4, Base: 0}, // no MAC responses row
		},
	}
	for _, s := range jan.Services {
		if !reflect.DeepEqual(s.Figures, want[s.Service]) {
			t.Errorf("service %q figures:\n%v\nwant\n%v", s.Service, s.Figures, want[s.Service])
		}
	}
	feb := got["2026-02"]
	if feb.ID != "s1:2026-02" || len(feb.Services) != 1 ||
		feb.Services[0].Figures[survey.FigureResponses] != (survey.NetFigure{Kind: survey.NetCount, Numerator: 3, Denominator: 5, Base: 3}) {
		t.Errorf("february document %+v", feb)
	}
	if len(survey.UploadedMonths("s1", "vide.xlsx", now, nil)) != 0 {
		t.Error("no rows, yet some months")
	}
}

func countFigure(n int) survey.NetFigure {
	return survey.NetFigure{Kind: survey.NetCount, Numerator: n, Base: n}
}

func TestUploadedMonthFiguresFor(t *testing.T) {
	t.Parallel()
	both := &survey.UploadedMonth{Services: []survey.UploadedService{
		{Service: "", Figures: survey.NetFigures{survey.FigureResponses: countFigure(100)}},
		{Service: survey.ServiceMAD, Figures: survey.NetFigures{survey.FigureResponses: countFigure(3), survey.FigureOverall: {Kind: survey.NetRate, Numerator: 2, Denominator: 3, Base: 3}}},
		{Service: survey.ServiceMAC, Figures: survey.NetFigures{survey.FigureResponses: countFigure(4)}},
	}}
	allOnly := &survey.UploadedMonth{Services: []survey.UploadedService{
		{Service: "", Figures: survey.NetFigures{survey.FigureResponses: countFigure(9)}},
	}}
	madOnly := &survey.UploadedMonth{Services: []survey.UploadedService{
		{Service: survey.ServiceMAD, Figures: survey.NetFigures{survey.FigureResponses: countFigure(5)}},
		{Service: "", Figures: survey.NetFigures{survey.FigureResponses: countFigure(7)}},
	}}
	cases := []struct {
		name    string
		u       *survey.UploadedMonth
		service survey.ServiceType
		want    survey.NetFigures
	}{
		{"one service", both, survey.ServiceMAD, survey.NetFigures{survey.FigureResponses: countFigure(3), survey.FigureOverall: {Kind: survey.NetRate, Numerator: 2, Denominator: 3, Base: 3}}},
		{"both services: per-service rows summed", both, "", survey.NetFigures{
			survey.FigureResponses: {Kind: survey.NetCount, Numerator: 7, Base: 7}, survey.FigureOverall: {Kind: survey.NetRate, Numerator: 2, Denominator: 3, Base: 3}}},
		{"both services: Toutes when no per-service row", allOnly, "", survey.NetFigures{survey.FigureResponses: countFigure(9)}},
		{"a service the workbook only has in Toutes", allOnly, survey.ServiceMAD, survey.NetFigures{}},
		{"per-service rows win over Toutes", madOnly, "", survey.NetFigures{survey.FigureResponses: countFigure(5)}},
		{"a service absent from the workbook", madOnly, survey.ServiceMAC, survey.NetFigures{}},
		{"no services", &survey.UploadedMonth{}, "", survey.NetFigures{}},
	}
	for _, tc := range cases {
		got := tc.u.FiguresFor(tc.service)
		if got == nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: FiguresFor(%q) = %#v, want %v", tc.name, tc.service, got, tc.want)
		}
	}
	// The result is a copy: summing into it leaves the upload as stored.
	got := allOnly.FiguresFor("")
	got.Add(survey.NetFigures{survey.FigureResponses: countFigure(1)})
	got = both.FiguresFor(survey.ServiceMAD)
	got.Add(survey.NetFigures{survey.FigureResponses: countFigure(1)})
	if allOnly.Services[0].Figures[survey.FigureResponses].Numerator != 9 || both.Services[1].Figures[survey.FigureResponses].Numerator != 3 {
		t.Errorf("FiguresFor returned the stored map: %+v %+v", allOnly.Services, both.Services)
	}
}
