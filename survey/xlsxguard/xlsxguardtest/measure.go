package xlsxguardtest

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"time"
)

// MaxHeapGrowth is what reading a hostile file may add to the heap.
const MaxHeapGrowth = 100 << 20

// Cost is what a call cost.
type Cost struct {
	Elapsed time.Duration
	// Allocated is what the process allocated during the call
	// (MemStats.TotalAlloc): an upper bound of the heap's growth.
	Allocated uint64
	// Growth is the highest heap (MemStats.HeapAlloc, sampled every
	// millisecond) above the heap before the call, after a collection.
	Growth uint64
}

// String is the cost in milliseconds and MB, as the tests log it.
func (c Cost) String() string {
	return fmt.Sprintf("%.1f ms, %.1f MB allocated, heap +%.1f MB at most",
		float64(c.Elapsed.Microseconds())/1000, float64(c.Allocated)/(1<<20), float64(c.Growth)/(1<<20))
}

// Measure runs fn and returns its cost. Call it from a test that does not
// run in parallel: the figures are the process's.
func Measure(fn func()) Cost {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}} // HeapAlloc, without stopping the world
	stop, peak := make(chan struct{}), make(chan uint64)
	go func() {
		var high uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			high = max(high, sample[0].Value.Uint64())
			select {
			case <-stop:
				peak <- high
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	fn()
	elapsed := time.Since(start)
	close(stop)
	high := <-peak
	runtime.ReadMemStats(&after)
	c := Cost{Elapsed: elapsed, Allocated: after.TotalAlloc - before.TotalAlloc}
	if high > before.HeapAlloc {
		c.Growth = high - before.HeapAlloc
	}
	return c
}
