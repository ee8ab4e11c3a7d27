package handlers

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"capsat/config"
	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/readmodel"
	"capsat/survey/store"
	"capsat/survey/surveytest"
)

func TestMain(m *testing.M) { surveytest.Main(m) }

// testEnv is a real router on a fresh database with a settable clock.
type testEnv struct {
	t       *testing.T
	store   *store.Store
	figures *readmodel.Model
	clock   *surveytest.Clock
	router  *Router
	cfg     config.Config
}

// newTestEnv builds the real router on its own database. The clock starts
// on 2026-03-01 09:00 UTC.
func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	store := surveytest.Store(t, clock.Now)
	figures := surveytest.ReadModel(t, store)
	cfg := config.Default()
	cfg.BaseURL = "http://capsat.test"
	cfg.PublicRateLimit = 0
	r, err := NewRouter(Deps{Store: store, ReadModel: figures, Config: cfg, Logger: slog.New(slog.DiscardHandler), Now: clock.Now})
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	return &testEnv{t: t, store: store, figures: figures, clock: clock, router: r, cfg: cfg}
}

// structure creates a structure and returns it with a structure_admin key.
func (e *testEnv) structure(name, region string) (*survey.Structure, string) {
	e.t.Helper()
	st := surveytest.Structure(e.t, e.store, name, region)
	return st, e.key(accounts.APIKeyInput{Name: "test", Role: accounts.RoleStructureAdmin, StructureID: st.ID})
}

// key creates an API key and returns its plaintext.
func (e *testEnv) key(in accounts.APIKeyInput) string {
	e.t.Helper()
	_, plain, err := e.store.CreateAPIKey(context.Background(), in)
	if err != nil {
		e.t.Fatalf("create key: %v", err)
	}
	return plain
}

// federationKey returns a key of the federation role.
func (e *testEnv) federationKey() string {
	return e.key(accounts.APIKeyInput{Name: "fédération", Role: accounts.RoleFederation})
}

// do sends a request through the router; body is JSON when it is a string
// starting with { or [, and key, when set, is sent as a Bearer token.
func (e *testEnv) do(method, path, body, key string) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return e.serve(req)
}

// serve runs a prepared request through the router.
func (e *testEnv) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	return rec
}

// decode unmarshals a JSON response body.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	return v
}
