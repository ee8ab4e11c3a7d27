package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// ledger writes each token whose answer the server acknowledged (303 to
// the thank-you page), one a line, as soon as it is acknowledged: a crash
// test compares it with what the server stored (-check-ledger).
type ledger struct {
	mu sync.Mutex
	f  *os.File
	n  int
}

// openLedger creates (or empties) path; no path, no ledger.
func openLedger(path string) (*ledger, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return &ledger{f: f}, nil
}

// acknowledged writes token at once, unbuffered, so that the lines
// written stand whatever happens to this process or the server later.
func (l *ledger) acknowledged(token string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.WriteString(token + "\n"); err != nil {
		fmt.Fprintln(os.Stderr, "capsat-load: ledger:", err)
	}
	l.n++
}

// close syncs and closes the file and says how many tokens it holds.
func (l *ledger) close(out io.Writer) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.f.Sync()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	fmt.Fprintf(out, "ledger: %d acknowledged tokens written to %s\n", l.n, l.f.Name())
	return err
}

// readLedger returns the tokens of a ledger file, in order.
func readLedger(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	var tokens []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			tokens = append(tokens, t)
		}
	}
	return tokens, sc.Err()
}

// checkLedger asks the server, through the public survey page of each
// token of the ledger, whether its answer is stored: the page says the
// answer was already recorded. A token listed twice (acknowledged twice),
// one whose form is still open (its answer lost) or unknown to the server
// is a failure. The store keeps at most one answer per survey (the
// response's _id is the order's), so stored here means stored once.
func checkLedger(ctx context.Context, c *client, out io.Writer, path string, conc int) error {
	tokens, err := readLedger(path)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	twice := 0
	var unique []string
	for _, t := range tokens {
		if seen[t] {
			twice++
			continue
		}
		seen[t] = true
		unique = append(unique, t)
	}
	var stored, open, unknown, failed atomic.Int64
	var firstErr atomic.Value
	runIndexed(len(unique), conc, func(i int) {
		state, err := c.surveyState(ctx, unique[i])
		switch {
		case err != nil:
			failed.Add(1)
			firstErr.CompareAndSwap(nil, err.Error())
		case state == surveyAnswered:
			stored.Add(1)
		case state == surveyOpen:
			open.Add(1)
			fmt.Fprintln(out, "acknowledged but not stored:", unique[i])
		default:
			unknown.Add(1)
			fmt.Fprintln(out, "acknowledged but unknown to the server:", unique[i])
		}
	})
	fmt.Fprintf(out, "ledger check: %d tokens acknowledged (%d listed twice); stored: %d; not stored: %d; unknown: %d; check failed: %d\n",
		len(unique), twice, stored.Load(), open.Load(), unknown.Load(), failed.Load())
	if e := firstErr.Load(); e != nil {
		fmt.Fprintln(out, "first check failure:", e)
	}
	if twice > 0 || open.Load() > 0 || unknown.Load() > 0 || failed.Load() > 0 {
		return fmt.Errorf("ledger check failed")
	}
	return nil
}

// What the public page of a token says of its survey.
type surveyPageState int

const (
	surveyOpen surveyPageState = iota
	surveyAnswered
	surveyOther // unknown token, expired or cancelled link
)

// surveyState opens the public page of token and reads the survey's state.
func (c *client) surveyState(ctx context.Context, token string) (surveyPageState, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/s/"+token, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	switch {
	case resp.StatusCode == http.StatusOK && bytes.Contains(page, []byte("votre réponse a déjà été enregistrée")):
		return surveyAnswered, nil
	case resp.StatusCode == http.StatusOK && formTokenRE.Match(page):
		return surveyOpen, nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return surveyOther, nil
	}
	return 0, fmt.Errorf("GET /s/%s: status %d", token, resp.StatusCode)
}
