package mailer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"capsat/survey"
	"capsat/survey/store"

	gomail "github.com/wneessen/go-mail"
)

// Store is what the mailer needs of the store: the outbox and, for the
// survey kinds, what a mail shows.
type Store interface {
	DueMessages(ctx context.Context, now time.Time, limit int) ([]survey.OutboxMessage, error)
	ClaimMessages(ctx context.Context, msgs []survey.OutboxMessage, holder string) ([]*store.Claim, error)
	RecordAttempts(ctx context.Context, as []store.Attempt, p survey.RetryPolicy) error
	PrepareSurveyMail(ctx context.Context, m *survey.OutboxMessage) (*store.SurveyMail, string, error)
	Now() time.Time
}

// Composer builds the mail of a claimed message, or gives a French reason
// not to send it (the message is then cancelled with that reason). It is
// called right before sending, so what it reads is current.
type Composer func(ctx context.Context, m *survey.OutboxMessage) (mail *Mail, cancel string, err error)

// Options configure a Mailer.
type Options struct {
	Store     Store
	Transport Transport // nil: no SMTP server configured; messages wait
	From      string    // CAPSAT_MAIL_FROM
	BaseURL   string    // CAPSAT_BASE_URL
	Holder    string    // this instance's name on its claims (host and pid)
	Poll      time.Duration
	// Batch is how many due messages are read, claimed together, sent on
	// one connection and recorded together; 0: 100. A crash between the
	// sending and the record resends at most this many, once each.
	Batch  int
	Retry  survey.RetryPolicy
	Logger *slog.Logger
}

// Mailer is the sender loop.
type Mailer struct {
	o         Options
	templates *Templates
	composers map[survey.MessageKind]Composer
	wake      chan struct{}
	mu        sync.Mutex // one round at a time in this process
}

