package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// outage sizes: links answered under load, concurrent clients, answers
// acknowledged before the store is stopped, forms opened before the stop
// and posted while it is down; the bound of the test once its store runs.
const (
	outageLinks      = 100
	outageClients    = 8
	outageAcksBefore = 25
	outageHeldForms  = 4
	outageDeadline   = 4 * time.Minute
)

// The store stops under load and comes back: capsat, in MongoDB mode on a
// FerretDB server in its own process (cmd/capsat-teststore), says so on
// /readyz within a few seconds, refuses answers with the French 503 page
// and the answers kept, and recovers without a restart once the store is
// back on the same data folder and port. Every answer acknowledged (303)
// before, during and after the outage is stored exactly once, whole.
func TestStoreOutageUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a store process")
	}
	if !surveytest.Embedded() {
		// The test runs a store of its own, the same whichever store the
		// package's other tests use: the embedded run of the suite covers it.
		t.Skip("runs its own store: covered by the suite's embedded run")
	}
	t.Parallel()
	began := time.Now()
	ts := startTestStore(t)
	storeReady := time.Now()
	deadline := storeReady.Add(outageDeadline)

	// Data, through the store as serve wires it.
	dbName := "outage_" + randomHex(4)
	ctx := context.Background()
	client, err := store.Connect(ctx, store.ConnectOptions{URI: ts.uri, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := storeOn(client.Database(dbName), false, time.Now, slog.New(slog.DiscardHandler))
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	structure, err := st.CreateStructure(ctx, survey.StructureInput{Name: "AI de la panne", SIRET: "73282932000074", Region: "Normandie", Type: survey.TypeAI})
	if err != nil {
		t.Fatal(err)
	}
	tokens := make([]string, outageLinks+outageHeldForms) // the held forms' last
	orderOf := map[string]string{}
	for i := range tokens {
		o, err := st.CreateOrder(ctx, structure.ID, survey.OrderInput{
			Reference: fmt.Sprintf("PANNE-%03d", i), ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "Client " + strconv.Itoa(i)},
			JobTitle: "Agent d'entretien", StartDate: "2026-03-03", EndDate: "2026-03-14", Hours: 35,
		})
		if err != nil {
			t.Fatal(err)
		}
		l, err := st.IssueSurvey(ctx, structure.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		tokens[i], orderOf[l.Token] = l.Token, o.ID
	}
	_ = client.Disconnect(ctx)
	seeded := time.Now()

	// capsat itself: serve, as the process runs it, on MONGODB_URI.
	srv := startServe(t, testGetenv(t, map[string]string{
		"MONGODB_URI": ts.uri, "MONGODB_DATABASE": dbName, "CAPSAT_CONNECT_TIMEOUT": "2s",
		"CAPSAT_PUBLIC_RATE_LIMIT": "0", "CAPSAT_LOG_LEVEL": "error",
	}))
	if code, _ := readyz(srv.url); code != http.StatusOK {
		t.Fatalf("/readyz at start: %d", code)
	}

	// The load: clients open the form and post it; a refused post (503) is
	// sent again after a pause, with the same form, until it is accepted
	// (303) or found already recorded (an earlier post reached the store
	// but its answer was lost on the way). A client that cannot open a
	// form (503) tries again.
	var phase atomic.Int32 // 0 before the stop, 1 until /readyz is 200 again, 2 after
	var acked [3]atomic.Int64
	var refusedPosts, alreadyRecorded atomic.Int64
	var mu sync.Mutex
	outcome := map[string]string{} // token → "acked" or "already"
	var loadErr atomic.Value
	fail := func(format string, args ...any) { loadErr.CompareAndSwap(nil, fmt.Sprintf(format, args...)) }
	loadCtx, stopLoad := context.WithDeadline(ctx, deadline)
	defer stopLoad() // a failed wait below stops the clients too
	work := make(chan int)
	var wg sync.WaitGroup
	for range outageClients {
		wg.Go(func() {
			c := newSurveyClient(srv.url)
			for i := range work {
				res, err := c.answer(loadCtx, tokens[i], i, func(page string) {
					refusedPosts.Add(1)
					for _, want := range []string{"Le service est momentanément indisponible. Réessayez dans quelques minutes.", outageComment(i) + "</textarea>"} {
						if !strings.Contains(page, want) {
							fail("503 page of link %d lacks %q:\n%s", i, want, page)
						}
					}
				})
				if err != nil {
					fail("link %d: %v", i, err)
					continue
				}
				mu.Lock()
				outcome[tokens[i]] = res
				mu.Unlock()
				if res == "acked" {
					acked[phase.Load()].Add(1)
				} else {
					alreadyRecorded.Add(1)
				}
			}
		})
	}
	go func() {
		defer close(work)
		for i := range outageLinks {
			work <- i
		}
	}()

	// Forms opened before the stop, posted while the store is down: the
	// clients who had the page open when it stopped.
	type heldForm struct {
		i         int
		cookie    *http.Cookie
		formToken string
	}
	held := make([]heldForm, outageHeldForms)
	holder := newSurveyClient(srv.url)
	for k := range held {
		i := outageLinks + k
		cookie, formToken, err := holder.open(loadCtx, tokens[i])
		if err != nil {
			t.Fatalf("open form %d: %v", i, err)
		}
		held[k] = heldForm{i, cookie, formToken}
	}

	waitFor(t, deadline, "answers acknowledged before the stop", func() bool { return acked[0].Load() >= outageAcksBefore })
	phase.Store(1)
	ts.kill(t)
	stopped := time.Now()
	waitFor(t, deadline, "/readyz 503", func() bool { code, _ := readyz(srv.url); return code == http.StatusServiceUnavailable })
	toUnready := time.Since(stopped)
	if _, body := readyz(srv.url); body["cause"] != store.CauseUnreachable {
		t.Errorf("/readyz names no cause: %v", body)
	}
	for _, h := range held {
		status, page, err := holder.post(loadCtx, tokens[h.i], h.i, h.cookie, h.formToken)
		if err != nil || status != http.StatusServiceUnavailable {
			t.Fatalf("post of form %d while the store is down: %d %v", h.i, status, err)
		}
		refusedPosts.Add(1)
		for _, want := range []string{
			"Votre réponse n&#39;a pas été enregistrée. Le service est momentanément indisponible. Réessayez dans quelques minutes.",
			`value="` + h.formToken + `"`, outageComment(h.i) + "</textarea>",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("503 page of form %d lacks %q:\n%s", h.i, want, page)
			}
		}
	}
	refusedBy := time.Since(stopped)

	ts.restart(t)
	restarted := time.Now()
	waitFor(t, deadline, "/readyz 200", func() bool { code, _ := readyz(srv.url); return code == http.StatusOK })
	toReady := time.Since(restarted)
	phase.Store(2)
	for _, h := range held { // the same forms, sent again
		status, _, err := holder.post(loadCtx, tokens[h.i], h.i, h.cookie, h.formToken)
		if err != nil || status != http.StatusSeeOther {
			t.Fatalf("post of form %d with the store back: %d %v", h.i, status, err)
		}
		mu.Lock()
		outcome[tokens[h.i]] = "acked"
		mu.Unlock()
		acked[2].Add(1)
	}
	wg.Wait()
	t.Logf("store built and started in %s, %d links issued in %s, answered in %s",
		storeReady.Sub(began).Round(time.Millisecond), len(tokens), seeded.Sub(storeReady).Round(time.Millisecond), time.Since(seeded).Round(time.Millisecond))
	if e := loadErr.Load(); e != nil {
		t.Fatal(e)
	}
	t.Logf("store stopped after %d answers; /readyz 503 after %s; %d refused posts (the %d held forms' by %s); store back after %s, /readyz 200 %s later; acknowledged before/during/after: %d/%d/%d; found already recorded: %d",
		outageAcksBefore, toUnready.Round(time.Millisecond), refusedPosts.Load(), outageHeldForms, refusedBy.Round(time.Millisecond),
		restarted.Sub(stopped).Round(time.Millisecond), toReady.Round(time.Millisecond), acked[0].Load(), acked[1].Load(), acked[2].Load(), alreadyRecorded.Load())
	if limit := store.ProbeEvery + store.ProbeTimeout + 3*time.Second; toUnready > limit {
		t.Errorf("/readyz turned 503 %s after the store stopped, want within %s", toUnready, limit)
	}
	if acked[2].Load() == 0 {
		t.Error("no answer was accepted after the store came back")
	}

	// Every link was answered once: each stored response whole, one per
	// order, every acknowledged one there.
	client, err = store.Connect(ctx, store.ConnectOptions{URI: ts.uri, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	cur, err := client.Database(dbName).Collection("responses").Find(ctx, bson.M{"structure_id": structure.ID})
	if err != nil {
		t.Fatal(err)
	}
	var responses []survey.Response
	if err := cur.All(ctx, &responses); err != nil {
		t.Fatal(err)
	}
	perOrder := map[string]int{}
	questions := len(survey.DefaultMADQuestions())
	for _, r := range responses {
		perOrder[r.OrderID]++
		if len(r.Answers) != questions {
			t.Errorf("response of order %s holds %d answers, want %d", r.OrderID, len(r.Answers), questions)
		}
	}
	for i, token := range tokens {
		n := perOrder[orderOf[token]]
		switch {
		case outcome[token] == "acked" && n != 1:
			t.Errorf("link %d: acknowledged, %d responses stored", i, n)
		case n != 1:
			t.Errorf("link %d (%q): %d responses stored, want 1", i, outcome[token], n)
		}
	}
	if len(responses) != len(tokens) {
		t.Errorf("%d responses stored for %d links", len(responses), len(tokens))
	}
}

// testStore is cmd/capsat-teststore running in its own process.
type testStore struct {
	bin, addr, dir, uri string
	cmd                 *exec.Cmd
	stderr              *syncBuffer
}

// startTestStore builds cmd/capsat-teststore and runs it on a free
// loopback port with a data folder of the test's.
func startTestStore(t *testing.T) *testStore {
	t.Helper()
	tmp := t.TempDir()
	ts := &testStore{bin: filepath.Join(tmp, "capsat-teststore"), dir: filepath.Join(tmp, "data")}
	build := exec.Command("go", "build", "-o", ts.bin, "capsat/cmd/capsat-teststore")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build capsat-teststore: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	ln.Close()
	ts.restart(t)
	t.Cleanup(func() {
		if ts.cmd != nil {
			_ = ts.cmd.Process.Signal(os.Interrupt)
			_ = ts.cmd.Wait()
		}
	})
	return ts
}

// restart starts the store process on the same data folder and port and
// waits until it prints its URI (it does once it answers).
func (ts *testStore) restart(t *testing.T) {
	t.Helper()
	ts.stderr = &syncBuffer{}
	cmd := exec.Command(ts.bin, "--addr", ts.addr, "--data-dir", ts.dir)
	cmd.Stderr = ts.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ts.cmd = cmd
	uri := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		uri <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case u := <-uri:
		if u == "" {
			t.Fatalf("capsat-teststore did not start:\n%s", ts.stderr.String())
		}
		ts.uri = u
	case <-time.After(time.Minute):
		t.Fatalf("capsat-teststore did not answer within a minute:\n%s", ts.stderr.String())
	}
}

// kill stops the store process at once (SIGKILL), as a crash would.
func (ts *testStore) kill(t *testing.T) {
	t.Helper()
	if err := ts.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = ts.cmd.Wait()
	ts.cmd = nil
}

// surveyClient is a client of the public survey: it keeps no cookie jar,
// the form cookie goes with the post it belongs to, and never follows
// redirects.
type surveyClient struct {
	base string
	http *http.Client
}

func newSurveyClient(base string) *surveyClient {
	return &surveyClient{base: base, http: &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var outageFormTokenRE = regexp.MustCompile(`name="_form" value="([^"]+)"`)

// outageComment is the free-text answer of link i, found again on a 503 page.
func outageComment(i int) string { return fmt.Sprintf("Réponse numéro %d, tout était parfait.", i) }

// answer opens the form of token until it is served, then posts it until
// the post is accepted ("acked") or found recorded already ("already");
// refused posts (503) are handed to refused and sent again after a pause.
func (c *surveyClient) answer(ctx context.Context, token string, i int, refused func(page string)) (string, error) {
	cookie, formToken, err := c.open(ctx, token)
	if err != nil {
		return "", err
	}
	for {
		status, page, err := c.post(ctx, token, i, cookie, formToken)
		switch {
		case err != nil:
			return "", err
		case status == http.StatusSeeOther:
			return "acked", nil
		case status == http.StatusOK && strings.Contains(page, "votre réponse a déjà été enregistrée"):
			return "already", nil
		case status == http.StatusServiceUnavailable:
			refused(page)
			pause(ctx, 300*time.Millisecond)
		default:
			return "", fmt.Errorf("post: status %d", status)
		}
	}
}

// open gets the form of token, again while the service is unavailable,
// and returns its cookie and form token.
func (c *surveyClient) open(ctx context.Context, token string) (*http.Cookie, string, error) {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/s/"+token, nil)
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, "", err
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			pause(ctx, 200*time.Millisecond) // the store is down: try again
			continue
		}
		m := outageFormTokenRE.FindSubmatch(page)
		var cookie *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "capsat_form" {
				cookie = ck
			}
		}
		if resp.StatusCode != http.StatusOK || m == nil || cookie == nil {
			return nil, "", fmt.Errorf("form: status %d", resp.StatusCode)
		}
		return cookie, string(m[1]), nil
	}
}

