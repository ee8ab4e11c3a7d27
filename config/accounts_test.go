package config

import (
	"io"
	"testing"
	"time"
)

func TestSessionAndLoginSettings(t *testing.T) {
	t.Parallel()
	cfg := Default()
	if cfg.SessionIdleTimeout != 2*time.Hour || cfg.SessionMaxAge != 12*time.Hour || cfg.TrustedProxyList() != nil {
		t.Fatalf("defaults: %+v", cfg)
	}
	env := map[string]string{
		"CAPSAT_SESSION_IDLE_TIMEOUT": "30m",
		"CAPSAT_SESSION_MAX_AGE":      "8h",
		"CAPSAT_LOGIN_IP_LIMIT":       "0",
		"CAPSAT_TRUSTED_PROXIES":      " 10.0.0.0/8, 192.0.2.1 ,",
	}
	cfg, err := Load(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	list := cfg.TrustedProxyList()
	if cfg.SessionIdleTimeout != 30*time.Minute || cfg.SessionMaxAge != 8*time.Hour || cfg.LoginIPLimit != 0 ||
		len(list) != 2 || list[0] != "10.0.0.0/8" || list[1] != "192.0.2.1" {
		t.Fatalf("loaded: %+v %v", cfg, list)
	}
}
