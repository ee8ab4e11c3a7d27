package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"capsat/survey/surveytest"
)

func TestMain(m *testing.M) { surveytest.Main(m) }

// syncBuffer is a writer shared by the goroutines of a running command.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testGetenv returns a fake environment on a fresh data folder, quiet logs,
// plus the given variables.
func testGetenv(t *testing.T, vars map[string]string) map[string]string {
	t.Helper()
	m := map[string]string{"CAPSAT_DATA_DIR": t.TempDir(), "CAPSAT_LOG_LEVEL": "warn"}
	for k, v := range vars {
		m[k] = v
	}
	return m
}

// runCapsat runs one command like the process would and returns its stdout.
func runCapsat(t *testing.T, vars map[string]string, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr syncBuffer
	err := run(context.Background(), args, func(k string) string { return vars[k] }, strings.NewReader(""), &stdout, &stderr)
	if err != nil {
		t.Logf("capsat %s: stderr:\n%s", strings.Join(args, " "), stderr.String())
	}
	return stdout.String(), err
}

// mustRunJSON runs a command that must succeed and decodes its JSON output.
func mustRunJSON[T any](t *testing.T, vars map[string]string, args ...string) T {
	t.Helper()
	out, err := runCapsat(t, vars, args...)
	if err != nil {
		t.Fatalf("capsat %s: %v", strings.Join(args, " "), err)
	}
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("capsat %s printed %q: %v", strings.Join(args, " "), out, err)
	}
	return v
}

// runningServer is a `capsat serve` running in the test.
type runningServer struct {
	url    string
	stop   context.CancelFunc
	done   chan error
	stderr *syncBuffer
}

// startServe runs serve on 127.0.0.1 (a free port) until the test stops it.
func startServe(t *testing.T, vars map[string]string) *runningServer {
	t.Helper()
	vars["CAPSAT_ADDR"] = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	s := &runningServer{stop: cancel, done: make(chan error, 1), stderr: &syncBuffer{}}
	addr := make(chan string, 1)
	e := env{
		getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""),
		stdout: io.Discard, stderr: s.stderr,
		onListen: func(a string) { addr <- a },
	}
	go func() { s.done <- dispatch(ctx, []string{"serve"}, e) }()
	select {
	case a := <-addr:
		s.url = "http://" + a
	case err := <-s.done:
		cancel()
		t.Fatalf("serve ended before listening: %v\n%s", err, s.stderr.String())
	}
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

// wait stops waiting for serve after a generous bound, so a hang fails the
// test instead of the whole suite's timeout.
func (s *runningServer) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.done:
		s.done <- err // let the cleanup read it again
		return err
	case <-time.After(time.Minute):
		t.Fatalf("serve did not return after its context was cancelled\n%s", s.stderr.String())
		return nil
	}
}

func TestHelpAnswersWithoutAStore(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--help"}, "capsat admin COMMAND"},
		{[]string{"help"}, "capsat demo"},
		{[]string{"serve", "--help"}, "CAPSAT_DATA_DIR"},
		{[]string{"admin", "--help"}, "create-structure"},
		{[]string{"admin", "create-structure", "--help"}, "-siret"},
		{[]string{"demo", "--help"}, "demo"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel()
			var out syncBuffer
			// No data folder: --help must answer before any store is opened.
			err := run(context.Background(), c.args, func(string) string { return "" }, strings.NewReader(""), &out, &out)
			if err != nil && !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("got %v, want success or flag.ErrHelp (exit status 0)", err)
			}
			if !strings.Contains(out.String(), c.want) {
				t.Errorf("help does not mention %q:\n%s", c.want, out.String())
			}
		})
	}
}

func TestUnknownCommandIsAnError(t *testing.T) {
	t.Parallel()
	if _, err := runCapsat(t, testGetenv(t, nil), "frobnicate"); err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Errorf("got %v, want an error naming the command", err)
	}
	if _, err := runCapsat(t, testGetenv(t, nil), "admin", "frobnicate"); err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Errorf("got %v, want an error naming the admin command", err)
	}
}
