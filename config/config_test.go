package config

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// envMap is a fake environment.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaultsWhenNothingIsSet(t *testing.T) {
	t.Parallel()
	cfg, err := Load(nil, envMap(nil), io.Discard)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Errorf("got %+v, want the defaults %+v", cfg, Default())
	}
	if !cfg.Embedded() {
		t.Error("no MONGODB_URI must mean the embedded store")
	}
	if cfg.Addr != ":8080" || cfg.DataDir != "./data" || cfg.MongoDatabase != "capsat" {
		t.Errorf("documented defaults changed: %+v", cfg)
	}
}

func TestLoadRefusesAnInvalidSettingByName(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"CAPSAT_ADDR":                 "8080",
		"CAPSAT_DATA_DIR":             "   ",
		"CAPSAT_BASE_URL":             "capsat.example.org",
		"MONGODB_URI":                 "postgres://db:5432",
		"MONGODB_DATABASE":            "cap.sat",
		"CAPSAT_CONNECT_TIMEOUT":      "10",
		"CAPSAT_DEBUG":                "maybe",
		"CAPSAT_LOG_LEVEL":            "verbose",
		"CAPSAT_MAX_BODY_BYTES":       "1M",
		"CAPSAT_MAX_UPLOAD_BYTES":     "12",
		"CAPSAT_SHUTDOWN_TIMEOUT":     "-5s",
		"CAPSAT_PUBLIC_RATE_LIMIT":    "-1",
		"CAPSAT_SECURE_COOKIES":       "sometimes",
		"CAPSAT_SESSION_IDLE_TIMEOUT": "2h30",
		"CAPSAT_SESSION_MAX_AGE":      "0s",
		"CAPSAT_LOGIN_IP_LIMIT":       "beaucoup",
		"CAPSAT_LOGIN_ACCOUNT_LIMIT":  "-3",
		"CAPSAT_TRUSTED_PROXIES":      "10.0.0.0/33",
		"CAPSAT_SMTP_URL":             "imap://mail.example.org",
		"CAPSAT_MAIL_FROM":            "Capsat <capsat@example.org>",
		"CAPSAT_MAIL_POLL_INTERVAL":   "souvent",
	}
	// Every setting must be covered, so a new one cannot slip in unchecked.
	for _, s := range settings() {
		if _, ok := bad[s.env]; !ok {
			t.Errorf("no invalid value tested for %s", s.env)
		}
	}
	for name, value := range bad {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(nil, envMap(map[string]string{name: value}), io.Discard)
			if err == nil {
				t.Fatalf("%s=%q was accepted", name, value)
			}
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name %s", err, name)
			}
		})
	}
}

func TestLoadRefusesAnInvalidFlagByName(t *testing.T) {
	t.Parallel()
	for _, s := range settings() {
		if isBoolFlag(s.flag) {
			continue // --debug alone is valid; its value is checked above
		}
		t.Run(s.flag, func(t *testing.T) {
			t.Parallel()
			_, err := Load([]string{"--" + s.flag + "=\x01not valid\x01"}, envMap(nil), io.Discard)
			if s.env == "CAPSAT_DATA_DIR" {
				// Any non-empty folder name is acceptable.
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("an invalid value was accepted")
			}
			if !strings.Contains(err.Error(), "--"+s.flag) || !strings.Contains(err.Error(), s.env) {
				t.Errorf("error %q names neither --%s nor %s", err, s.flag, s.env)
			}
		})
	}
}

