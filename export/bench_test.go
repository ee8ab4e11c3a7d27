package export_test

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"capsat/export"
	"capsat/survey"

	"github.com/xuri/excelize/v2"
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

// heapPeak samples the live heap every 2 ms until stopped.
type heapPeak struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func watchHeap() *heapPeak {
	h := &heapPeak{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			h.peak = max(h.peak, sample[0].Value.Uint64())
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

func (h *heapPeak) MB() float64 {
	close(h.stop)
	h.wg.Wait()
	return float64(h.peak) / (1 << 20)
}

const benchResponses = 100_000

// cpuTime is the user+system CPU time of the process: on a shared machine
// it says more than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// liveHeapMB is the heap left after a collection: the dataset itself.
func liveHeapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// BenchmarkSatisfactionExport100k: compute (range and previous range) and
// write the whole workbook for 100,000 responses already in memory.
func BenchmarkSatisfactionExport100k(b *testing.B) {
	src := benchSource(benchResponses)
	r := survey.DateRange{From: time.Date(2025, 1, 1, 0, 0, 0, 0, paris), To: time.Date(2025, 12, 31, 0, 0, 0, 0, paris)}
	dataset := liveHeapMB()
	b.ResetTimer()
	for b.Loop() {
		b.ReportMetric(dataset, "dataset-heap-MB")
		cpu := cpuTime()
		peak := watchHeap()
		now := time.Now()
		in := export.Satisfaction{
			StructureName: "AI de test",
			Current:       survey.ComputeIndicators(src, survey.IndicatorQuery{Range: r, By: survey.ByMonth}, now),
			Previous:      survey.ComputeIndicators(src, survey.IndicatorQuery{Range: r.Previous(), By: survey.ByMonth}, now),
			Source:        src,
			GeneratedAt:   now,
		}
		var buf bytes.Buffer
		if err := export.WriteSatisfaction(&buf, in); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(peak.MB(), "peak-heap-MB")
		b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s")
		b.ReportMetric(float64(buf.Len())/(1<<20), "file-MB")
	}
}

// BenchmarkStreamWriterBaseline100k: excelize's StreamWriter alone writing
// the raw cells of the same Réponses sheet (no styles, no other sheet).
func BenchmarkStreamWriterBaseline100k(b *testing.B) {
	src := benchSource(benchResponses)
	r := survey.DateRange{From: time.Date(2025, 1, 1, 0, 0, 0, 0, paris), To: time.Date(2025, 12, 31, 0, 0, 0, 0, paris)}
	var codes []string
	seen := map[string]bool{}
	for _, q := range src.Questionnaires {
		for _, qu := range q.Questions {
			if !seen[qu.Code] {
				seen[qu.Code] = true
				codes = append(codes, qu.Code)
			}
		}
	}
	dataset := liveHeapMB()
	b.ResetTimer()
	for b.Loop() {
		b.ReportMetric(dataset, "dataset-heap-MB")
		cpu := cpuTime()
		peak := watchHeap()
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		row := make([]any, 6+len(codes))
		n := 1
		for i := range src.Responses {
			resp := &src.Responses[i]
			if !r.Contains(resp.IssuedAt) {
				continue
			}
			row[0], row[1], row[2], row[3], row[4], row[5] = resp.OrderReference, string(resp.ServiceType), resp.QuestionnaireID, resp.QuestionnaireVersion, resp.IssuedAt, resp.SubmittedAt
			for c, code := range codes {
				row[6+c] = src.Answer(resp, code)
			}
			n++
			cell, _ := excelize.CoordinatesToCellName(1, n)
			if err := sw.SetRow(cell, row); err != nil {
				b.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := f.WriteTo(&buf); err != nil {
			b.Fatal(err)
		}
		_ = f.Close()
		b.ReportMetric(peak.MB(), "peak-heap-MB")
		b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s")
		b.ReportMetric(float64(n-1), "rows")
	}
}

// BenchmarkFillDashboard100k fills a small CAP dashboard with the figures of
// a year of 100,000 responses (by month, quarter and year).
func BenchmarkFillDashboard100k(b *testing.B) {
	src := benchSource(benchResponses)
	board := capDashboard(b)
	q := survey.IndicatorQuery{Range: survey.DateRange{From: time.Date(2025, 1, 1, 0, 0, 0, 0, paris), To: time.Date(2025, 12, 31, 0, 0, 0, 0, paris)}}
	b.ResetTimer()
	for b.Loop() {
		cpu := cpuTime()
		by := func(g survey.Granularity) *survey.Indicators {
			q.By = g
			return survey.ComputeIndicators(src, q, time.Now())
		}
		d := export.Dashboard{Monthly: by(survey.ByMonth), Quarterly: by(survey.ByQuarter), Yearly: by(survey.ByYear)}
		var out bytes.Buffer
		if _, err := export.FillDashboard(bytes.NewReader(board), int64(len(board)), d, export.DefaultUploadLimits, &out); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s")
		b.ReportMetric(float64(len(d.Monthly.Figures)), "figures")
	}
}
