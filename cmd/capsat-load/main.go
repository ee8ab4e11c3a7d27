// Command capsat-load measures the public survey path under load: it issues
// N survey links, submits them with C concurrent HTTP clients (open the form,
// then post it, never retrying), checks in the store that no response was
// lost or duplicated, and compares the throughput with the raw insert rate
// of the same store measured in the same run.
//
// By default it starts the embedded store and the real capsat server
// in-process on a loopback port; -url and -key target a running server.
// With -ledger it writes every acknowledged token to a file, which
// -check-ledger later checks against the server (the kill -9 check of the
// README).
package main

import (
	"capsat/cmd/internal/cpuprofile"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "capsat-load:", err)
		os.Exit(1)
	}
}

// run is main without the process.
func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseOptions(args, out)
	if err != nil {
		return err
	}
	if o.checkLedger != "" {
		return checkLedger(ctx, newClient(o.url, o.key, o.concurrency), out, o.checkLedger, o.concurrency)
	}
	ledger, err := openLedger(o.ledger)
	if err != nil {
		return err
	}
	defer ledger.close(out)
	target, err := openTarget(ctx, o)
	if err != nil {
		return err
	}
	defer target.close()
	fmt.Fprintf(out, "capsat-load: n=%d c=%d GOMAXPROCS=%d target=%s\n", o.links, o.concurrency, runtime.GOMAXPROCS(0), target.describe)

	c := newClient(target.baseURL, target.apiKey, o.concurrency)
	tokens, setupTime, err := target.issueLinks(ctx, c, o.links, o.concurrency)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "setup: %d links issued in %s (not measured)\n", len(tokens), setupTime.Round(1e6))

	stopProfile, err := cpuprofile.Start(o.cpuProfile)
	if err != nil {
		return err
	}
	res := c.submitAll(ctx, tokens, o.concurrency, ledger.acknowledged)
	stopProfile()
	res.print(out)

	refused, err := c.resubmit(ctx, tokens[:o.sample], o.concurrency)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "re-submitted %d answered links: %d refused as already answered\n", o.sample, refused)

	return target.verify(ctx, out, o, res, refused)
}
