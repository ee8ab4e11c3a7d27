// Package config loads capsat's settings: defaults, then environment variables,
// then command-line flags, each layer overriding the one before.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of a capsat process.
type Config struct {
	Addr            string        // CAPSAT_ADDR
	DataDir         string        // CAPSAT_DATA_DIR
	BaseURL         string        // CAPSAT_BASE_URL
	MongoURI        string        // MONGODB_URI (secret: may hold a password)
	MongoDatabase   string        // MONGODB_DATABASE
	ConnectTimeout  time.Duration // CAPSAT_CONNECT_TIMEOUT
	Debug           bool          // CAPSAT_DEBUG
	LogLevel        string        // CAPSAT_LOG_LEVEL
	MaxBodyBytes    int64         // CAPSAT_MAX_BODY_BYTES
	MaxUploadBytes  int64         // CAPSAT_MAX_UPLOAD_BYTES
	ShutdownTimeout time.Duration // CAPSAT_SHUTDOWN_TIMEOUT
	PublicRateLimit int           // CAPSAT_PUBLIC_RATE_LIMIT (requests per minute per IP)
	SecureCookies   string        // CAPSAT_SECURE_COOKIES: auto, always, never
	// Sessions and logins (accounts issue).
	SessionIdleTimeout time.Duration // CAPSAT_SESSION_IDLE_TIMEOUT
	SessionMaxAge      time.Duration // CAPSAT_SESSION_MAX_AGE
	LoginIPLimit       int           // CAPSAT_LOGIN_IP_LIMIT (attempts per 15 minutes per IP)
	LoginAccountLimit  int           // CAPSAT_LOGIN_ACCOUNT_LIMIT (failures per 15 minutes per account)
	// TrustedProxies may set X-Forwarded-For (CAPSAT_TRUSTED_PROXIES, comma-separated
	// IPs or CIDRs); empty trusts none, so the client IP is the connection's.
	TrustedProxies string
	// E-mail (issue 14, mail.go).
	SMTPURL          string        // CAPSAT_SMTP_URL (secret: may hold a password); empty: messages wait in the outbox
	MailFrom         string        // CAPSAT_MAIL_FROM
	MailPollInterval time.Duration // CAPSAT_MAIL_POLL_INTERVAL
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Addr:            ":8080",
		DataDir:         "./data",
		BaseURL:         "http://localhost:8080",
		MongoDatabase:   "capsat",
		ConnectTimeout:  10 * time.Second,
		LogLevel:        "info",
		MaxBodyBytes:    1 << 20,
		MaxUploadBytes:  20 << 20,
		ShutdownTimeout: 20 * time.Second,
		PublicRateLimit: 60,
		SecureCookies:   "auto",

		SessionIdleTimeout: 2 * time.Hour,
		SessionMaxAge:      12 * time.Hour,
		LoginIPLimit:       30,
		LoginAccountLimit:  5,

		MailFrom:         "capsat@localhost",
		MailPollInterval: 30 * time.Second,
	}
}

// setting binds one variable to its environment name, flag name and parser.
type setting struct {
	env   string
	flag  string
	usage string
	set   func(c *Config, v string) error
	get   func(c *Config) string
}

// isBoolFlag tells the flags that may be given without a value (--debug
// means --debug=true).
func isBoolFlag(name string) bool { return name == "debug" }

