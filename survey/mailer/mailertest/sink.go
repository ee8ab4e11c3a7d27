// Package mailertest runs a real SMTP server (go-smtp) in the test
// process, keeps the messages it accepts, parsed, and can refuse them on
// demand or stop and start again on the same address.
package mailertest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Received is one message the sink accepted.
type Received struct {
	EnvelopeFrom string
	To           []string
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
}

// Start runs a sink for test t on a free port, stopped at its end.
func Start(t testing.TB) *Sink {
	t.Helper()
	s := &Sink{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

// CountOnly makes the sink count messages without keeping them (benchmarks).
func (s *Sink) CountOnly() {
	s.mu.Lock()
	s.keep = true
	s.mu.Unlock()
}

func (s *Sink) serve(ln net.Listener) {
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
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

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Sink
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
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
	rec := Received{EnvelopeFrom: x.from, To: append([]string(nil), x.to...), Raw: raw}
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

// Header decodes header name of a received message (RFC 2047 words).
func (r Received) HeaderText(name string) string {
	v := r.Header.Get(name)
	d, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}
