package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// fateRounds is how many times each conflicting pair of requests is fired.
const fateRounds = 50

// fateBatchOrders is the number of orders each round of batch issues
// covers: the suite's time is mostly theirs. In MongoDB mode every issue
// refreshes its month's summary at once, and the FerretDB server standing
// in for MongoDB in tests (cmd/capsat-teststore) scans a whole collection
// for any filter, _id included, so its rounds cover fewer.
func fateBatchOrders() int {
	if surveytest.Embedded() {
		return 10
	}
	return 4
}

// TestOneFatePerLink fires each conflicting pair of requests at once, over
// real HTTP through the router, fateRounds times, and checks after each
// round what the store must guarantee whatever the timing (README, "One
// fate per link"): at most one live link per order; every stored response
// belongs to an existing order whose link it answered; every acknowledged
// answer (303 to the thank-you page) is stored, once; the loser of a race
// is told the state that won (409 or 410; 404 for a link whose order was
// deleted before the answer read it). On MongoDB (MONGODB_URI) the two
// requests of a pair go to two capsat instances on the same database, two
// stores and read models behind two servers.
func TestOneFatePerLink(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrency rounds: skipped with -short")
	}
	scenarios := []struct {
		name string
		run  func(f *fateEnv, t *testing.T, round int)
	}{
		{"issue+issue", (*fateEnv).issueIssue},
		{"batch+batch", (*fateEnv).batchBatch},
		{"answer+cancel", (*fateEnv).answerCancel},
		{"answer+delete", (*fateEnv).answerDelete},
		{"answer+edit", (*fateEnv).answerEdit},
		{"cancel+issue", (*fateEnv).cancelIssue},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := newFateEnv(t) // a database of its own: smaller collections to scan
			for round := range fateRounds {
				sc.run(f, t, round)
				if t.Failed() {
					t.Fatalf("round %d failed", round)
				}
			}
			f.checkAllLinks(t)
			f.checkAllResponses(t)
			f.checkCounts(t)
			t.Logf("outcomes: %v", f.outcomes)
		})
	}
}

// fateEnv is one structure served by one capsat instance (embedded store)
// or two on the same database (MongoDB).
type fateEnv struct {
	e        *testEnv
	sid, key string
	servers  []*httptest.Server
	http     *http.Client
	stopWork func()

	mu       sync.Mutex
	acked    map[string]string // order id → marker of the answer acknowledged
	outcomes map[string]int    // scenario and statuses → rounds, for the log
}

func newFateEnv(t *testing.T) *fateEnv {
	e := newTestEnv(t)
	st, key := e.structure("AI des Fates", "Normandie")
	f := &fateEnv{e: e, sid: st.ID, key: key, acked: map[string]string{}, outcomes: map[string]int{},
		http: &http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Transport:     &http.Transport{MaxIdleConnsPerHost: 8},
			Timeout:       time.Minute,
		}}
	f.servers = append(f.servers, httptest.NewServer(e.router))
	if surveytest.Embedded() {
		// As serve does: answers' refreshes are queued to the worker.
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			e.figures.RunSummaryWorker(ctx, 2*time.Second, slog.New(slog.DiscardHandler))
		}()
		f.stopWork = func() {
			cancel()
			<-done
			// The worker leaves its queue to the next start: drain it here.
			e.figures.DrainQueuedSummaries(context.Background(), slog.New(slog.DiscardHandler))
		}
	} else {
		// A second capsat instance: its own store and read model on the
		// same database.
		st2 := store.NewStore(e.store.DB(), store.Options{Now: e.clock.Now})
		r2, err := NewRouter(Deps{Store: st2, ReadModel: surveytest.ReadModel(t, st2), Config: e.cfg, Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		f.servers = append(f.servers, httptest.NewServer(r2))
		f.stopWork = func() {}
	}
	t.Cleanup(func() {
		for _, s := range f.servers {
			s.Close()
		}
		f.stopWork()
	})
	return f
}

// reply is what a request got.
type reply struct {
	status   int
	body     string
	location string
}

// send sends a request to instance i (modulo the instances).
func (f *fateEnv) send(t *testing.T, i int, method, path, contentType, body string, header map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, f.servers[i%len(f.servers)].URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := f.http.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return reply{}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, body: string(b), location: res.Header.Get("Location")}
}

