package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"strings"

	"capsat/handlers/daily"
)

// selectRequests keeps the baseline (the first request) and the requests
// whose name contains only; all of them when only is empty.
func selectRequests(reqs []daily.Request, only string) []daily.Request {
	if only == "" {
		return reqs
	}
	kept := reqs[:1:1]
	for _, r := range reqs[1:] {
		if strings.Contains(r.Name, only) {
			kept = append(kept, r)
		}
	}
	return kept
}

// startProfile starts a CPU profile into path (nothing when path is empty)
// and returns what stops it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
