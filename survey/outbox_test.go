package survey

import (
	"testing"
	"time"
)

func TestReminderTimes(t *testing.T) {
	t.Parallel()
	sent := time.Date(2026, 5, 4, 15, 0, 0, 0, time.UTC)
	s := DefaultEmailSettings()
	day := 24 * time.Hour
	cases := []struct {
		name    string
		k       int
		expires time.Time
		want    time.Time
		ok      bool
	}{
		{"first after 7 days", 1, sent.Add(60 * day), sent.Add(7 * day), true},
		{"second a week later", 2, sent.Add(60 * day), sent.Add(14 * day), true},
		{"no third by default", 3, sent.Add(60 * day), time.Time{}, false},
		{"the last before the link expires", 2, sent.Add(12 * day), sent.Add(10 * day), true},
		{"none when the clamp meets the previous one", 2, sent.Add(9 * day), time.Time{}, false},
		{"none when no time is left", 1, sent.Add(2 * day), time.Time{}, false},
	}
	for _, c := range cases {
		got, ok := s.ReminderTime(c.k, sent, c.expires)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("%s: %v %v, want %v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestInvitationTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	if at, ok := InvitationTime(&Order{EndDate: "2026-05-06"}, now); !ok || !at.Equal(time.Date(2026, 5, 6, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("future end: %v %v (17:00 in Paris)", at, ok)
	}
	if at, ok := InvitationTime(&Order{EndDate: "2026-05-01"}, now); !ok || !at.Equal(now) {
		t.Errorf("over: %v %v", at, ok)
	}
	if _, ok := InvitationTime(&Order{}, now); ok {
		t.Error("no end date: planned")
	}
}

func TestEmailSettingsValidation(t *testing.T) {
	t.Parallel()
	v := NewValidator()
	good := EmailSettings{ServiceTypes: []ServiceType{ServiceMAD, ServiceMAD}, ReminderAfterDays: 7, Reminders: 2, SenderName: " AI ", ReplyTo: "a@b.fr", AlertAddresses: []string{" x@y.fr "}}
	if err := v.EmailSettings(&good); err != nil {
		t.Fatal(err)
	}
	if len(good.ServiceTypes) != 1 || good.SenderName != "AI" || good.AlertAddresses[0] != "x@y.fr" {
		t.Errorf("normalised: %+v", good)
	}
	bad := EmailSettings{ServiceTypes: []ServiceType{"x"}, ReminderAfterDays: 0, Reminders: 6, SenderName: "a\u202eb", ReplyTo: "nope", AlertAddresses: []string{"ok@x.fr", "a b@c.fr"}, Signature: "ligne 1\nligne 2"}
	err := v.EmailSettings(&bad)
	verr, ok := err.(*ValidationError)
	if !ok {
		t.Fatalf("error: %v", err)
	}
	for _, f := range []string{"service_types", "reminder_after_days", "reminders", "sender_name", "reply_to", "alert_addresses.1"} {
		if verr.Fields[f].Code == "" {
			t.Errorf("no error on %s: %v", f, verr.Fields)
		}
	}
	if _, bad := verr.Fields["signature"]; bad {
		t.Error("a multi-line signature is refused")
	}
}

func TestRetryPolicyBacksOff(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	p := RetryPolicy{First: time.Minute, Max: 10 * time.Minute, MaxAttempts: 5}
	for attempts, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 4: 8 * time.Minute} {
		if at, ok := p.Next(attempts, now); !ok || at.Sub(now) != want {
			t.Errorf("after %d: %v %v, want %v", attempts, at.Sub(now), ok, want)
		}
	}
	if _, ok := p.Next(5, now); ok {
		t.Error("retried past the last attempt")
	}
}
