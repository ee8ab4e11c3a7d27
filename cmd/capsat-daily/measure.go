package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"capsat/handlers/daily"
)

// row is what was measured of one daily request.
type row struct {
	req      daily.Request
	times    []time.Duration
	maxBytes int
}

// maxPageBytes is issue 16's limit on an HTML page.
const maxPageBytes = 1 << 20

// measure runs every request runs times, round-robin (a background refresh
// then falls on every kind alike), and fails on an unexpected status.
func measure(ctx context.Context, fx *daily.Fixture, reqs []daily.Request, runs int) ([]row, error) {
	rows := make([]row, len(reqs))
	for k := range reqs {
		rows[k].req = reqs[k]
	}
	for i := range runs {
		for k := range rows {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			r := &rows[k]
			if r.req.Prepare != nil {
				if err := r.req.Prepare(fx, i); err != nil {
					return nil, fmt.Errorf("%s: %w", r.req.Name, err)
				}
			}
			hreq := r.req.Build(fx, i)
			began := time.Now()
			status, body := fx.Do(hreq)
			r.times = append(r.times, time.Since(began))
			if status != r.req.Want {
				return nil, fmt.Errorf("%s %s: status %d, want %d: %.300s", hreq.Method, hreq.URL, status, r.req.Want, body)
			}
			r.maxBytes = max(r.maxBytes, len(body))
		}
	}
	return rows, nil
}

// percentile returns the p-th percentile (nearest rank) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func printReport(w io.Writer, o options, s *seedState, rows []row, seedPeak, runPeak int64) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "capsat-daily --responses %d --network %d --runs %d (%s, %d CPUs, GOMAXPROCS %d)\n\n",
		o.responses, o.network, o.runs, time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Fprintf(bw, "store: %d structures, %d orders, %d links, %d responses (%d flagged); seeding %.0f s, summaries and order catalogue built in %.1f s\n\n",
		o.network, s.Counts.Orders, s.Counts.Issued, s.Counts.Responses, s.Counts.Flagged, s.SeedSeconds, s.RebuildSecs)
	fmt.Fprintln(bw, "| request | p50 | p95 | p50 / baseline | largest response |")
	fmt.Fprintln(bw, "| --- | --- | --- | --- | --- |")
	base := percentile(rows[0].times, 0.5)
	var over []string
	for _, r := range rows {
		p50, p95 := percentile(r.times, 0.5), percentile(r.times, 0.95)
		size := humanBytes(r.maxBytes)
		if r.req.Page && r.maxBytes > maxPageBytes {
			size = "**" + size + "**"
			over = append(over, r.req.Name)
		}
		fmt.Fprintf(bw, "| %s | %s | %s | %.1f | %s |\n", r.req.Name, short(p50), short(p95), float64(p50)/float64(base), size)
	}
	fmt.Fprintf(bw, "\npeak RSS (VmHWM): %s during seeding or reuse, %s while measuring\n", humanBytes(int(seedPeak)), humanBytes(int(runPeak)))
	if len(over) > 0 {
		fmt.Fprintf(bw, "HTML pages over 1 MB: %s\n", strings.Join(over, ", "))
	}
	return bw.Flush()
}

func short(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func humanBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// vmHWM is the process's peak resident set size in bytes (0 if unknown).
// The embedded FerretDB runs in this process, so it counts as in "capsat serve".
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// resetPeak resets VmHWM to the current RSS (Linux: "5" to clear_refs),
// so that the peak while measuring excludes seeding.
func resetPeak() {
	runtime.GC()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
