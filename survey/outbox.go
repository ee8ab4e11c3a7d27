package survey

import (
	"strconv"
	"strings"
	"time"
)

// MessageKind is what an outbox message is for. The mail-extras work adds
// its own kinds (alerts, digests, password resets) beside these two; only
// the survey kinds are bound to an order.
type MessageKind string

// Survey message kinds (API values).
const (
	KindInvitation MessageKind = "invitation" // the survey link, first time
	KindReminder   MessageKind = "reminder"   // the same link again, unanswered
)

// Survey reports whether messages of kind k carry an order's survey link:
// those are cancelled once the order is answered, cancelled, expired or its
// client opted out.
func (k MessageKind) Survey() bool { return k == KindInvitation || k == KindReminder }

// Label is the French name of the kind.
func (k MessageKind) Label() string {
	switch k {
	case KindInvitation:
		return "Invitation"
	case KindReminder:
		return "Relance"
	}
	return string(k)
}

// MessageStatus is where an outbox message stands (API values).
type MessageStatus string

// Message statuses. A message being sent is still "queued": the claim that
// a sender holds is not a status of its own.
const (
	MessageQueued    MessageStatus = "queued"
	MessageSent      MessageStatus = "sent"
	MessageFailed    MessageStatus = "failed"
	MessageCancelled MessageStatus = "cancelled"
)

// MessageStatuses lists every status, for filters.
var MessageStatuses = []MessageStatus{MessageQueued, MessageSent, MessageFailed, MessageCancelled}

// Final reports whether a message in status s will never be sent again.
func (s MessageStatus) Final() bool { return s != MessageQueued }

// Label is the French name of the status.
func (s MessageStatus) Label() string {
	switch s {
	case MessageQueued:
		return "Planifié"
	case MessageSent:
		return "Envoyé"
	case MessageFailed:
		return "Échec"
	case MessageCancelled:
		return "Annulé"
	}
	return string(s)
}

// Reasons a survey message is cancelled instead of sent (OutboxMessage.Error
// of a cancelled message, shown to the structure).
const (
	CancelAnswered  = "Le client a répondu au questionnaire."
	CancelLinkEnded = "Le lien du questionnaire a été annulé."
	CancelExpired   = "Le lien du questionnaire a expiré."
	CancelOptedOut  = "Le client ne souhaite plus recevoir de questionnaires."
	CancelDeleted   = "Le bon de commande a été supprimé."
	CancelNoEmail   = "Le bon de commande n'a plus d'adresse e-mail client."
	CancelReplanned = "Remplacé après la modification du bon de commande."
)

// OutboxMessage is one e-mail, written to the store before it is sent. Its
// _id is "<order id>.<n>" for survey messages (n = 1, 2, ... per order), so
// that an order's messages are read by _id; other kinds choose their own
// prefix (see MessageID). Pending messages live in a small collection of
// their own and move to the history once final.
type OutboxMessage struct {
	ID          string      `bson:"_id" json:"id"`
	StructureID string      `bson:"structure_id" json:"structure_id"`
	OrderID     string      `bson:"order_id,omitempty" json:"order_id,omitempty"`
	Kind        MessageKind `bson:"kind" json:"kind"`
	To          string      `bson:"to" json:"to"`
	// Reminder is the number of a reminder (1, 2...), 0 otherwise.
	Reminder int `bson:"reminder,omitempty" json:"reminder,omitempty"`
	// Manual is a message someone asked for ("Envoyer par e-mail",
	// "Relancer"), as opposed to one planned by the structure's settings.
	Manual    bool          `bson:"manual,omitempty" json:"manual,omitempty"`
	PlannedAt time.Time     `bson:"planned_at" json:"planned_at"`
	DueAt     time.Time     `bson:"due_at" json:"-"` // planned_at, then the next retry
	Status    MessageStatus `bson:"status" json:"status"`
	Attempts  int           `bson:"attempts" json:"attempts"`
	SentAt    *time.Time    `bson:"sent_at,omitempty" json:"sent_at,omitempty"`
	// Error is why the message failed or was cancelled, in French for the
	// structure; SMTPResponse the server's last answer, as it gave it.
	Error        string `bson:"error,omitempty" json:"error,omitempty"`
	SMTPResponse string `bson:"smtp_response,omitempty" json:"smtp_response,omitempty"`
	MessageID    string `bson:"message_id,omitempty" json:"message_id,omitempty"` // the Message-ID header
	// Data is free for kinds other than the survey ones (the mail-extras
	// work): what their template needs, written at enqueue.
	Data      map[string]string `bson:"data,omitempty" json:"-"`
	CreatedAt time.Time         `bson:"created_at" json:"created_at"`
	UpdatedAt time.Time         `bson:"updated_at" json:"updated_at"`
	// FinishedAt is when the message became final (sent, failed, cancelled).
	FinishedAt *time.Time `bson:"finished_at,omitempty" json:"finished_at,omitempty"`
}

