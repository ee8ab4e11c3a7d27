package survey

import (
	"net/mail"
	"slices"
	"strings"
	"time"
)

// EmailSettings are a structure's choices for sending surveys by e-mail
// (PUT /api/v1/structures/{sid}/settings/email). A structure that never
// saved them has DefaultEmailSettings: nothing is sent automatically.
type EmailSettings struct {
	// AutoSend plans an invitation when an order of one of ServiceTypes
	// is created, edited or imported with a client e-mail.
	AutoSend          bool          `bson:"auto_send" json:"auto_send"`
	ServiceTypes      []ServiceType `bson:"service_types" json:"service_types"`
	ReminderAfterDays int           `bson:"reminder_after_days" json:"reminder_after_days"`
	Reminders         int           `bson:"reminders" json:"reminders"`
	SenderName        string        `bson:"sender_name" json:"sender_name"`
	ReplyTo           string        `bson:"reply_to" json:"reply_to"`
	AlertAddresses    []string      `bson:"alert_addresses" json:"alert_addresses"`
	// Greeting and Signature replace the templates' defaults ("Madame,
	// Monsieur," and "L'équipe de <structure>"); the link, the expiry and
	// the legal lines are not the structure's to change.
	Greeting  string `bson:"greeting,omitempty" json:"greeting,omitempty"`
	Signature string `bson:"signature,omitempty" json:"signature,omitempty" text:"multiline"`
}

// Defaults of the e-mail settings (issue 14).
const (
	DefaultReminderAfterDays = 7
	DefaultReminders         = 2
	MaxReminders             = 5
	MaxAlertAddresses        = 10
)

// DefaultEmailSettings are the settings of a structure that saved none:
// automatic sending off, both service types ticked for when it is turned on.
func DefaultEmailSettings() EmailSettings {
	return EmailSettings{
		ServiceTypes:      slices.Clone(ServiceTypes),
		ReminderAfterDays: DefaultReminderAfterDays,
		Reminders:         DefaultReminders,
		AlertAddresses:    []string{},
	}
}

// AutoSendFor reports whether orders of service type t get an invitation
// (and reminders) without anyone asking.
func (e *EmailSettings) AutoSendFor(t ServiceType) bool {
	return e.AutoSend && slices.Contains(e.ServiceTypes, t)
}

// EmailSettings normalises e-mail settings and checks them, with French
// messages by JSON field ("alert_addresses.1").
func (v *Validator) EmailSettings(in *EmailSettings) error {
	errs := &ValidationError{}
	clean := func(field string, s *string, multiline bool, max int) {
		c, msg := CleanText(*s, multiline)
		*s = strings.TrimSpace(c)
		if msg != "" {
			errs.Add(field, "invalid_char", msg)
		} else if len([]rune(*s)) > max {
			errs.Add(field, "too_long", "Ce champ ne doit pas dépasser "+itoa(max)+" caractères.")
		}
	}
	clean("sender_name", &in.SenderName, false, 100)
	clean("reply_to", &in.ReplyTo, false, 254)
	clean("greeting", &in.Greeting, false, 200)
	clean("signature", &in.Signature, true, 1000)
	if strings.ContainsAny(in.SenderName, "<>\"") {
		errs.Add("sender_name", "invalid", "Le nom d'expéditeur ne peut pas contenir < > ou \".")
	}
	if in.ReplyTo != "" && !validEmail(in.ReplyTo) {
		errs.Add("reply_to", "email", "Adresse e-mail de réponse invalide.")
	}
	if in.ServiceTypes == nil {
		in.ServiceTypes = []ServiceType{}
	}
	seen := map[ServiceType]bool{}
	types := in.ServiceTypes[:0]
	for _, t := range in.ServiceTypes {
		if !t.Valid() {
			errs.Add("service_types", "service_type", "Type de prestation inconnu (mise_a_disposition ou mise_a_contrat).")
			continue
		}
		if !seen[t] {
			seen[t] = true
			types = append(types, t)
		}
	}
	in.ServiceTypes = types
	if in.ReminderAfterDays < 1 || in.ReminderAfterDays > 60 {
		errs.Add("reminder_after_days", "range", "Le délai avant relance doit être compris entre 1 et 60 jours.")
	}
	if in.Reminders < 0 || in.Reminders > MaxReminders {
		errs.Add("reminders", "range", "Le nombre de relances doit être compris entre 0 et "+itoa(MaxReminders)+".")
	}
	if in.AlertAddresses == nil {
		in.AlertAddresses = []string{}
	}
	if len(in.AlertAddresses) > MaxAlertAddresses {
		errs.Add("alert_addresses", "too_many", "Au plus "+itoa(MaxAlertAddresses)+" adresses d'alerte.")
	}
	for i, a := range in.AlertAddresses {
		a = strings.TrimSpace(a)
		in.AlertAddresses[i] = a
		if !validEmail(a) {
			errs.Add("alert_addresses."+itoa(i), "email", "Adresse e-mail invalide.")
		}
	}
	return errs.OrNil()
}

// validEmail accepts a bare address (no display name), as the order's
// client e-mail is checked.
func validEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>\r\n") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.IndexByte(s, '@')+1:], ".")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// SendHour is the time of day (Europe/Paris) an invitation planned for an
// order's end date goes: the end of a working day, when the mission is over.
const SendHour = 17

// InvitationTime is when order o's automatic invitation goes: its end date
// at SendHour in Europe/Paris, or now for an order already over. An order
// without an end date gets none yet (false): its end is not known.
func InvitationTime(o *Order, now time.Time) (time.Time, bool) {
	if o.EndDate == "" {
		return time.Time{}, false
	}
	d, err := time.ParseInLocation(time.DateOnly, o.EndDate, IndicatorLocation())
	if err != nil {
		return time.Time{}, false
	}
	at := d.Add(SendHour * time.Hour).UTC()
	if at.Before(now) {
		return now, true
	}
	return at, true
}

// ReminderLead is how long before its link's expiry the last reminder goes
// at the latest: a reminder the day a link dies is no use.
const ReminderLead = 2 * 24 * time.Hour

// ReminderTime is when reminder number k (1, 2, ...) of a link sent at
// sentAt and expiring at expiresAt goes: every ReminderAfterDays after the
// invitation, the last one before the link expires; false when there is
// none (k past Reminders, or no time left before expiry).
func (e *EmailSettings) ReminderTime(k int, sentAt, expiresAt time.Time) (time.Time, bool) {
	if k < 1 || k > e.Reminders || e.ReminderAfterDays < 1 {
		return time.Time{}, false
	}
	at := sentAt.Add(time.Duration(k*e.ReminderAfterDays) * 24 * time.Hour)
	latest := expiresAt.Add(-ReminderLead)
	if at.After(latest) {
		at = latest
	}
	// The previous reminder's time, clamped the same way: when the clamp
	// brings two together, the later one is dropped.
	prev := sentAt
	if k > 1 {
		prev = sentAt.Add(time.Duration((k-1)*e.ReminderAfterDays) * 24 * time.Hour)
		if prev.After(latest) {
			prev = latest
		}
	}
	if !at.After(prev) {
		return time.Time{}, false
	}
	return at, true
}
