// Package cpuprofile starts the CPU profiles of capsat's load commands.
package cpuprofile

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// Start starts a CPU profile into path (nothing when path is empty) and
// returns what stops it.
func Start(path string) (func(), error) {
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