// OrderMessageID is the _id of order oid's n-th message.
func OrderMessageID(oid string, n int) string { return oid + "." + strconv.Itoa(n) }

// OrderOfMessage returns the order id and number of a survey message id.
func OrderOfMessage(id string) (oid string, n int, ok bool) {
	i := strings.LastIndexByte(id, '.')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(id[i+1:])
	if err != nil || n < 1 {
		return "", 0, false
	}
	return id[:i], n, true
}

// Delivery is what a sender learnt from one attempt.
type Delivery struct {
	MessageID    string // the Message-ID header sent
	SMTPResponse string // the server's answer, as it gave it
	Err          error  // nil: the server accepted the message
	// Permanent says a failure will not go away by trying again (a 5xx
	// answer, a refused address): the message fails at once.
	Permanent bool
	// Config says the attempt never reached the message: the connection
	// to the server failed as it is configured (no STARTTLS, untrusted
	// certificate, refused credentials). The message waits, as it does
	// when no server is configured, and the attempt does not count
	// towards giving up: nothing was sent.
	Config bool
}

// RetryPolicy says when a message that failed for a temporary reason is
// tried again, and when it is given up.
type RetryPolicy struct {
	First       time.Duration // wait after the first failure
	Max         time.Duration // longest wait
	MaxAttempts int           // attempts before giving up
}

// DefaultRetryPolicy retries after 1, 2, 4 ... minutes, at most an hour
// apart, and gives up after a day or so of failures (30 attempts).
var DefaultRetryPolicy = RetryPolicy{First: time.Minute, Max: time.Hour, MaxAttempts: 30}

// Next is when to try again after attempt number attempts failed for a
// temporary reason, or false to give up.
func (p RetryPolicy) Next(attempts int, now time.Time) (time.Time, bool) {
	if attempts >= p.MaxAttempts {
		return time.Time{}, false
	}
	d := p.First
	for i := 1; i < attempts && d < p.Max; i++ {
		d *= 2
	}
	if d > p.Max {
		d = p.Max
	}
	return now.Add(d), true
}

// SurveyMessageBlocked tells why a survey message for order o must not go
// at now ("" when it may): the order answered, its link cancelled or
// expired, no client address. An order with no link yet may get an
// invitation (the sender issues the link) but no reminder.
func SurveyMessageBlocked(o *Order, kind MessageKind, now time.Time) string {
	switch o.SurveyStatusAt(now) {
	case SurveyAnswered:
		return CancelAnswered
	case SurveyCancelled:
		return CancelLinkEnded
	case SurveyExpired:
		return CancelExpired
	case SurveyNotIssued:
		if kind == KindReminder {
			return CancelLinkEnded
		}
	}
	if strings.TrimSpace(o.Client.Email) == "" {
		return CancelNoEmail
	}
	return ""
}

// OptOutKey is the _id of the opt-out of address email for structure sid:
// addresses compare without case.
func OptOutKey(sid, email string) string {
	return sid + ":" + strings.ToLower(strings.TrimSpace(email))
}

// OptOut records that an address asked for no more survey messages from a
// structure.
type OptOut struct {
	ID          string    `bson:"_id" json:"-"`
	StructureID string    `bson:"structure_id" json:"structure_id"`
	Email       string    `bson:"email" json:"email"`
	At          time.Time `bson:"at" json:"at"`
}
