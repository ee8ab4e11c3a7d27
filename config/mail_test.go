package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseSMTPURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want SMTPServer
		bad  bool
	}{
		{in: "smtp://mail.example.org", want: SMTPServer{Host: "mail.example.org", Port: 587, Security: SMTPStartTLS}},
		{in: "smtp://u%40x:p%3Ass@mail.example.org:2525", want: SMTPServer{Host: "mail.example.org", Port: 2525, Username: "u@x", Password: "p:ss", Security: SMTPStartTLS}},
		{in: "smtps://u:p@mail.example.org", want: SMTPServer{Host: "mail.example.org", Port: 465, Username: "u", Password: "p", Security: SMTPTLS}},
		{in: "smtp://localhost:1025?tls=none", want: SMTPServer{Host: "localhost", Port: 1025, Security: SMTPPlain}},
		{in: "smtps://localhost?tls=none", bad: true},
		{in: "smtp://localhost?tls=maybe", bad: true},
		{in: "smtp://localhost?auth=plain", bad: true},
		{in: "http://localhost", bad: true},
		{in: "smtp://localhost:99999", bad: true},
		{in: "smtp:///nohost", bad: true},
	}
	for _, c := range cases {
		got, err := ParseSMTPURL(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%s accepted: %+v", c.in, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %+v %v, want %+v", c.in, got, err, c.want)
		}
	}
}

func TestMailSettingsLoadedMaskedAndFromFile(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "smtp")
	if err := os.WriteFile(secret, []byte("smtp://capsat:s3cret@mail.example.org:587\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(nil, envMap(map[string]string{
		"CAPSAT_SMTP_URL_FILE": secret, "CAPSAT_MAIL_FROM": "ne-pas-repondre@capsat.fr", "CAPSAT_MAIL_POLL_INTERVAL": "5s",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := cfg.SMTP(); !ok || s.Password != "s3cret" || s.Security != SMTPStartTLS {
		t.Errorf("smtp: %+v %v", s, ok)
	}
	if cfg.MailFrom != "ne-pas-repondre@capsat.fr" || cfg.MailPollInterval != 5*time.Second {
		t.Errorf("mail settings: %q %v", cfg.MailFrom, cfg.MailPollInterval)
	}
	if logged := cfg.LogValues()["CAPSAT_SMTP_URL"]; strings.Contains(logged, "s3cret") || !strings.Contains(logged, "mail.example.org") {
		t.Errorf("logged SMTP URL: %q", logged)
	}
	_, err = Load(nil, envMap(map[string]string{"CAPSAT_SMTP_URL": "smtp://capsat:s3cret@mail.example.org?tls=maybe"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "CAPSAT_SMTP_URL") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("bad SMTP URL error: %v", err)
	}
	def, _ := Load(nil, envMap(nil), io.Discard)
	if _, ok := def.SMTP(); ok || def.MailPollInterval != 30*time.Second {
		t.Errorf("defaults: %+v", def)
	}
}
