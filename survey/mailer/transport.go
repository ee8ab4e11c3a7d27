package mailer

import (
	"context"
	"errors"
	"net/textproto"
	"regexp"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// Transport hands messages to an SMTP server. Send may keep a connection
// open between messages; Close ends it.
type Transport interface {
	Send(ctx context.Context, m *gomail.Msg) error
	Close() error
}

// Security is how the connection to the server is protected.
type Security string

// Security modes (CAPSAT_SMTP_URL).
const (
	StartTLS Security = "starttls" // required: nothing is sent without it
	TLS      Security = "tls"      // implicit TLS
	Plain    Security = "none"     // a local server only
)

// Server is the SMTP server the mailer sends through.
type Server struct {
	Host     string
	Port     int
	Username string
	Password string
	Security Security
	Timeout  time.Duration // per connection step; 0: 30s
}

// SMTP is the go-mail transport: one connection, opened when a message
// needs it and kept for the next ones until Close or an error.
type SMTP struct {
	client *gomail.Client
	conn   *smtp.Client
}

// NewSMTP returns a transport to server s; nothing is dialled yet.
func NewSMTP(s Server) (*SMTP, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(timeout)}
	switch s.Security {
	case TLS:
		opts = append(opts, gomail.WithSSL())
	case Plain:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, err
	}
	return &SMTP{client: c}, nil
}

// Send sends m, dialling first if no connection is open. After an error
// the connection is dropped: the next message dials again.
func (t *SMTP) Send(ctx context.Context, m *gomail.Msg) error {
	if t.conn == nil {
		conn, err := t.client.DialToSMTPClientWithContext(ctx)
		if err != nil {
			return err
		}
		t.conn = conn
	}
	if err := t.client.SendWithSMTPClient(t.conn, m); err != nil {
		_ = t.Close()
		return err
	}
	return nil
}

// Close ends the open connection, if any.
func (t *SMTP) Close() error {
	if t.conn == nil {
		return nil
	}
	conn := t.conn
	t.conn = nil
	return t.client.CloseWithSMTPClient(conn)
}

var replyCode = regexp.MustCompile(`(?:^|: )([45]\d\d)[ -]`)

// Permanent tells whether a send error will not go away by trying again:
// the server answered 5xx. Anything else (4xx, a timeout, a refused or
// dropped connection, no STARTTLS offered) is temporary: the message is
// tried again later.
func Permanent(err error) bool {
	return smtpCode(err) >= 500
}

// smtpCode is the reply code an error carries, 0 when none.
func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		if c := se.ErrorCode(); c != 0 {
			return c
		}
	}
	if m := replyCode.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}