// New builds a mailer; the survey kinds' composers are registered.
func New(o Options) (*Mailer, error) {
	t, err := ParseTemplates()
	if err != nil {
		return nil, err
	}
	if o.Batch <= 0 {
		o.Batch = 100
	}
	if o.Poll <= 0 {
		o.Poll = 30 * time.Second
	}
	if o.Retry.MaxAttempts == 0 {
		o.Retry = survey.DefaultRetryPolicy
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Holder == "" {
		o.Holder = survey.NewID()
	}
	m := &Mailer{o: o, templates: t, composers: map[survey.MessageKind]Composer{}, wake: make(chan struct{}, 1)}
	m.Register(survey.KindInvitation, m.composeSurvey)
	m.Register(survey.KindReminder, m.composeSurvey)
	return m, nil
}

// Register names the composer of messages of kind k (other work adds its
// kinds: alerts, digests, password resets). Call it before Run.
func (m *Mailer) Register(k survey.MessageKind, c Composer) { m.composers[k] = c }

// Templates are the mailer's parsed templates (previews).
func (m *Mailer) Templates() *Templates { return m.templates }

// Configured tells whether an SMTP server is configured: without one,
// messages wait in the outbox.
func (m *Mailer) Configured() bool { return m.o.Transport != nil }

// Wake asks the loop for a round now (a message was just queued).
func (m *Mailer) Wake() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Run sends due messages every Poll (or when woken) until ctx ends. Without
// an SMTP server it returns at once: the messages wait.
func (m *Mailer) Run(ctx context.Context) {
	if m.o.Transport == nil {
		m.o.Logger.Warn("no SMTP server configured (CAPSAT_SMTP_URL): e-mails wait in the outbox")
		return
	}
	defer m.o.Transport.Close()
	t := time.NewTicker(m.o.Poll)
	defer t.Stop()
	for {
		if _, err := m.RunOnce(ctx); errors.Is(err, ErrServerConfig) {
			m.o.Logger.Error("outbox round: nothing sent", slog.String("error", err.Error()))
		} else if err != nil && ctx.Err() == nil {
			m.o.Logger.Warn("outbox round", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-m.wake:
		}
	}
}

// ErrServerConfig ends a round whose connection failed as configured (see
// ConfigError): the messages wait until the configuration is fixed.
var ErrServerConfig = errors.New("SMTP server unusable as configured (CAPSAT_SMTP_URL)")

// Round tells what one round did.
type Round struct {
	Sent, Failed, Retried, Cancelled, Skipped int
}

// readAhead is how many batches one read of the due messages feeds: on
// the embedded store the read converts the whole outbox, whatever the
// limit, so it is done once for several batches (a message that moved on
// meanwhile is caught by its claim).
const readAhead = 10

// RunOnce sends the messages due now, batch after batch until none is
// left, and closes the connection.
func (m *Mailer) RunOnce(ctx context.Context) (Round, error) {
	var r Round
	if m.o.Transport == nil {
		return r, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.o.Transport.Close()
	seen := map[string]bool{}
	limit := m.o.Batch * readAhead
	for {
		due, err := m.o.Store.DueMessages(ctx, m.o.Store.Now(), limit)
		if err != nil {
			return r, err
		}
		fresh := due[:0:0]
		for _, msg := range due {
			if !seen[msg.ID] { // a message seen is retried later, or held by another sender: next round
				seen[msg.ID] = true
				fresh = append(fresh, msg)
			}
		}
		for rest := fresh; len(rest) > 0; {
			n := min(len(rest), m.o.Batch)
			if err := m.sendBatch(ctx, rest[:n], &r); err != nil {
				return r, err
			}
			rest = rest[n:]
		}
		if len(fresh) == 0 || len(due) < limit {
			return r, nil
		}
	}
}

// sendBatch claims msgs, composes and sends each in turn on the open
// connection, and records what became of them all.
func (m *Mailer) sendBatch(ctx context.Context, msgs []survey.OutboxMessage, r *Round) error {
	if len(msgs) == 0 {
		return nil
	}
	claims, err := m.o.Store.ClaimMessages(ctx, msgs, m.o.Holder)
	if err != nil {
		return err
	}
	var (
		attempts []store.Attempt
		stop     error // the round ends: the others are given back untried
	)
	for i, c := range claims {
		if c == nil {
			r.Skipped++
			continue
		}
		a := store.Attempt{Claim: c, Message: &msgs[i]}
		if stop == nil && ctx.Err() != nil {
			stop = ctx.Err()
		}
		// A claim keeps other senders off for store.ClaimTimeout only:
		// one that waited half of it behind a slow server is given back
		// unsent rather than sent near the time another sender may take
		// it over.
		if stop != nil || m.o.Store.Now().Sub(c.At) > store.ClaimTimeout/2 {
			a.Release = true
		} else {
			stop = m.attempt(ctx, &a, r)
		}
		attempts = append(attempts, a)
	}
	// The record runs on its own context: a stop in the middle must not
	// leave sent messages unrecorded when the store could still take them.
	rec, cancelRec := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancelRec()
	if err := m.o.Store.RecordAttempts(rec, attempts, m.o.Retry); err != nil {
		return err
	}
	return stop
}

// attempt composes and sends a's message, and says in a what became of
// it. A non-nil result ends the round: the server is unusable as
// configured.
func (m *Mailer) attempt(ctx context.Context, a *store.Attempt, r *Round) error {
	msg := a.Message
	compose := m.composers[msg.Kind]
	if compose == nil {
		r.Failed++
		a.Delivery = survey.Delivery{Err: fmt.Errorf("aucun modèle pour les messages « %s »", msg.Kind), Permanent: true}
		return nil
	}
	mail, cancel, err := compose(ctx, msg)
	if err != nil {
		// The store failed while reading: the attempt counts as a
		// temporary failure, retried with the others.
		r.Retried++
		a.Delivery = survey.Delivery{Err: err}
		return nil
	}
	if cancel != "" {
		r.Cancelled++
		a.Cancel = cancel
		return nil
	}
	gm, id, err := m.build(msg, a.Claim.Attempt, mail)
	if err != nil {
		r.Failed++
		a.Delivery = survey.Delivery{Err: err, Permanent: true}
		return nil
	}
	a.Delivery = survey.Delivery{MessageID: id}
	err = m.o.Transport.Send(ctx, gm)
	if err == nil {
		a.Delivery.SMTPResponse = "250 accepté par le serveur"
		r.Sent++
		return nil
	}
	d := &a.Delivery
	d.Err, d.Permanent, d.Config, d.SMTPResponse = err, Permanent(err), ServerConfig(err), err.Error()
	switch {
	case d.Config:
		// Every other message would fail the same way: the round stops
		// here, and says why (Run logs it as an error).
		r.Retried++
		return fmt.Errorf("%w: %w", ErrServerConfig, err)
	case d.Permanent:
		r.Failed++
	default:
		r.Retried++
	}
	m.o.Logger.Info("e-mail not sent", slog.String("message", msg.ID), slog.Bool("permanent", d.Permanent), slog.String("error", err.Error()))
	return nil
}

// build turns mail into a go-mail message with its headers: From (the
// structure's name, CAPSAT_MAIL_FROM), Reply-To, the RFC 8058 one-click
// opt-out, and a Message-ID naming the message and the attempt.
func (m *Mailer) build(msg *survey.OutboxMessage, attempt int, mail *Mail) (*gomail.Msg, string, error) {
	g := gomail.NewMsg()
	if err := g.FromFormat(mail.FromName, m.o.From); err != nil {
		return nil, "", fmt.Errorf("adresse d'expéditeur invalide : %w", err)
	}
	if err := g.To(mail.To); err != nil {
		return nil, "", fmt.Errorf("adresse du destinataire invalide : %w", err)
	}
	if mail.ReplyTo != "" {
		if err := g.ReplyTo(mail.ReplyTo); err != nil {
			return nil, "", fmt.Errorf("adresse de réponse invalide : %w", err)
		}
	}
	g.Subject(mail.Subject)
	g.SetDate()
	domain := m.o.From[strings.LastIndexByte(m.o.From, '@')+1:]
	id := msg.ID + "." + strconv.Itoa(attempt) + "." + survey.NewID() + "@" + domain
	g.SetMessageIDWithValue(id)
	if mail.Unsubscribe != "" {
		g.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+mail.Unsubscribe+">")
		g.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	g.SetGenHeader("Auto-Submitted", "auto-generated")
	g.SetBodyString(gomail.TypeTextPlain, mail.Text)
	if mail.HTML != "" {
		g.AddAlternativeString(gomail.TypeTextHTML, mail.HTML)
	}
	return g, "<" + id + ">", nil
}

// composeSurvey is the composer of invitations and reminders.
func (m *Mailer) composeSurvey(ctx context.Context, msg *survey.OutboxMessage) (*Mail, string, error) {
	sm, cancel, err := m.o.Store.PrepareSurveyMail(ctx, msg)
	if err != nil || cancel != "" {
		return nil, cancel, err
	}
	mail, err := m.templates.Survey(SurveyContent{
		Kind: msg.Kind, Order: &sm.Order, Structure: &sm.Structure, Settings: &sm.Settings,
		Token: sm.Token, ExpiresAt: sm.ExpiresAt, Unsubscribe: sm.Unsubscribe, BaseURL: m.o.BaseURL,
	}, msg.To)
	return mail, "", err
}
