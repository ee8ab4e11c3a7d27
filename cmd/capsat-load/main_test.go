package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadRunInProcess(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-n", "12", "-c", "4", "-resubmit", "5", "-sqlite-id-index"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"HTTP: 12 answers stored", "5 refused as already answered",
		"confirmed (303) but missing: 0; orders with more than one response: 0",
		"raw insert: 12 response documents", "ratio: ",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestLoadOptions(t *testing.T) {
	for _, args := range [][]string{{"-n", "0"}, {"-c", "0"}, {"-url", "http://x"}, {"-key", "k"}, {"-check-ledger", "ledger.txt"}} {
		if _, err := parseOptions(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestLoadRunAgainstExternalServer(t *testing.T) {
	ctx := context.Background()
	server, err := openTarget(ctx, options{links: 1, concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer server.close()
	var out bytes.Buffer
	ledgerFile := filepath.Join(t.TempDir(), "ledger.txt")
	args := []string{"-n", "6", "-c", "2", "-resubmit", "3", "-url", server.baseURL, "-key", server.apiKey, "-ledger", ledgerFile}
	if err := run(ctx, args, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"target=external server", "HTTP: 6 answers stored", "3 refused as already answered", "ledger: 6 acknowledged tokens written"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	stored, err := server.storedResponses(ctx)
	if err != nil || len(stored) != 6 {
		t.Fatalf("server stored %d responses (%v), want 6", len(stored), err)
	}

	// The ledger checks out; a token acknowledged but not stored does not.
	out.Reset()
	if err := run(ctx, []string{"-url", server.baseURL, "-check-ledger", ledgerFile}, &out); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	if want := "ledger check: 6 tokens acknowledged (0 listed twice); stored: 6; not stored: 0"; !strings.Contains(out.String(), want) {
		t.Errorf("check output lacks %q:\n%s", want, out.String())
	}
	unanswered, _, err := server.issueLinks(ctx, newClient(server.baseURL, server.apiKey, 1), 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(ledgerFile, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, unanswered[0])
	f.Close()
	out.Reset()
	if err := run(ctx, []string{"-url", server.baseURL, "-check-ledger", ledgerFile}, &out); err == nil || !strings.Contains(out.String(), "acknowledged but not stored: "+unanswered[0]) {
		t.Errorf("a lost answer passed the check: %v\n%s", err, out.String())
	}
}