// post sends the answers of link i with the form's cookie and token; a
// 303 counts only when it leads to the link's thank-you page.
func (c *surveyClient) post(ctx context.Context, token string, i int, cookie *http.Cookie, formToken string) (int, string, error) {
	form := url.Values{"_form": {formToken}}
	for _, q := range survey.DefaultMADQuestions() {
		switch q.Type {
		case survey.QuestionScale:
			form.Set(q.Code, survey.ScaleLevels[i%len(survey.ScaleLevels)].Value)
		case survey.QuestionYesNo:
			form.Set(q.Code, survey.YesAnswer)
		case survey.QuestionNPS:
			form.Set(q.Code, strconv.Itoa(i%11))
		case survey.QuestionText:
			form.Set(q.Code, outageComment(i))
		}
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/s/"+token, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") != "/s/"+token+"/merci" {
		return 0, "", fmt.Errorf("post: redirected to %q", resp.Header.Get("Location"))
	}
	return resp.StatusCode, string(page), err
}

// pause waits d, or less if ctx ends first.
func pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// readyz returns the status and body of /readyz.
func readyz(base string) (int, map[string]any) {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// waitFor polls cond every 50 ms until it holds or the deadline passes.
func waitFor(t *testing.T, deadline time.Time, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited too long for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
