// Package exporttest holds what the export benchmarks of several packages
// share: heap and CPU meters, and the baseline they are compared with,
// excelize's streaming writer alone writing the raw cells of the responses.
package exporttest

import (
	"bytes"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// HeapPeak samples the live heap every 2 ms until MB is called.
type HeapPeak struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

// WatchHeap starts sampling the live heap.
func WatchHeap() *HeapPeak {
	h := &HeapPeak{stop: make(chan struct{})}
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

// MB stops the sampling and returns the peak in MiB.
func (h *HeapPeak) MB() float64 {
	close(h.stop)
	h.wg.Wait()
	return float64(h.peak) / (1 << 20)
}

// CPUTime is the user+system CPU time of the process: on a shared machine
// it says more than the wall clock.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Measure runs run once per benchmark iteration, after a collection (so
// that the peak is the run's, not what preparing the data left), and
// reports its peak heap and its CPU time.
func Measure(b *testing.B, run func(b *testing.B)) {
	for b.Loop() {
		runtime.GC()
		cpu := CPUTime()
		peak := WatchHeap()
		run(b)
		b.ReportMetric(peak.MB(), "peak-heap-MB")
		b.ReportMetric((CPUTime() - cpu).Seconds(), "cpu-s")
	}
}

// LiveHeapMB is the heap left after a collection: the dataset itself.
func LiveHeapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// RawCells writes, with excelize's StreamWriter alone (no styles, no other
// sheet), the raw cells of the Réponses sheet: the responses of src issued
// in r, one row each, every answer of the questionnaires as a column. It
// returns the file and the number of rows.
func RawCells(src *survey.IndicatorSource, r survey.DateRange) ([]byte, int, error) {
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
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, 0, err
	}
	row := make([]any, 6+len(codes))
	n := 0
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
		cell, _ := excelize.CoordinatesToCellName(1, n+1)
		if err := sw.SetRow(cell, row); err != nil {
			return nil, 0, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, 0, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), n, nil
}
