package mailer_test

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"capsat/config"
	"capsat/survey"
	"capsat/survey/mailer"
	"capsat/survey/mailer/mailertest"

	gomail "github.com/wneessen/go-mail"
)

// The CAPSAT_SMTP_URL contract against real servers: smtp:// requires
// STARTTLS, smtps:// is TLS from the first byte, ?tls=none allows plain
// SMTP; certificates are verified (against the test's CA here, the
// system's in capsat).

// viaURL points the world's loop at the server CAPSAT_SMTP_URL u names
// (parsed as cmd/capsat parses it), trusting roots.
func (w *world) viaURL(u string, roots *x509.CertPool) {
	w.t.Helper()
	s, err := config.ParseSMTPURL(u)
	if err != nil {
		w.t.Fatal(err)
	}
	tr, err := mailer.NewSMTP(mailer.Server{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password,
		Security: mailer.Security(s.Security), Timeout: 5 * time.Second, RootCAs: roots})
	if err != nil {
		w.t.Fatal(err)
	}
	w.m, err = mailer.New(mailer.Options{Store: w.store, Transport: tr, From: mailFrom, BaseURL: baseURL, Holder: "tls"})
	if err != nil {
		w.t.Fatal(err)
	}
}

// tlsWorld is a world whose sink runs in mode o.
func tlsWorld(t *testing.T, o mailertest.Options) *world {
	w := newWorld(t)
	w.sink = mailertest.StartWith(t, o)
	return w
}

func (w *world) url(scheme, userinfo, query string) string {
	return scheme + "://" + userinfo + w.sink.Addr() + query
}

func TestSMTPURLUsesSTARTTLSWhenTheServerOffersIt(t *testing.T) {
	w := tlsWorld(t, mailertest.Options{Mode: mailertest.StartTLS})
	w.viaURL(w.url("smtp", "", ""), w.sink.CA().Pool())
	w.order("TLS-1", "2026-05-01")
	if r := w.round(); r.Sent != 1 {
		t.Fatalf("round: %+v", r)
	}
	got := w.sink.Messages()
	if len(got) != 1 || !got[0].TLS {
		t.Fatalf("received %d, over TLS: %v", len(got), len(got) == 1 && got[0].TLS)
	}
}

// A plain server under smtp://: nothing goes in clear text; the message
// waits with the reason, its attempt given back, and the round stops.
func TestSMTPURLRefusesAServerWithoutSTARTTLS(t *testing.T) {
	w := newWorld(t) // a plain sink: no STARTTLS offered
	w.viaURL(w.url("smtp", "", ""), nil)
	first := w.order("TLS-2", "2026-05-01")
	second := w.order("TLS-3", "2026-05-01")
	r, err := w.m.RunOnce(w.ctx)
	if !errors.Is(err, mailer.ErrServerConfig) || r.Sent != 0 || r.Retried != 1 {
		t.Fatalf("round: %+v %v", r, err)
	}
	if len(w.sink.Messages()) != 0 {
		t.Fatal("sent in clear text")
	}
	m := w.messages(first)[0]
	if m.Status != survey.MessageQueued || m.Attempts != 0 || !strings.Contains(m.Error, "STARTTLS") ||
		!strings.Contains(m.Error, "CAPSAT_SMTP_URL") || !m.DueAt.After(w.store.Now()) {
		t.Fatalf("the message after the refusal: %+v", m)
	}
	t.Logf("shown: %s", m.Error)
	if m := w.messages(second)[0]; m.Attempts != 0 || m.Error != "" {
		t.Fatalf("the round went on after a configuration error: %+v", m)
	}
	// Many rounds later the message still waits: a configuration error
	// never gives a message up, and the reason stays on it.
	for range 40 {
		w.clock.Advance(2 * time.Minute)
		if _, err := w.m.RunOnce(w.ctx); !errors.Is(err, mailer.ErrServerConfig) {
			t.Fatalf("round: %v", err)
		}
	}
	if m := w.messages(first)[0]; m.Status != survey.MessageQueued || m.Attempts != 0 || !strings.Contains(m.Error, "STARTTLS") {
		t.Fatalf("after 40 refused rounds: %+v", m)
	}
	// Once the configuration says plain SMTP is wanted, both go, once.
	w.viaURL(w.url("smtp", "", "?tls=none"), nil)
	w.clock.Advance(2 * time.Minute)
	if r := w.round(); r.Sent != 2 {
		t.Fatalf("round after the fix: %+v", r)
	}
	if m := w.messages(first)[0]; m.Status != survey.MessageSent || m.Attempts != 1 || m.Error != "" {
		t.Fatalf("sent after the fix: %+v", m)
	}
	if n := len(w.sink.Messages()); n != 2 {
		t.Fatalf("received %d", n)
	}
}

func TestSMTPSURLIsTLSFromTheFirstByte(t *testing.T) {
	w := tlsWorld(t, mailertest.Options{Mode: mailertest.TLS})
	w.viaURL(w.url("smtps", "", ""), w.sink.CA().Pool())
	w.order("TLS-4", "2026-05-01")
	if r := w.round(); r.Sent != 1 {
		t.Fatalf("round: %+v", r)
	}
	if got := w.sink.Messages(); len(got) != 1 || !got[0].TLS {
		t.Fatalf("received %+v", got)
	}
}

