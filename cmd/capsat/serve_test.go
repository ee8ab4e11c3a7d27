package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"capsat/config"
	"capsat/handlers"
	"capsat/survey"
	"capsat/survey/embedded"
	"capsat/survey/store"
	"capsat/survey/surveytest"
)

// get sends a GET with an optional API key and decodes a JSON body into out.
func get(t *testing.T, url, key string, out any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("GET %s: decode: %v", url, err)
		}
	}
	return resp.StatusCode
}

func TestRestartOnTheSameDataFolderKeepsTheData(t *testing.T) {
	t.Parallel()
	vars := testGetenv(t, map[string]string{"CAPSAT_LOG_LEVEL": "info"})

	// Each command is a start and a stop of the embedded store.
	created := mustRunJSON[map[string]string](t, vars, "admin", "create-structure",
		"--name", "AI du Bocage", "--siret", surveytest.ValidSIRET, "--region", "Normandie", "--type", "AI")
	key := mustRunJSON[map[string]string](t, vars, "admin", "create-api-key", "--name", "test", "--role", "federation")

	srv := startServe(t, vars)
	if code := get(t, srv.url+"/healthz", "", nil); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
	if code := get(t, srv.url+"/readyz", "", nil); code != http.StatusOK {
		t.Errorf("/readyz: %d", code)
	}
	var list struct {
		Structures []survey.Structure `json:"structures"`
	}
	if code := get(t, srv.url+"/api/v1/structures", key["key"], &list); code != http.StatusOK {
		t.Fatalf("list structures: %d", code)
	}
	if len(list.Structures) != 1 || list.Structures[0].ID != created["id"] || list.Structures[0].Name != "AI du Bocage" {
		t.Errorf("after restart got %+v, want the structure %s", list.Structures, created["id"])
	}
	srv.stop()
	if err := srv.wait(t); err != nil {
		t.Errorf("serve after cancel: %v, want nil (exit status 0)", err)
	}
	if !strings.Contains(srv.stderr.String(), "embedded FerretDB") {
		t.Errorf("the log does not say which store is in use:\n%s", srv.stderr.String())
	}
}

// The MongoDB path of openStore (retryable writes, majority write concern,
// no embedded store started) runs against the test store's server: the
// package's embedded FerretDB, or the server at MONGODB_URI in MongoDB mode.
func TestCommandsAndServeOnMongoDBURI(t *testing.T) {
	t.Parallel()
	vars := testGetenv(t, map[string]string{"MONGODB_URI": surveytest.URI(), "MONGODB_DATABASE": surveytest.Database(t).Name(), "CAPSAT_LOG_LEVEL": "info"})
	created := mustRunJSON[map[string]string](t, vars, "admin", "create-structure",
		"--name", "AI du Bocage", "--siret", surveytest.ValidSIRET, "--region", "Normandie", "--type", "AI")
	key := mustRunJSON[map[string]string](t, vars, "admin", "create-api-key", "--name", "test", "--role", "federation")

	srv := startServe(t, vars)
	if code := get(t, srv.url+"/readyz", "", nil); code != http.StatusOK {
		t.Errorf("/readyz: %d", code)
	}
	var list struct {
		Structures []survey.Structure `json:"structures"`
	}
	if code := get(t, srv.url+"/api/v1/structures", key["key"], &list); code != http.StatusOK {
		t.Fatalf("list structures: %d", code)
	}
	if len(list.Structures) != 1 || list.Structures[0].ID != created["id"] {
		t.Errorf("got %+v, want the structure %s", list.Structures, created["id"])
	}
	srv.stop()
	if err := srv.wait(t); err != nil {
		t.Errorf("serve after cancel: %v, want nil (exit status 0)", err)
	}
	if log := srv.stderr.String(); !strings.Contains(log, "store: MongoDB") || strings.Contains(log, "embedded FerretDB") {
		t.Errorf("the log does not say the store at MONGODB_URI is in use:\n%s", log)
	}
	if entries, err := os.ReadDir(vars["CAPSAT_DATA_DIR"]); err != nil || len(entries) > 0 {
		t.Errorf("the data folder must stay unused with MONGODB_URI: %v %v", entries, err)
	}
}