// api sends an API request with the structure's key.
func (f *fateEnv) api(t *testing.T, i int, method, path, body string) reply {
	t.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return f.send(t, i, method, "/api/v1/structures/"+f.sid+path, ct, body, map[string]string{"Authorization": "Bearer " + f.key})
}

// answer posts a complete answer to link token whose comment is marker,
// with a form token of its own (the double-submit cookie and field).
func (f *fateEnv) answer(t *testing.T, i int, token, marker string) reply {
	t.Helper()
	b := make([]byte, formTokenBytes)
	_, _ = rand.Read(b)
	formToken := base64.RawURLEncoding.EncodeToString(b)
	form := fullAnswers(formToken)
	form.Set("commentaire", marker)
	return f.send(t, i, http.MethodPost, "/s/"+token, "application/x-www-form-urlencoded", form.Encode(),
		map[string]string{"Cookie": formTokenCookie + "=" + formToken})
}

// together runs two requests at once and returns their replies. Rounds
// hold one of them back a little, by turns (0 to 7 ms), so that the rounds
// meet the race at different points.
func together(round int, a, b func() reply) []reply {
	out := make([]reply, 2)
	skew := time.Duration(round/2%8) * time.Millisecond
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, r := range []func() reply{a, b} {
		wg.Go(func() {
			<-start
			if i == round%2 {
				time.Sleep(skew)
			}
			out[i] = r()
		})
	}
	close(start)
	wg.Wait()
	return out
}