func TestSMTPSURLAgainstAPlainServerFailsClearly(t *testing.T) {
	w := newWorld(t)
	w.viaURL(w.url("smtps", "", ""), nil)
	o := w.order("TLS-5", "2026-05-01")
	if _, err := w.m.RunOnce(w.ctx); !errors.Is(err, mailer.ErrServerConfig) {
		t.Fatalf("round: %v", err)
	}
	if m := w.messages(o)[0]; m.Status != survey.MessageQueued || !strings.Contains(m.Error, "ne parle pas TLS") {
		t.Fatalf("message: %+v", m)
	}
}

func TestTLSNoneSendsPlainSMTP(t *testing.T) {
	w := newWorld(t)
	w.viaURL(w.url("smtp", "", "?tls=none"), nil)
	w.order("TLS-6", "2026-05-01")
	if r := w.round(); r.Sent != 1 {
		t.Fatalf("round: %+v", r)
	}
	if got := w.sink.Messages(); len(got) != 1 || got[0].TLS {
		t.Fatalf("received %+v", got)
	}
}

func TestAuthPlainOverTLS(t *testing.T) {
	users := map[string]string{"capsat": "s3cret:é/@"}
	for _, c := range []struct {
		name   string
		mode   mailertest.Mode
		scheme string
	}{{"starttls", mailertest.StartTLS, "smtp"}, {"implicit", mailertest.TLS, "smtps"}} {
		t.Run(c.name, func(t *testing.T) {
			w := tlsWorld(t, mailertest.Options{Mode: c.mode, Users: users})
			w.viaURL(w.url(c.scheme, "capsat:s3cret%3A%C3%A9%2F%40@", ""), w.sink.CA().Pool())
			w.order("AUTH-1", "2026-05-01")
			if r := w.round(); r.Sent != 1 {
				t.Fatalf("round: %+v", r)
			}
			if got := w.sink.Messages(); len(got) != 1 || !got[0].TLS || got[0].AuthUser != "capsat" {
				t.Fatalf("received %+v", got)
			}
		})
	}
}

func TestRefusedCredentialsAreAConfigurationError(t *testing.T) {
	w := tlsWorld(t, mailertest.Options{Mode: mailertest.StartTLS, Users: map[string]string{"capsat": "right"}})
	o := w.order("AUTH-2", "2026-05-01")
	w.viaURL(w.url("smtp", "capsat:wrong@", ""), w.sink.CA().Pool())
	if _, err := w.m.RunOnce(w.ctx); !errors.Is(err, mailer.ErrServerConfig) {
		t.Fatalf("round: %v", err)
	}
	if m := w.messages(o)[0]; m.Status != survey.MessageQueued || m.Attempts != 0 || !strings.Contains(m.Error, "mot de passe") || strings.Contains(m.Error, "wrong") {
		t.Fatalf("message: %+v", m)
	} else {
		t.Logf("shown: %s", m.Error)
	}
	// Without credentials the server refuses MAIL: also the configuration.
	w.viaURL(w.url("smtp", "", ""), w.sink.CA().Pool())
	w.clock.Advance(2 * time.Minute)
	if _, err := w.m.RunOnce(w.ctx); !errors.Is(err, mailer.ErrServerConfig) {
		t.Fatalf("round without credentials: %v", err)
	}
	if m := w.messages(o)[0]; m.Status != survey.MessageQueued || !strings.Contains(m.Error, "authentification") {
		t.Fatalf("message: %+v", m)
	}
	if len(w.sink.Messages()) != 0 {
		t.Fatal("accepted without authentication")
	}
}

func TestUntrustedCertificateFailsClearly(t *testing.T) {
	for _, c := range []struct {
		name   string
		mode   mailertest.Mode
		scheme string
	}{{"starttls", mailertest.StartTLS, "smtp"}, {"implicit", mailertest.TLS, "smtps"}} {
		t.Run(c.name, func(t *testing.T) {
			w := tlsWorld(t, mailertest.Options{Mode: c.mode})
			o := w.order("CERT-1", "2026-05-01")
			// Another CA than the one that signed the server's certificate.
			w.viaURL(w.url(c.scheme, "", ""), mailertest.NewCA(t).Pool())
			if _, err := w.m.RunOnce(w.ctx); !errors.Is(err, mailer.ErrServerConfig) {
				t.Fatalf("round: %v", err)
			}
			m := w.messages(o)[0]
			if m.Status != survey.MessageQueued || !strings.Contains(m.Error, "certificat") || !strings.Contains(m.Error, "x509") {
				t.Fatalf("message: %+v", m)
			}
			t.Logf("shown: %s", m.Error)
			if len(w.sink.Messages()) != 0 {
				t.Fatal("sent to an untrusted server")
			}
		})
	}
}

// A connection kept between batches that the server dropped while idle is
// dialled again, and the message goes.
func TestKeptConnectionDroppedWhileIdleIsDialledAgain(t *testing.T) {
	t.Parallel()
	sink := mailertest.StartWith(t, mailertest.Options{Idle: 200 * time.Millisecond})
	tr, err := mailer.NewSMTP(mailer.Server{Host: "127.0.0.1", Port: sink.Port(), Security: mailer.Plain, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for i := range 2 {
		g := gomail.NewMsg()
		_ = g.From(mailFrom)
		_ = g.To("client@example.org")
		g.Subject("idle")
		g.SetBodyString(gomail.TypeTextPlain, "bonjour")
		if err := tr.Send(context.Background(), g); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if n := sink.Count(); n != 2 {
		t.Fatalf("received %d", n)
	}
}
