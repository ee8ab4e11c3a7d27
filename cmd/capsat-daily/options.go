package main

import (
	"flag"
	"fmt"
	"io"
)

// options are the command's flags.
type options struct {
	data      string
	responses int
	network   int
	runs      int
	only      string // measure only the requests whose name contains it
	profile   string // CPU profile of the measuring phase
	// Hidden: for profiling and tests of the seeding.
	seedProfile string // CPU profile of the seeding, written to this file
	seedOnly    bool   // stop after seeding (and print the seed's figures)
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("capsat-daily", flag.ContinueOnError)
	fs.SetOutput(stderr)
	usage := func() {
		fmt.Fprint(fs.Output(), `Usage: capsat-daily [--data DIR] [--responses N] [--network N] [--runs N] [--only TEXT] [--cpuprofile FILE]

Seeds an embedded store (FerretDB on SQLite, in DIR) with one structure of
N responses spread over the 24 months before the current one (1.2 orders
per response, answers drawn as in "capsat demo", dissatisfied ones flagged),
through the store's own calls (order creation, links issued in batches,
answers through the group commit) on a bulk-load store that leaves the
order catalogue alone, then builds the summaries, ledgers and order
catalogue once, with a progress line at least every 5 s. With
--network, that many structures in all: the measured one and others of
1,000 responses each. A DIR already seeded with the same parameters is
reused as it is (seeding 50,000 responses takes a while); a DIR seeded
with others is refused.

Then it times, through the real HTTP router in process (no network), each
daily request --runs times, round-robin, with a structure member signed in
through the login form and the summary worker running as in "capsat
serve", and prints a markdown table: p50, p95, p50 over the p50 of the
order read by _id (the baseline), the largest response, and peak RSS
(VmHWM) during the seeding and during the requests.

`)
	}
	var o options
	fs.StringVar(&o.data, "data", "", "data folder of the embedded store (default: a new temporary folder, removed at the end)")
	fs.IntVar(&o.responses, "responses", 1000, "responses of the measured structure (e.g. 1000, 10000, 50000)")
	fs.IntVar(&o.network, "network", 1, "structures in the store: the measured one and network-1 others of 1,000 responses")
	fs.IntVar(&o.runs, "runs", 20, "runs of each daily request")
	fs.StringVar(&o.only, "only", "", "measure only the requests whose name contains this text (the baseline is always measured)")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the measuring phase to this file")
	fs.StringVar(&o.seedProfile, "seed-cpuprofile", "", "")
	fs.BoolVar(&o.seedOnly, "seed-only", false, "")
	hidden := map[string]bool{"seed-cpuprofile": true, "seed-only": true}
	fs.Usage = func() {
		usage()
		fs.VisitAll(func(f *flag.Flag) {
			if !hidden[f.Name] {
				fmt.Fprintf(fs.Output(), "  --%s\n    \t%s\n", f.Name, f.Usage)
			}
		})
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.responses < 24:
		return o, fmt.Errorf("--responses %d: at least 24 (one a month)", o.responses)
	case o.network < 1:
		return o, fmt.Errorf("--network %d: at least 1", o.network)
	case o.runs < 1:
		return o, fmt.Errorf("--runs %d: at least 1", o.runs)
	}
	return o, nil
}
