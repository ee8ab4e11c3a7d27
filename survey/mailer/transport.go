package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
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
	// RootCAs are the authorities the server's certificate must chain to;
	// nil: the system's (what cmd/capsat uses). Tests pass their own CA
	// here rather than skipping verification.
	RootCAs *x509.CertPool
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
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12, RootCAs: s.RootCAs})}
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
	reused := t.conn != nil
	err := t.send(ctx, m)
	var se *gomail.SendError
	if reused && errors.As(err, &se) && se.Reason == gomail.ErrConnCheck {
		// The kept connection died while idle (servers drop idle
		// clients; the batch's record takes a while): go-mail's NOOP
		// check failed before anything of m was sent. Dial again, once.
		err = t.send(ctx, m)
	}
	return err
}

func (t *SMTP) send(ctx context.Context, m *gomail.Msg) error {
	if t.conn == nil {
		conn, err := t.client.DialToSMTPClientWithContext(ctx)
		if err != nil {
			return dialError(err)
		}
		t.conn = conn
	}
	if err := t.client.SendWithSMTPClient(t.conn, m); err != nil {
		_ = t.Close()
		if authCode(smtpCode(err)) { // e.g. 530 at MAIL: credentials missing
			return &ConfigError{Reason: "le serveur exige une authentification qu'il n'a pas reçue ou refuse", Err: err}
		}
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

// ConfigError is a failure that comes from how capsat is told to reach
// the server (CAPSAT_SMTP_URL), not from the message: the server offers no
// STARTTLS where smtp:// requires it, does not speak TLS on an smtps://
// port, shows a certificate that is not trusted, or refuses the
// credentials. Nothing was sent; trying again helps only once the
// configuration (or the server) is fixed.
type ConfigError struct {
	Reason string // in French, for the structure's "Envois" page
	Err    error
}

func (e *ConfigError) Error() string {
	return "serveur d'envoi mal configuré (CAPSAT_SMTP_URL) : " + e.Reason + " [" + e.Err.Error() + "]"
}

func (e *ConfigError) Unwrap() error { return e.Err }

// ServerConfig tells whether err is a ConfigError.
func ServerConfig(err error) bool {
	var ce *ConfigError
	return errors.As(err, &ce)
}

// dialError classifies a failure to open a usable connection. A refused,
// dropped or timed-out connection and a 4xx answer are the server being
// away for now; anything else before the first message (TLS, STARTTLS,
// AUTH, a 5xx greeting) is the configuration: nothing about the message
// can fail there.
func dialError(err error) error {
	var (
		verify *tls.CertificateVerificationError
		header tls.RecordHeaderError
		alert  tls.AlertError
		netErr net.Error
	)
	code := smtpCode(err)
	switch {
	case errors.As(err, &verify):
		return &ConfigError{Reason: "le certificat du serveur n'est pas reconnu (autorité inconnue, nom ou dates ne correspondant pas)", Err: err}
	case errors.As(err, &header):
		return &ConfigError{Reason: "le serveur ne parle pas TLS sur ce port (smtps:// attend du TLS dès la connexion)", Err: err}
	case errors.As(err, &alert):
		return &ConfigError{Reason: "la négociation TLS a échoué", Err: err}
	case strings.Contains(err.Error(), "does not support STARTTLS"):
		return &ConfigError{Reason: "le serveur ne propose pas STARTTLS, que smtp:// exige (?tls=none pour un serveur local)", Err: err}
	case authCode(code):
		return &ConfigError{Reason: "le serveur refuse l'identifiant ou le mot de passe", Err: err}
	case errors.As(err, &netErr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), code >= 400 && code < 500:
		return err
	case code >= 500:
		return &ConfigError{Reason: "le serveur refuse la connexion", Err: err}
	}
	if strings.Contains(err.Error(), "AUTH") {
		return &ConfigError{Reason: "le serveur ne propose pas l'authentification demandée", Err: err}
	}
	return err
}

// authCode tells whether an SMTP reply code refuses who capsat is (RFC
// 4954: authentication required, too weak, refused, needs encryption).
func authCode(code int) bool {
	return code == 530 || code == 534 || code == 535 || code == 538
}

var replyCode = regexp.MustCompile(`(?:^|: )([45]\d\d)[ -]`)

// Permanent tells whether a send error will not go away by trying again:
// the server answered 5xx about the message. A configuration error is not
// (see ConfigError); anything else (4xx, a timeout, a refused or dropped
// connection) is temporary: the message is tried again later.
func Permanent(err error) bool {
	if ServerConfig(err) {
		return false
	}
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
