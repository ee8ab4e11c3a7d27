package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
)

// SMTPSecurity is how the connection to the SMTP server is protected.
type SMTPSecurity string

// The three ways CAPSAT_SMTP_URL may ask for.
const (
	SMTPStartTLS SMTPSecurity = "starttls" // smtp://: STARTTLS required, nothing sent without it
	SMTPTLS      SMTPSecurity = "tls"      // smtps://: TLS from the first byte
	SMTPPlain    SMTPSecurity = "none"     // smtp://...?tls=none: a local server such as Mailpit
)

// SMTPServer is CAPSAT_SMTP_URL parsed.
type SMTPServer struct {
	Host     string
	Port     int
	Username string
	Password string
	Security SMTPSecurity
}

// ParseSMTPURL reads smtp://[user:pass@]host:port (STARTTLS required),
// smtps://[user:pass@]host:port (implicit TLS) or smtp://host:port?tls=none
// (plain). The port defaults to 587, 465 and 25.
func ParseSMTPURL(v string) (SMTPServer, error) {
	u, err := url.Parse(v)
	if err != nil {
		return SMTPServer{}, errors.New("not a valid URL: percent-encode special characters of the user name and password")
	}
	var s SMTPServer
	port := 0
	switch u.Scheme {
	case "smtp":
		s.Security, port = SMTPStartTLS, 587
	case "smtps":
		s.Security, port = SMTPTLS, 465
	default:
		return SMTPServer{}, errors.New("expected smtp://[user:pass@]host:port or smtps://...")
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return SMTPServer{}, fmt.Errorf("unknown parameter %q (only tls=none)", k)
		}
	}
	switch q.Get("tls") {
	case "":
	case "none":
		if s.Security == SMTPTLS {
			return SMTPServer{}, errors.New("smtps:// is TLS: tls=none contradicts it")
		}
		s.Security, port = SMTPPlain, 25
	default:
		return SMTPServer{}, errors.New("tls accepts only none")
	}
	s.Host = u.Hostname()
	if s.Host == "" || (u.Path != "" && u.Path != "/") {
		return SMTPServer{}, errors.New("expected smtp://[user:pass@]host:port")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPServer{}, errors.New("invalid port")
		}
		port = n
	}
	s.Port = port
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}

// Addr is host:port.
func (s SMTPServer) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }
