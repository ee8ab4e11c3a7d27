package main

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"

	"capsat/config"
	"capsat/survey/mailer"
	"capsat/survey/store"
)

// newMailer builds the outbox's sender loop from the configuration:
// without CAPSAT_SMTP_URL it has no transport and messages wait.
func newMailer(cfg config.Config, st *store.Store, log *slog.Logger) (*mailer.Mailer, error) {
	var tr mailer.Transport
	if s, ok := cfg.SMTP(); ok {
		t, err := mailer.NewSMTP(mailer.Server{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password, Security: mailer.Security(s.Security)})
		if err != nil {
			return nil, fmt.Errorf("SMTP server (CAPSAT_SMTP_URL): %w", err)
		}
		tr = t
	}
	host, _ := os.Hostname()
	m, err := mailer.New(mailer.Options{
		Store: st, Transport: tr, From: cfg.MailFrom, BaseURL: cfg.BaseURL, Poll: cfg.MailPollInterval,
		Holder: host + ":" + strconv.Itoa(os.Getpid()), Logger: log,
	})
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	// Password resets, alerts and digests, composed when enqueued.
	m.RegisterNotices(st)
	return m, nil
}