func settings() []setting {
	return append([]setting{
		{"CAPSAT_ADDR", "addr", "listen address", func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return errors.New("expected host:port, for example :8080")
			}
			c.Addr = v
			return nil
		}, func(c *Config) string { return c.Addr }},
		{"CAPSAT_DATA_DIR", "data-dir", "folder of the embedded store's data", func(c *Config, v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("must not be empty")
			}
			c.DataDir = v
			return nil
		}, func(c *Config) string { return c.DataDir }},
		{"CAPSAT_BASE_URL", "base-url", "public URL used in survey links", func(c *Config, v string) error {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("expected an absolute http(s) URL, for example https://capsat.example.org")
			}
			c.BaseURL = strings.TrimRight(v, "/")
			return nil
		}, func(c *Config) string { return c.BaseURL }},
		{"MONGODB_URI", "mongodb-uri", "MongoDB connection string; empty starts the embedded store", func(c *Config, v string) error {
			if v != "" && !strings.HasPrefix(v, "mongodb://") && !strings.HasPrefix(v, "mongodb+srv://") {
				return errors.New("expected a mongodb:// or mongodb+srv:// URI")
			}
			if _, err := url.Parse(v); err != nil {
				return errors.New("not a valid URI: percent-encode special characters of the user name and password")
			}
			c.MongoURI = v
			return nil
		}, func(c *Config) string { return maskURI(c.MongoURI) }},
		{"MONGODB_DATABASE", "mongodb-database", "database name", func(c *Config, v string) error {
			if v == "" || strings.ContainsAny(v, "/\\. \"$") {
				return errors.New("expected a database name without / \\ . space \" or $")
			}
			c.MongoDatabase = v
			return nil
		}, func(c *Config) string { return c.MongoDatabase }},
		{"CAPSAT_CONNECT_TIMEOUT", "connect-timeout", "store connect and server-selection timeout", durationSetter(func(c *Config) *time.Duration { return &c.ConnectTimeout }), func(c *Config) string { return c.ConnectTimeout.String() }},
		{"CAPSAT_DEBUG", "debug", "gin debug mode", func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("expected true or false")
			}
			c.Debug = b
			return nil
		}, func(c *Config) string { return strconv.FormatBool(c.Debug) }},
		{"CAPSAT_LOG_LEVEL", "log-level", "debug, info, warn or error", func(c *Config, v string) error {
			switch v {
			case "debug", "info", "warn", "error":
				c.LogLevel = v
				return nil
			}
			return errors.New("expected debug, info, warn or error")
		}, func(c *Config) string { return c.LogLevel }},
		{"CAPSAT_MAX_BODY_BYTES", "max-body-bytes", "largest JSON or form body accepted", sizeSetter(func(c *Config) *int64 { return &c.MaxBodyBytes }), func(c *Config) string { return strconv.FormatInt(c.MaxBodyBytes, 10) }},
		{"CAPSAT_MAX_UPLOAD_BYTES", "max-upload-bytes", "largest uploaded file accepted (imports, dashboards)", sizeSetter(func(c *Config) *int64 { return &c.MaxUploadBytes }), func(c *Config) string { return strconv.FormatInt(c.MaxUploadBytes, 10) }},
		{"CAPSAT_SHUTDOWN_TIMEOUT", "shutdown-timeout", "time given to in-flight requests at shutdown", durationSetter(func(c *Config) *time.Duration { return &c.ShutdownTimeout }), func(c *Config) string { return c.ShutdownTimeout.String() }},
		{"CAPSAT_PUBLIC_RATE_LIMIT", "public-rate-limit", "requests per minute per IP on public pages (0 disables)", countSetter(func(c *Config) *int { return &c.PublicRateLimit }), func(c *Config) string { return strconv.Itoa(c.PublicRateLimit) }},
		{"CAPSAT_SECURE_COOKIES", "secure-cookies", "auto (from base URL), always or never", func(c *Config, v string) error {
			switch v {
			case "auto", "always", "never":
				c.SecureCookies = v
				return nil
			}
			return errors.New("expected auto, always or never")
		}, func(c *Config) string { return c.SecureCookies }},
		{"CAPSAT_SESSION_IDLE_TIMEOUT", "session-idle-timeout", "a session ends after this long without activity", durationSetter(func(c *Config) *time.Duration { return &c.SessionIdleTimeout }), func(c *Config) string { return c.SessionIdleTimeout.String() }},
		{"CAPSAT_SESSION_MAX_AGE", "session-max-age", "a session ends this long after login, active or not", durationSetter(func(c *Config) *time.Duration { return &c.SessionMaxAge }), func(c *Config) string { return c.SessionMaxAge.String() }},
		{"CAPSAT_LOGIN_IP_LIMIT", "login-ip-limit", "login attempts per 15 minutes per IP (0 disables)", countSetter(func(c *Config) *int { return &c.LoginIPLimit }), func(c *Config) string { return strconv.Itoa(c.LoginIPLimit) }},
		{"CAPSAT_TRUSTED_PROXIES", "trusted-proxies", "load balancers allowed to set X-Forwarded-For (comma-separated IPs or CIDRs; empty: none)", func(c *Config, v string) error {
			for _, p := range splitList(v) {
				if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
					return fmt.Errorf("%q is neither an IP nor a CIDR", p)
				}
			}
			c.TrustedProxies = strings.Join(splitList(v), ",")
			return nil
		}, func(c *Config) string { return c.TrustedProxies }},
		{"CAPSAT_LOGIN_ACCOUNT_LIMIT", "login-account-limit", "failed logins per 15 minutes per account (0 disables)", countSetter(func(c *Config) *int { return &c.LoginAccountLimit }), func(c *Config) string { return strconv.Itoa(c.LoginAccountLimit) }},
	}, mailSettings()...)
}

// TrustedProxyList returns the trusted proxies as a list (nil: none).
func (c Config) TrustedProxyList() []string { return splitList(c.TrustedProxies) }

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func countSetter(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errors.New("expected a whole number, 0 or more")
		}
		*field(c) = n
		return nil
	}
}

func durationSetter(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("expected a positive duration such as 10s or 2m")
		}
		*field(c) = d
		return nil
	}
}