// order creates an order of the round (start date start).
func (f *fateEnv) order(t *testing.T, ref, start string) *survey.Order {
	t.Helper()
	in := surveytest.OrderInput()
	in.Reference, in.StartDate, in.EndDate = ref, start, ""
	o, err := f.e.store.CreateOrder(context.Background(), f.sid, in)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// issued creates an order of the round and issues its link.
func (f *fateEnv) issued(t *testing.T, ref string) (*survey.Order, string) {
	t.Helper()
	o := f.order(t, ref, "2026-02-02")
	l, err := f.e.store.IssueSurvey(context.Background(), f.sid, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o, l.Token
}

// tokenOf is the token of a survey URL.
func tokenOf(t *testing.T, surveyURL string) string {
	t.Helper()
	u, err := url.Parse(surveyURL)
	if err != nil || !strings.HasPrefix(u.Path, "/s/") {
		t.Fatalf("survey URL %q", surveyURL)
	}
	return strings.TrimPrefix(u.Path, "/s/")
}

// note counts an outcome for the log.
func (f *fateEnv) note(scenario string, replies ...reply) {
	k := scenario
	for _, r := range replies {
		k += fmt.Sprintf(" %d", r.status)
	}
	f.mu.Lock()
	f.outcomes[k]++
	f.mu.Unlock()
}

// linkStates resolves with the store every link the order has had (as its
// document lists them, and the tokens given) and returns the tokens by
// state: "live" when the link is open, "gone" when it is not found.
func (f *fateEnv) linkStates(t *testing.T, oid string, tokens ...string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	if o, err := f.e.store.Order(ctx, f.sid, oid); err == nil {
		tokens = append(tokens, o.LinkTokens...)
	}
	states := map[string][]string{}
	seen := map[string]bool{}
	for _, token := range tokens {
		if seen[token] {
			continue
		}
		seen[token] = true
		_, err := f.e.store.ResolveToken(ctx, token)
		state := "live"
		switch {
		case errors.Is(err, survey.ErrAlreadyAnswered):
			state = "answered"
		case errors.Is(err, survey.ErrCancelled):
			state = "cancelled"
		case errors.Is(err, survey.ErrExpired):
			state = "expired"
		case errors.Is(err, survey.ErrNotFound):
			state = "gone"
		case err != nil:
			t.Fatalf("resolve a link of order %s: %v", oid, err)
		}
		states[state] = append(states[state], token)
	}
	return states
}

// checkAllLinks checks that no order has two live links, over every link
// document of the database (one scan).
func (f *fateEnv) checkAllLinks(t *testing.T) {
	ctx := context.Background()
	cur, err := f.e.store.DB().Collection("survey_links").Find(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	var links []survey.SurveyLink
	if err := cur.All(ctx, &links); err != nil {
		t.Fatal(err)
	}
	live := map[string]int{}
	for _, l := range links {
		if _, err := f.e.store.ResolveToken(ctx, l.Token); err == nil {
			live[l.OrderID]++
		}
	}
	for oid, n := range live {
		if n > 1 {
			t.Errorf("order %s has %d live links", oid, n)
		}
	}
}

// checkOrder checks the invariants on one order of a round and returns its
// links by state: at most one live; a response only with an existing order
// and a link it answered; an acknowledged answer stored with its marker.
func (f *fateEnv) checkOrder(t *testing.T, oid string, tokens ...string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	states := f.linkStates(t, oid, tokens...)
	if n := len(states["live"]); n > 1 {
		t.Errorf("order %s has %d live links", oid, n)
	}
	_, oerr := f.e.store.Order(ctx, f.sid, oid)
	r, rerr := f.e.store.Response(ctx, f.sid, oid)
	switch {
	case rerr == nil && oerr != nil:
		t.Errorf("response of order %s, which is gone: %v", oid, oerr)
	case rerr == nil && len(states["answered"]) != 1:
		t.Errorf("response of order %s without exactly one answered link: %v", oid, states)
	case rerr != nil && !errors.Is(rerr, survey.ErrNotFound):
		t.Fatalf("read response: %v", rerr)
	case rerr != nil && len(states["answered"]) != 0:
		t.Errorf("order %s has an answered link and no response: %v", oid, states)
	}
	f.mu.Lock()
	marker, acked := f.acked[oid]
	f.mu.Unlock()
	if acked && (rerr != nil || r.Answers["commentaire"] != marker) {
		t.Errorf("acknowledged answer to order %s not stored: %v %v", oid, r, rerr)
	}
	return states
}

// ack records an acknowledged answer: a 303 to the thank-you page.
func (f *fateEnv) ack(t *testing.T, r reply, token, oid, marker string) bool {
	t.Helper()
	if r.status != http.StatusSeeOther {
		return false
	}
	if r.location != "/s/"+token+"/merci" {
		t.Errorf("answer redirected to %q", r.location)
	}
	f.mu.Lock()
	f.acked[oid] = marker
	f.mu.Unlock()
	return true
}

// issueIssue: two issues of a never-issued order give the same link.
func (f *fateEnv) issueIssue(t *testing.T, round int) {
	o := f.order(t, fmt.Sprintf("II-%02d", round), "2026-02-02")
	path := "/orders/" + o.ID + "/survey"
	rs := together(round,
		func() reply { return f.api(t, round, http.MethodPost, path, "") },
		func() reply { return f.api(t, round+1, http.MethodPost, path, "") },
	)
	f.note("issue+issue", rs...)
	var urls []string
	for _, r := range rs {
		switch r.status {
		case http.StatusOK:
			var l surveyLinkJSON
			if err := json.Unmarshal([]byte(r.body), &l); err != nil {
				t.Fatal(err)
			}
			urls = append(urls, l.URL)
		case http.StatusConflict:
		default:
			t.Errorf("issue: %d %s", r.status, r.body)
		}
	}
	if len(urls) == 0 || (len(urls) == 2 && urls[0] != urls[1]) {
		t.Fatalf("two issues gave %v", urls)
	}
	var tokens []string
	for _, u := range urls {
		tokens = append(tokens, tokenOf(t, u))
	}
	states := f.checkOrder(t, o.ID, tokens...)
	if len(states["live"]) != 1 || len(states) != 1 || states["live"][0] != tokenOf(t, urls[0]) {
		t.Errorf("links after two issues: %v, returned %v", states, urls)
	}
}

// batchBatch: two batch issues over the same orders give each one link.
func (f *fateEnv) batchBatch(t *testing.T, round int) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, round).Format(time.DateOnly)
	var ids []string
	for i := range fateBatchOrders() {
		ids = append(ids, f.order(t, fmt.Sprintf("BB-%02d-%02d", round, i), start).ID)
	}
	filter := fmt.Sprintf(`{"start_from":%q,"start_to":%q}`, start, start)
	rs := together(round,
		func() reply { return f.api(t, round, http.MethodPost, "/surveys/batch", filter) },
		func() reply { return f.api(t, round+1, http.MethodPost, "/surveys/batch", filter) },
	)
	f.note("batch+batch", rs...)
	byOrder := map[string][]string{}
	issued := 0
	for _, r := range rs {
		if r.status != http.StatusOK {
			t.Fatalf("batch: %d %s", r.status, r.body)
		}
		var b batchIssueJSON
		if err := json.Unmarshal([]byte(r.body), &b); err != nil {
			t.Fatal(err)
		}
		if n := fateBatchOrders(); b.Matched != n || b.Failed != 0 || b.Issued+b.Existing != n {
			t.Errorf("batch: matched %d, issued %d, existing %d, failed %d", b.Matched, b.Issued, b.Existing, b.Failed)
		}
		issued += b.Issued
		for _, l := range b.Links {
			byOrder[l.OrderID] = append(byOrder[l.OrderID], l.URL)
		}
	}
	if issued != fateBatchOrders() {
		t.Errorf("two batches issued %d new links for %d orders", issued, fateBatchOrders())
	}
	for _, id := range ids {
		urls := byOrder[id]
		var tokens []string
		for _, u := range urls {
			tokens = append(tokens, tokenOf(t, u))
		}
		states := f.checkOrder(t, id, tokens...)
		if len(urls) != 2 || urls[0] != urls[1] || len(states) != 1 || len(states["live"]) != 1 || states["live"][0] != tokenOf(t, urls[0]) {
			t.Errorf("order %s: batches returned %v, links %v", id, urls, states)
		}
	}
}

// answerCancel: the answer and the cancel of one link; one wins.
func (f *fateEnv) answerCancel(t *testing.T, round int) {
	o, token := f.issued(t, fmt.Sprintf("AC-%02d", round))
	marker := fmt.Sprintf("réponse AC-%02d", round)
	rs := together(round,
		func() reply { return f.answer(t, round, token, marker) },
		func() reply { return f.api(t, round+1, http.MethodDelete, "/orders/"+o.ID+"/survey", "") },
	)
	f.note("answer+cancel", rs...)
	answered := f.ack(t, rs[0], token, o.ID, marker)
	switch {
	case answered && rs[1].status == http.StatusConflict && strings.Contains(rs[1].body, "déjà reçu une réponse"):
	case !answered && rs[0].status == http.StatusGone && strings.Contains(rs[0].body, "a été annulé") && rs[1].status == http.StatusNoContent:
	default:
		t.Errorf("answer %d, cancel %d %s", rs[0].status, rs[1].status, rs[1].body)
	}
	states := f.checkOrder(t, o.ID, token)
	if answered && len(states["answered"]) != 1 || !answered && len(states["cancelled"]) != 1 {
		t.Errorf("links after answer %d and cancel %d: %v", rs[0].status, rs[1].status, states)
	}
}

// answerDelete: the answer to a link and the deletion of its order; one wins.
func (f *fateEnv) answerDelete(t *testing.T, round int) {
	o, token := f.issued(t, fmt.Sprintf("AD-%02d", round))
	marker := fmt.Sprintf("réponse AD-%02d", round)
	rs := together(round,
		func() reply { return f.answer(t, round, token, marker) },
		func() reply { return f.api(t, round+1, http.MethodDelete, "/orders/"+o.ID, "") },
	)
	f.note("answer+delete", rs...)
	answered := f.ack(t, rs[0], token, o.ID, marker)
	deletedFirst := rs[0].status == http.StatusGone && strings.Contains(rs[0].body, "a été annulé") ||
		rs[0].status == http.StatusNotFound // the deletion ended before the answer read the link
	switch {
	case answered && rs[1].status == http.StatusConflict && strings.Contains(rs[1].body, "ne peut plus être supprimé"):
	case !answered && deletedFirst && rs[1].status == http.StatusNoContent:
	default:
		t.Errorf("answer %d, delete %d %s", rs[0].status, rs[1].status, rs[1].body)
	}
	states := f.checkOrder(t, o.ID, token)
	_, err := f.e.store.Order(context.Background(), f.sid, o.ID)
	if answered && (err != nil || len(states["answered"]) != 1) || !answered && (!errors.Is(err, survey.ErrNotFound) || len(states["gone"]) != 1 || len(states) != 1) {
		t.Errorf("after answer %d and delete %d: order %v, links %v", rs[0].status, rs[1].status, err, states)
	}
}

// answerEdit: the answer to a link and an edit of its order. The edit is
// refused when the answer came first; when the edit came first, the answer
// carries the edited order.
func (f *fateEnv) answerEdit(t *testing.T, round int) {
	ref := fmt.Sprintf("AE-%02d", round)
	o, token := f.issued(t, ref)
	marker := fmt.Sprintf("réponse AE-%02d", round)
	edited := ref + "-modifié"
	body := orderBody(edited, func(m map[string]any) {
		m["start_date"], m["end_date"], m["job_title"] = "2026-02-02", "", "Agent polyvalent"
	})
	rs := together(round,
		func() reply { return f.answer(t, round, token, marker) },
		func() reply { return f.api(t, round+1, http.MethodPut, "/orders/"+o.ID, body) },
	)
	f.note("answer+edit", rs...)
	if !f.ack(t, rs[0], token, o.ID, marker) {
		t.Fatalf("answer: %d %s", rs[0].status, rs[0].body)
	}
	ctx := context.Background()
	stored, err := f.e.store.Order(ctx, f.sid, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.e.store.Response(ctx, f.sid, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case rs[1].status == http.StatusConflict && strings.Contains(rs[1].body, "ne peut plus être modifié"):
		if stored.Reference != ref || r.OrderReference != ref {
			t.Errorf("edit refused, yet order %q and response %q", stored.Reference, r.OrderReference)
		}
	case rs[1].status == http.StatusOK:
		if stored.Reference != edited || r.OrderReference != edited || r.JobTitle != "Agent polyvalent" {
			t.Errorf("edit accepted, yet order %q, response %q %q: the edit came after the answer", stored.Reference, r.OrderReference, r.JobTitle)
		}
	default:
		t.Errorf("edit: %d %s", rs[1].status, rs[1].body)
	}
	f.checkOrder(t, o.ID, token)
}

// cancelIssue: the cancel of the live link and an issue. Either the issue
// came first and returned the link the cancel then cancelled, or the
// cancel came first and the issue made a new link, the only live one.
func (f *fateEnv) cancelIssue(t *testing.T, round int) {
	o, token := f.issued(t, fmt.Sprintf("CI-%02d", round))
	path := "/orders/" + o.ID + "/survey"
	rs := together(round,
		func() reply { return f.api(t, round, http.MethodDelete, path, "") },
		func() reply { return f.api(t, round+1, http.MethodPost, path, "") },
	)
	f.note("cancel+issue", rs...)
	if rs[0].status != http.StatusNoContent || rs[1].status != http.StatusOK {
		t.Fatalf("cancel %d %s, issue %d %s", rs[0].status, rs[0].body, rs[1].status, rs[1].body)
	}
	var l surveyLinkJSON
	if err := json.Unmarshal([]byte(rs[1].body), &l); err != nil {
		t.Fatal(err)
	}
	got := tokenOf(t, l.URL)
	states := f.checkOrder(t, o.ID, token, got)
	f.note(map[bool]string{true: "cancel+issue: issue first", false: "cancel+issue: cancel first"}[got == token])
	if got == token {
		if len(states["live"]) != 0 || len(states["cancelled"]) != 1 {
			t.Errorf("issue returned the link the cancel then cancelled: links %v", states)
		}
	} else if len(states["live"]) != 1 || states["live"][0] != got || len(states["cancelled"]) != 1 || states["cancelled"][0] != token {
		t.Errorf("issue after the cancel returned %s…: links %v", got[:6], states)
	}
}

// checkAllResponses checks every stored response: its order exists, and
// it is the one acknowledged answer of the order if one was.
func (f *fateEnv) checkAllResponses(t *testing.T) {
	ctx := context.Background()
	cur, err := f.e.store.DB().Collection("responses").Find(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	var rs []survey.Response
	if err := cur.All(ctx, &rs); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rs {
		if _, err := f.e.store.Order(ctx, f.sid, r.OrderID); err != nil {
			t.Errorf("response of order %s (%s): %v", r.OrderID, r.OrderReference, err)
		}
		if m, ok := f.acked[r.OrderID]; ok && r.Answers["commentaire"] == m {
			seen[r.OrderID] = true
		}
	}
	for oid := range f.acked {
		if !seen[oid] {
			t.Errorf("acknowledged answer to order %s not stored", oid)
		}
	}
	if len(rs) != len(f.acked) {
		t.Errorf("%d responses stored, %d answers acknowledged", len(rs), len(f.acked))
	}
}

// checkCounts checks the read model's figures of the month against the
// orders and responses: responses counted are those stored, and the
// questionnaires sent are the orders with a link not cancelled, or answered.
func (f *fateEnv) checkCounts(t *testing.T) {
	ctx := context.Background()
	f.stopWork()
	f.stopWork = func() {}
	const month = "2026-03"
	if err := f.e.figures.RefreshSummary(ctx, f.sid, month); err != nil {
		t.Fatal(err)
	}
	sum, err := f.e.figures.Summary(ctx, f.sid, month)
	if err != nil {
		t.Fatal(err)
	}
	var issued, responses int
	for _, s := range sum.Services {
		issued += s.Issued
		responses += s.Responses
	}
	page, err := f.e.store.ListOrders(ctx, f.sid, survey.OrderFilter{PerPage: survey.MaxOrdersPerPage, Page: 1})
	if err != nil {
		t.Fatal(err)
	}
	wantIssued := 0
	for p := 1; ; p++ {
		for _, o := range page.Orders {
			if _, err := f.e.store.Response(ctx, f.sid, o.ID); err == nil || o.Survey != nil && o.Survey.CancelledAt == nil {
				wantIssued++
			}
		}
		if p*page.PerPage >= page.Total {
			break
		}
		if page, err = f.e.store.ListOrders(ctx, f.sid, survey.OrderFilter{PerPage: survey.MaxOrdersPerPage, Page: p + 1}); err != nil {
			t.Fatal(err)
		}
	}
	if responses != len(f.acked) || issued != wantIssued {
		t.Errorf("read model counts %d sent and %d responses; the store has %d and %d", issued, responses, wantIssued, len(f.acked))
	}
}
