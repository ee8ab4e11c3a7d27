// Package mailertest runs a real SMTP server (go-smtp) in the test
// process, keeps the messages it accepts, parsed, and can refuse them on
// demand or stop and start again on the same address. It speaks plain
// SMTP, offers STARTTLS, or is TLS from the first byte, with a certificate
// made in the test (see CA), and may require AUTH PLAIN.
package mailertest

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mode is how a sink protects its connections.
type Mode int

// Sink modes.
const (
	Plain    Mode = iota // plain SMTP, STARTTLS not offered
	StartTLS             // plain at first, STARTTLS offered
	TLS                  // TLS from the first byte (smtps://)
)

// Options configure a sink started with StartWith.
type Options struct {
	Mode Mode
	CA   *CA // signs the sink's certificate (StartTLS, TLS); nil: a new one
	// Users are the accounts AUTH PLAIN accepts (user: password); when
	// set, MAIL needs a successful AUTH, and AUTH needs TLS.
	Users map[string]string
	// Idle is how long the server waits for a command before dropping the
	// client; 0: 10s.
	Idle time.Duration
}

// Received is one message the sink accepted.
type Received struct {
	EnvelopeFrom string
	To           []string
	TLS          bool   // the message came over TLS (the server's view of the connection)
	AuthUser     string // who authenticated, "" when nobody did
	Header       mail.Header
	Text         string // the text/plain part, decoded
	HTML         string // the text/html part, decoded
	Raw          []byte
}

// Sink is an SMTP server on 127.0.0.1 that keeps what it receives.
type Sink struct {
	mu       sync.Mutex
	addr     string
	srv      *smtp.Server
	received []Received
	refuse   *smtp.SMTPError // answer to DATA while set
	keep     bool            // keep the raw message only (benchmarks)
	count    int
	o        Options
	tls      *tls.Config // nil in Plain mode
}

// Start runs a plain sink for test t on a free port, stopped at its end.
func Start(t testing.TB) *Sink { return StartWith(t, Options{}) }

// StartWith runs a sink with options o for test t on a free port, stopped
// at its end.
func StartWith(t testing.TB, o Options) *Sink {
	t.Helper()
	s := &Sink{o: o}
	if o.Mode != Plain {
		if s.o.CA == nil {
			s.o.CA = NewCA(t)
		}
		s.tls = s.o.CA.serverConfig(t)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

// CA is the authority that signed the sink's certificate (nil in Plain
// mode).
func (s *Sink) CA() *CA { return s.o.CA }

// CountOnly makes the sink count messages without keeping them (benchmarks).
func (s *Sink) CountOnly() {
	s.mu.Lock()
	s.keep = true
	s.mu.Unlock()
}

func (s *Sink) serve(ln net.Listener) {
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	// A plain sink lets AUTH through in the clear (as Mailpit does); the
	// others refuse it before TLS, as real servers do.
	srv.AllowInsecureAuth = s.o.Mode == Plain
	srv.ReadTimeout = 10 * time.Second
	if s.o.Idle > 0 {
		srv.ReadTimeout = s.o.Idle
	}
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests want
	switch s.o.Mode {
	case StartTLS:
		srv.TLSConfig = s.tls
	case TLS:
		srv.TLSConfig = s.tls
		ln = tls.NewListener(ln, s.tls) // what ListenAndServeTLS does
	}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Addr is the sink's host:port.
func (s *Sink) Addr() string { return s.addr }

// Port is the sink's port.
func (s *Sink) Port() int { return s.addrPort() }

func (s *Sink) addrPort() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n := 0
	for _, r := range p {
		n = n*10 + int(r-'0')
	}
	return n
}

// Stop closes the server: connections are refused until Restart.
func (s *Sink) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Restart listens again on the same address.
func (s *Sink) Restart(t testing.TB) {
	t.Helper()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	s.serve(ln)
}

// Refuse makes the sink answer DATA with code and text (450: temporary,
// 550: permanent) until Accept.
func (s *Sink) Refuse(code int, text string) {
	s.mu.Lock()
	s.refuse = &smtp.SMTPError{Code: code, EnhancedCode: smtp.NoEnhancedCode, Message: text}
	s.mu.Unlock()
}

// Accept makes the sink accept messages again.
func (s *Sink) Accept() {
	s.mu.Lock()
	s.refuse = nil
	s.mu.Unlock()
}

// Messages returns what the sink accepted so far.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Count is the number of messages accepted.
func (s *Sink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

type backend struct{ s *Sink }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s    *Sink
	conn *smtp.Conn
	user string // authenticated as
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if len(x.s.o.Users) > 0 && x.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	x.from = from
	return nil
}

// AuthMechanisms offers AUTH PLAIN when the sink has accounts.
func (x *session) AuthMechanisms() []string {
	if len(x.s.o.Users) == 0 {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || len(x.s.o.Users) == 0 {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if want, ok := x.s.o.Users[user]; !ok || want != pass {
			return smtp.ErrAuthFailed
		}
		x.user = user
		return nil
	}), nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.refuse != nil {
		return x.s.refuse
	}
	x.s.count++
	if x.s.keep {
		return nil
	}
	_, overTLS := x.conn.TLSConnectionState()
	rec := Received{EnvelopeFrom: x.from, To: append([]string(nil), x.to...), TLS: overTLS, AuthUser: x.user, Raw: raw}
	if err := parse(&rec); err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.NoEnhancedCode, Message: "unreadable message: " + err.Error()}
	}
	x.s.received = append(x.s.received, rec)
	return nil
}

// parse fills the header and the text and HTML parts of rec.
func parse(rec *Received) error {
	m, err := mail.ReadMessage(bytes.NewReader(rec.Raw))
	if err != nil {
		return err
	}
	rec.Header = m.Header
	return walk(rec, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
}

func walk(rec *Received, ctype, enc string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(rec, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(enc) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		rec.Text = string(b)
	case "text/html":
		rec.HTML = string(b)
	}
	return nil
}

// HeaderText decodes header name of a received message (RFC 2047 words).
func (r Received) HeaderText(name string) string {
	v := r.Header.Get(name)
	d, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}