func TestUnreachableMongoDBFailsTheStartWithinTheTimeout(t *testing.T) {
	t.Parallel()
	vars := testGetenv(t, map[string]string{"MONGODB_URI": "mongodb://127.0.0.1:1", "CAPSAT_CONNECT_TIMEOUT": "2s", "CAPSAT_ADDR": "127.0.0.1:0"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	err := run(ctx, []string{"serve"}, func(k string) string { return vars[k] }, strings.NewReader(""), &syncBuffer{}, &syncBuffer{})
	if err == nil {
		t.Fatal("serve started without its store")
	}
	if !strings.Contains(err.Error(), "store did not answer within 2s") {
		t.Errorf("unclear message: %v", err)
	}
	// A generous bound: it only catches a start that ignores the timeout.
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		t.Errorf("start failed after %s, with a 2s connect timeout", elapsed)
	}
}

func TestInvalidSettingStopsTheStartByName(t *testing.T) {
	t.Parallel()
	cases := map[string]map[string]string{
		"CAPSAT_ADDR":            {"CAPSAT_ADDR": "8080"},
		"CAPSAT_CONNECT_TIMEOUT": {"CAPSAT_CONNECT_TIMEOUT": "soon"},
		"MONGODB_URI":            {"MONGODB_URI": "localhost:27017"},
	}
	for name, vars := range cases {
		for _, cmd := range [][]string{{"serve"}, {"demo"}, {"admin", "create-api-key", "--name", "x", "--role", "federation"}} {
			_, err := runCapsat(t, testGetenv(t, vars), cmd...)
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("capsat %s with bad %s: got %v, want an error naming it", cmd[0], name, err)
			}
		}
	}
}

func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	t.Parallel()
	vars := testGetenv(t, nil)
	key := mustRunJSON[map[string]string](t, vars, "admin", "create-api-key", "--name", "test", "--role", "federation")
	srv := startServe(t, vars)

	// Send a request that waits for "100 Continue" before its body: once the
	// server asks for the body, the handler is running and the request is in
	// flight.
	body := fmt.Sprintf(`{"name": "ACI des Landes", "siret": %q, "region": "Bretagne", "type": "ACI"}`, surveytest.ValidSIRET)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/structures HTTP/1.1\r\nHost: capsat\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", key["key"], len(body))
	replies := bufio.NewReader(conn)
	cont, err := http.ReadResponse(replies, nil)
	if err != nil || cont.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue, got %v %v", cont, err)
	}

	srv.stop()
	waitUntilListenerCloses(t, srv.url)
	select {
	case err := <-srv.done:
		t.Fatalf("serve returned (%v) with a request in flight", err)
	default:
	}

	fmt.Fprint(conn, body)
	resp, err := http.ReadResponse(replies, nil)
	if err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("in-flight request: status %d, want 201", resp.StatusCode)
	}
	if err := srv.wait(t); err != nil {
		t.Errorf("serve after shutdown: %v, want nil (exit status 0)", err)
	}
}

// waitUntilListenerCloses polls until new connections are refused: the
// shutdown has begun.
func waitUntilListenerCloses(t *testing.T, url string) {
	t.Helper()
	addr := strings.TrimPrefix(url, "http://")
	for range 500 {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the listener still accepts connections after the shutdown began")
}

// Readiness reports the store's last write probe at once: 200 while the
// store writes, 503 within a few seconds of the store stopping, with its
// cause; liveness stays 200.
func TestReadyzTurns503WhenTheStoreStopsAnswering(t *testing.T) {
	t.Parallel()
	srv, err := embedded.Start(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			srv.Stop()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client, err := store.Connect(ctx, store.ConnectOptions{URI: srv.URI(), Timeout: 10 * time.Second, Embedded: true})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	st := store.NewStore(client.Database("capsat"), store.Options{Embedded: true})
	router, err := handlers.NewRouter(handlers.Deps{Store: st, Config: config.Default(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ready := func() (int, map[string]any) {
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		var body map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		return rec.Code, body
	}
	if code, _ := ready(); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz before any probe: %d, want 503", code)
	}
	if err := st.ProbeWrite(ctx); err != nil {
		t.Fatal(err)
	}
	go st.RunProbes(ctx)
	if code, body := ready(); code != http.StatusOK || body["probe"] == nil {
		t.Fatalf("/readyz with the store up: %d %v", code, body)
	}
	srv.Stop()
	stopped = true
	stoppedAt := time.Now()
	for {
		code, body := ready()
		if code == http.StatusServiceUnavailable {
			if body["cause"] != store.CauseUnreachable {
				t.Errorf("/readyz names no cause: %v", body)
			}
			t.Logf("/readyz: 503 %s after the store stopped", time.Since(stoppedAt).Round(time.Millisecond))
			break
		}
		if time.Since(stoppedAt) > 3*store.ProbeEvery+store.ProbeTimeout {
			t.Fatalf("/readyz still %d %v after %s", code, body, time.Since(stoppedAt))
		}
		time.Sleep(50 * time.Millisecond)
	}
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("/healthz must stay 200 (the process is alive): %d", rec.Code)
	}
}
