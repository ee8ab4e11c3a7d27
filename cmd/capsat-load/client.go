package main

import (
	"bytes"
	"cmp"
	"context"
	cryptorand "crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"capsat/survey"
)

// client talks to capsat over HTTP: the API for setup, the public pages for
// the load itself. It never follows redirects and never retries.
type client struct {
	base   string
	apiKey string
	http   *http.Client
}

func newClient(base, apiKey string, conns int) *client {
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, IdleConnTimeout: time.Minute}
	return &client{base: strings.TrimRight(base, "/"), apiKey: apiKey, http: &http.Client{
		Transport:     tr,
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// api sends a JSON API request and decodes a 2xx answer into out.
func (c *client) api(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return json.Unmarshal(b, out)
}

// setupClients bounds the clients that issue the links through the API:
// the setup is not measured, and on the embedded store more writers at
// once only queue longer on SQLite's lock (at 50, some waited past its 10 s
// busy timeout).
const setupClients = 8

// issueLinks creates n orders and issues their survey links through the API,
// with conc clients (setupClients at most); it returns the tokens.
func (c *client) issueLinks(ctx context.Context, sid string, n, conc int) ([]string, time.Duration, error) {
	conc = min(conc, setupClients)
	start := time.Now()
	tokens := make([]string, n)
	errs := make([]error, n)
	runIndexed(n, conc, func(i int) {
		var order struct {
			ID string `json:"id"`
		}
		in := map[string]any{
			"reference": fmt.Sprintf("CHARGE-%d-%06d", start.UnixNano(), i), "service_type": survey.ServiceMAD,
			"client":    map[string]string{"company": "Client " + strconv.Itoa(i)},
			"job_title": "Agent d'entretien", "start_date": "2026-03-03", "end_date": "2026-03-14", "hours": 35,
		}
		if errs[i] = c.api(ctx, http.MethodPost, "/api/v1/structures/"+sid+"/orders", in, &order); errs[i] != nil {
			return
		}
		var link struct {
			URL string `json:"url"`
		}
		if errs[i] = c.api(ctx, http.MethodPost, "/api/v1/structures/"+sid+"/orders/"+order.ID+"/survey", nil, &link); errs[i] != nil {
			return
		}
		_, tokens[i], _ = strings.Cut(link.URL, "/s/")
	})
	for _, err := range errs {
		if err != nil {
			return nil, 0, fmt.Errorf("issue links: %w", err)
		}
	}
	return tokens, time.Since(start), nil
}

// runIndexed calls f(0..n-1) from conc goroutines.
func runIndexed(n, conc int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

var formTokenRE = regexp.MustCompile(`name="_form" value="([^"]+)"`)

// submit opens the form (for its cookie and form token) and posts answers.
func (c *client) submit(ctx context.Context, token string, rng *rand.Rand) submission {
	var s submission
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/s/"+token, nil)
	resp, err := c.http.Do(req)
	if err != nil {
		s.err = fmt.Errorf("get form: %w", err)
		return s
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	s.get = time.Since(start)
	m := formTokenRE.FindSubmatch(page)
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "capsat_form" {
			cookie = ck
		}
	}
	if resp.StatusCode != http.StatusOK || m == nil || cookie == nil {
		s.err = fmt.Errorf("get form: status %d, form token found %v", resp.StatusCode, m != nil && cookie != nil)
		return s
	}
	start = time.Now()
	s.status, _, s.err = c.post(ctx, token, cookie, string(m[1]), answers(rng))
	s.post = time.Since(start)
	return s
}

// post sends a survey form with a form token pair and returns the status
// and the page.
func (c *client) post(ctx context.Context, token string, cookie *http.Cookie, formToken string, form url.Values) (int, []byte, error) {
	form.Set("_form", formToken)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/s/"+token, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("post form: %w", err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	return resp.StatusCode, page, err
}

// answers fills the default staff-provision questionnaire with varied answers.
func answers(rng *rand.Rand) url.Values {
	v := url.Values{}
	for _, q := range survey.DefaultMADQuestions() {
		switch q.Type {
		case survey.QuestionScale:
			v.Set(q.Code, survey.ScaleLevels[rng.IntN(len(survey.ScaleLevels))].Value)
		case survey.QuestionYesNo:
			v.Set(q.Code, []string{survey.YesAnswer, survey.NoAnswer}[rng.IntN(2)])
		case survey.QuestionNPS:
			v.Set(q.Code, strconv.Itoa(rng.IntN(11)))
		case survey.QuestionText:
			v.Set(q.Code, "Réponse de charge : intervention conforme, personne ponctuelle et agréable.")
		}
	}
	return v
}

// submitAll answers every link once with conc clients, and tells
// acknowledged of each answer acknowledged (303) as soon as it is.
func (c *client) submitAll(ctx context.Context, tokens []string, conc int, acknowledged func(token string)) *submitResult {
	results := make([]submission, len(tokens))
	start := time.Now()
	runIndexed(len(tokens), conc, func(i int) {
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		results[i] = c.submit(ctx, tokens[i], rng)
		if results[i].err == nil && results[i].status == http.StatusSeeOther {
			acknowledged(tokens[i])
		}
	})
	return newSubmitResult(tokens, results, time.Since(start))
}

// resubmit posts answers again to already answered links, with a fresh
// form token pair (the double-submit check only needs cookie = field), and
// counts the ones refused with the already-answered page.
func (c *client) resubmit(ctx context.Context, tokens []string, conc int) (int, error) {
	var mu sync.Mutex
	refused := 0
	var firstErr error
	runIndexed(len(tokens), conc, func(i int) {
		ft := newFormToken()
		status, page, err := c.post(ctx, tokens[i], &http.Cookie{Name: "capsat_form", Value: ft}, ft, answers(rand.New(rand.NewPCG(uint64(i), 9))))
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			firstErr = cmp.Or(firstErr, err)
		case status == http.StatusOK && bytes.Contains(page, []byte("votre réponse a déjà été enregistrée")):
			refused++
		}
	})
	return refused, firstErr
}

func newFormToken() string {
	b := make([]byte, 18)
	_, _ = cryptorand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
