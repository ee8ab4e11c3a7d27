package export_test

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
	"time"

	"capsat/export"
	"capsat/export/exporttest"
	"capsat/survey"
)

// benchSource is a structure with n responses over the 12 months of 2025,
// both service types, one comment in five, plus n/5 unanswered surveys.
func benchSource(n int) *survey.IndicatorSource {
	src := &survey.IndicatorSource{Questionnaires: fixtureSource().Questionnaires, Surveys: make([]survey.IssuedSurvey, 0, n+n/5)}
	levels := []string{"tres_satisfait", "satisfait", "peu_satisfait", "pas_du_tout_satisfait", "sans_objet"}
	start := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n+n/5; i++ {
		st, q := survey.ServiceMAD, src.Questionnaires[0]
		if i%4 == 0 {
			st, q = survey.ServiceMAC, src.Questionnaires[1]
		}
		id := fmt.Sprintf("%024x", i)
		issued := start.Add(time.Duration(i%(364*24)) * time.Hour)
		src.Surveys = append(src.Surveys, survey.IssuedSurvey{OrderID: id, ServiceType: st, IssuedAt: issued})
		if i >= n {
			continue
		}
		answers := make(map[string]string, len(q.Questions))
		for j, qu := range q.Questions {
			switch qu.Type {
			case survey.QuestionScale:
				answers[qu.Code] = levels[(i+j)%len(levels)]
			case survey.QuestionYesNo:
				answers[qu.Code] = []string{"oui", "non"}[i%2]
			case survey.QuestionNPS:
				answers[qu.Code] = strconv.Itoa(i % 11)
			case survey.QuestionText:
				if i%5 == 0 {
					answers[qu.Code] = "Intervention conforme, personne ponctuelle et agréable. Merci " + strconv.Itoa(i)
				}
			}
		}
		src.AddResponse(&survey.Response{
			OrderID: id, OrderReference: "BC-" + strconv.Itoa(i), ServiceType: st, QuestionnaireID: q.ID,
			QuestionnaireVersion: 1, IssuedAt: issued, SubmittedAt: issued.Add(48 * time.Hour), Answers: answers,
		})
	}
	return src
}

const benchResponses = 100_000

// BenchmarkSatisfactionExport100k: compute (range and previous range) and
// write the whole workbook for 100,000 responses already in memory.
func BenchmarkSatisfactionExport100k(b *testing.B) {
	src := benchSource(benchResponses)
	r := survey.DateRange{From: time.Date(2025, 1, 1, 0, 0, 0, 0, paris), To: time.Date(2025, 12, 31, 0, 0, 0, 0, paris)}
	dataset := exporttest.LiveHeapMB()
	b.ResetTimer()
	exporttest.Measure(b, func(b *testing.B) {
		b.ReportMetric(dataset, "dataset-heap-MB")
		now := time.Now()
		in := export.Satisfaction{
			StructureName: "AI de test",
			Current:       survey.ComputeIndicators(src, survey.IndicatorQuery{Range: r, By: survey.ByMonth}, now),
			Previous:      survey.ComputeIndicators(src, survey.IndicatorQuery{Range: r.Previous(), By: survey.ByMonth}, now),
			Source:        src,
			GeneratedAt:   now,
		}
		data, err := export.SatisfactionWorkbook(in)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
	})
}

// BenchmarkStreamWriterBaseline100k: excelize's StreamWriter alone writing
// the raw cells of the same Réponses sheet (no styles, no other sheet).
func BenchmarkStreamWriterBaseline100k(b *testing.B) {
	src := benchSource(benchResponses)
	r := survey.DateRange{From: time.Date(2025, 1, 1, 0, 0, 0, 0, paris), To: time.Date(2025, 12, 31, 0, 0, 0, 0, paris)}
	dataset := exporttest.LiveHeapMB()
	b.ResetTimer()
	exporttest.Measure(b, func(b *testing.B) {
		b.ReportMetric(dataset, "dataset-heap-MB")
		_, rows, err := exporttest.RawCells(src, r)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rows), "rows")
	})
}

// BenchmarkFillDashboard100k fills a small CAP dashboard with the figures of
// a year of 100,000 responses (by month, quarter and year).
func BenchmarkFillDashboard100k(b *testing.B) {
	src := benchSource(benchResponses)
	board := capDashboard(b)
	q := survey.IndicatorQuery{Range: survey.DateRange{From: time.Date(2025, 1, 1, 0, 0, 0, 0, paris), To: time.Date(2025, 12, 31, 0, 0, 0, 0, paris)}}
	b.ResetTimer()
	for b.Loop() {
		cpu := exporttest.CPUTime()
		by := func(g survey.Granularity) *survey.Indicators {
			q.By = g
			return survey.ComputeIndicators(src, q, time.Now())
		}
		d := export.Dashboard{Monthly: by(survey.ByMonth), Quarterly: by(survey.ByQuarter), Yearly: by(survey.ByYear)}
		var out bytes.Buffer
		if _, err := export.FillDashboard(bytes.NewReader(board), int64(len(board)), d, export.DefaultUploadLimits, &out); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric((exporttest.CPUTime() - cpu).Seconds(), "cpu-s")
		b.ReportMetric(float64(len(d.Monthly.Figures)), "figures")
	}
}
