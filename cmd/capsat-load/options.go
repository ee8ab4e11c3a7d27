package main

import (
	"errors"
	"flag"
	"io"
)

// options are the command-line settings.
type options struct {
	links       int
	concurrency int
	url         string // external server; empty: in-process
	key         string // structure API key of the external server
	sample      int    // links submitted a second time to check refusals
	cpuProfile  string // file for a CPU profile of the load phase
	idIndex     bool   // SQLite index on FerretDB's _id lookup expression, as serve adds
	ledger      string // file of the acknowledged tokens, one a line
	checkLedger string // ledger file to check against the server of -url (no load)
}

func parseOptions(args []string, out io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("capsat-load", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.IntVar(&o.links, "n", 2000, "number of survey links to issue and answer")
	fs.IntVar(&o.concurrency, "c", 50, "number of concurrent HTTP clients")
	fs.StringVar(&o.url, "url", "", "base URL of a running capsat (default: start one in-process on the embedded store)")
	fs.StringVar(&o.key, "key", "", "structure API key of the running capsat (with -url)")
	fs.IntVar(&o.sample, "resubmit", 100, "links submitted a second time, which must be refused")
	fs.BoolVar(&o.idIndex, "sqlite-id-index", true, "in-process only: add the SQLite index on the expression FerretDB uses for _id lookups, as serve does (false measures without it)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the load phase (in-process server and store included) to this file")
	fs.StringVar(&o.ledger, "ledger", "", "write each token whose answer was acknowledged (303) to this file, one a line, as it is acknowledged")
	fs.StringVar(&o.checkLedger, "check-ledger", "", "instead of a load, check that every token of this ledger file has its answer stored on the server of -url")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case o.checkLedger != "" && o.url == "":
		return o, errors.New("-check-ledger needs the -url of the server to check")
	case o.checkLedger != "":
		return o, nil // no load: -key and the load's settings are unused
	case o.links < 1 || o.concurrency < 1:
		return o, errors.New("-n and -c must be at least 1")
	case o.sample < 0:
		return o, errors.New("-resubmit must be 0 or more")
	case (o.url == "") != (o.key == ""):
		return o, errors.New("-url and -key go together")
	}
	o.sample = min(o.sample, o.links)
	return o, nil
}