func sizeSetter(field func(*Config) *int64) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			return errors.New("expected a number of bytes, at least 1024")
		}
		*field(c) = n
		return nil
	}
}

// Load builds the configuration from defaults, the environment (getenv) and
// the flags in args. A bad value is an error naming its variable or flag.
// Variables named NAME_FILE are read from that file (for secrets).
func Load(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	cfg := Default()
	all := settings()
	for _, s := range all {
		v, ok, err := lookupEnv(s.env, getenv)
		if err != nil {
			return cfg, err
		}
		if !ok {
			continue
		}
		if err := s.set(&cfg, v); err != nil {
			return cfg, fmt.Errorf("invalid %s=%q: %w", s.env, maskIfSecret(s.env, v), err)
		}
	}
	fs := flag.NewFlagSet("capsat serve", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: capsat [serve] [flags]\n\nEach flag overrides its environment variable (NAME_FILE reads the value from a file).\n\n")
		fs.PrintDefaults()
	}
	defaults := Default()
	for _, s := range all {
		s := s
		help := s.usage + " (" + s.env
		if d := s.get(&defaults); d != "" {
			help += ", default " + d
		}
		help += ")"
		parse := func(v string) error {
			if err := s.set(&cfg, v); err != nil {
				return fmt.Errorf("invalid --%s (%s): %w", s.flag, s.env, err)
			}
			return nil
		}
		if isBoolFlag(s.flag) {
			fs.BoolFunc(s.flag, help, parse)
		} else {
			fs.Func(s.flag, help, parse)
		}
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return cfg, nil
}

func lookupEnv(name string, getenv func(string) string) (string, bool, error) {
	if path := getenv(name + "_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", false, fmt.Errorf("invalid %s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), true, nil
	}
	v := getenv(name)
	return v, v != "", nil
}

// LogValues returns every setting by environment name, secrets masked.
func (c Config) LogValues() map[string]string {
	out := map[string]string{}
	for _, s := range settings() {
		out[s.env] = s.get(&c)
	}
	return out
}

// Embedded reports whether the embedded store is used (no MONGODB_URI).
func (c Config) Embedded() bool { return c.MongoURI == "" }

// CookiesSecure reports whether session cookies carry the Secure attribute.
func (c Config) CookiesSecure() bool {
	switch c.SecureCookies {
	case "always":
		return true
	case "never":
		return false
	}
	return c.HTTPS()
}

// HTTPS reports whether capsat is reached over https (its base URL says
// so): responses then ask browsers to use https only (HSTS).
func (c Config) HTTPS() bool { return strings.HasPrefix(c.BaseURL, "https://") }

func maskIfSecret(env, v string) string {
	if env == "MONGODB_URI" || env == "CAPSAT_SMTP_URL" {
		return maskURI(v)
	}
	return v
}

// maskURI hides the password of a connection string; one it cannot parse
// loses everything between the scheme and the last "@".
func maskURI(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		scheme, rest, ok := strings.Cut(v, "://")
		if at := strings.LastIndex(rest, "@"); ok && at >= 0 {
			return scheme + "://xxxxx" + rest[at:]
		}
		return v
	}
	if u.User == nil {
		return v
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// SMTP returns the SMTP server, false when none is configured (messages
// then wait in the outbox). Load has checked the URL.
func (c Config) SMTP() (SMTPServer, bool) {
	if c.SMTPURL == "" {
		return SMTPServer{}, false
	}
	s, err := ParseSMTPURL(c.SMTPURL)
	return s, err == nil
}

func mailSettings() []setting {
	return []setting{
		{"CAPSAT_SMTP_URL", "smtp-url", "SMTP server: smtp://[user:pass@]host:port (STARTTLS required), smtps://... (TLS), ?tls=none for a local server; empty: messages wait in the outbox", func(c *Config, v string) error {
			if v != "" {
				if _, err := ParseSMTPURL(v); err != nil {
					return err
				}
			}
			c.SMTPURL = v
			return nil
		}, func(c *Config) string { return maskURI(c.SMTPURL) }},
		{"CAPSAT_MAIL_FROM", "mail-from", "envelope and header sender address of every e-mail", func(c *Config, v string) error {
			a, err := mail.ParseAddress(v)
			if err != nil || a.Address != strings.TrimSpace(v) {
				return errors.New("expected a bare address, for example capsat@example.org")
			}
			c.MailFrom = a.Address
			return nil
		}, func(c *Config) string { return c.MailFrom }},
		{"CAPSAT_MAIL_POLL_INTERVAL", "mail-poll-interval", "how often due e-mails are looked for", durationSetter(func(c *Config) *time.Duration { return &c.MailPollInterval }), func(c *Config) string { return c.MailPollInterval.String() }},
	}
}