func TestLoadLayersFlagsOverEnvironmentOverDefaults(t *testing.T) {
	t.Parallel()
	env := envMap(map[string]string{
		"CAPSAT_ADDR":            "127.0.0.1:9000",
		"CAPSAT_BASE_URL":        "https://capsat.example.org/",
		"MONGODB_URI":            "mongodb://db:27017",
		"CAPSAT_CONNECT_TIMEOUT": "3s",
		"CAPSAT_LOG_LEVEL":       "warn",
	})
	cfg, err := Load([]string{"--addr", ":9100", "--debug", "--log-level=error"}, env, io.Discard)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	want := Default()
	want.Addr = ":9100"
	want.BaseURL = "https://capsat.example.org"
	want.MongoURI = "mongodb://db:27017"
	want.ConnectTimeout = 3 * time.Second
	want.LogLevel = "error"
	want.Debug = true
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got %+v\nwant %+v", cfg, want)
	}
	if cfg.Embedded() {
		t.Error("MONGODB_URI set must mean MongoDB, not the embedded store")
	}
}

func TestLoadReadsFileVariants(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := filepath.Join(dir, "mongodb_uri")
	if err := os.WriteFile(secret, []byte("mongodb://capsat:s3cret@db:27017/?authSource=admin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := envMap(map[string]string{
		"MONGODB_URI_FILE": secret,
		"MONGODB_URI":      "mongodb://ignored:27017",
	})
	cfg, err := Load(nil, env, io.Discard)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if cfg.MongoURI != "mongodb://capsat:s3cret@db:27017/?authSource=admin" {
		t.Errorf("MONGODB_URI_FILE not used (or not trimmed): %q", cfg.MongoURI)
	}
	if logged := cfg.LogValues()["MONGODB_URI"]; strings.Contains(logged, "s3cret") {
		t.Errorf("password logged: %q", logged)
	}

	_, err = Load(nil, envMap(map[string]string{"CAPSAT_DATA_DIR_FILE": filepath.Join(dir, "missing")}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "CAPSAT_DATA_DIR_FILE") {
		t.Errorf("a missing _FILE must be refused by name, got %v", err)
	}
}

func TestInvalidSecretIsMaskedInTheError(t *testing.T) {
	t.Parallel()
	_, err := Load([]string{}, envMap(map[string]string{"MONGODB_URI": "http://capsat:s3cret@db"}), io.Discard)
	if err == nil {
		t.Fatal("an http:// URI was accepted")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestLoadHelpAndStrayArguments(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	_, err := Load([]string{"--help"}, envMap(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: got %v, want flag.ErrHelp", err)
	}
	for _, s := range settings() {
		if !strings.Contains(out.String(), s.env) {
			t.Errorf("help does not mention %s", s.env)
		}
	}
	if _, err := Load([]string{"extra"}, envMap(nil), io.Discard); err == nil {
		t.Error("a stray argument was accepted")
	}
}

func TestCookiesSecure(t *testing.T) {
	t.Parallel()
	cases := []struct {
		mode, base string
		want       bool
	}{
		{"auto", "https://capsat.example.org", true},
		{"auto", "http://localhost:8080", false},
		{"always", "http://localhost:8080", true},
		{"never", "https://capsat.example.org", false},
	}
	for _, c := range cases {
		cfg := Default()
		cfg.SecureCookies, cfg.BaseURL = c.mode, c.base
		if got := cfg.CookiesSecure(); got != c.want {
			t.Errorf("%s with %s: got %v, want %v", c.mode, c.base, got, c.want)
		}
	}
}

func TestMongoURIWithARawPasswordIsRefusedAndNeverLogged(t *testing.T) {
	t.Parallel()
	raw := "mongodb://capsat:s3cret pw%@db:27017/"
	var log strings.Builder
	if _, err := Load(nil, envMap(map[string]string{"MONGODB_URI": raw}), &log); err == nil {
		t.Fatal("a URI with a raw space and % in its password was accepted")
	}
	if strings.Contains(log.String(), "s3cret") {
		t.Fatalf("the password reached the output: %s", log.String())
	}
	if got := maskURI(raw); strings.Contains(got, "s3cret") || !strings.HasSuffix(got, "@db:27017/") {
		t.Fatalf("maskURI(%q) = %q", raw, got)
	}
}
