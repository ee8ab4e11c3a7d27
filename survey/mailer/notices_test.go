package mailer_test

import (
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/notices"
)

var cheapHashes = accounts.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// TestNoticesAreSentAsComposed sends a password reset and two alerts
// through the real SMTP sink: both parts as composed, from capsat; the
// alert to an account that turned alerts off since is cancelled.
func TestNoticesAreSentAsComposed(t *testing.T) {
	w := newWorld(t)
	w.m.RegisterNotices(w.store)
	w.store.SetPasswordParams(cheapHashes)
	u, err := w.store.CreateUser(w.ctx, accounts.UserInput{Email: "charge@bocage.example.org", Password: "Le chêne pousse lentement", Role: accounts.RoleStructureMember, StructureID: w.st.ID})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := notices.ParseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	const token = "AbCdEfGhIjKlMnOpQrStUvWx"
	reset, err := tpl.PasswordReset(baseURL, u.Email, token, w.clock.Now().Add(accounts.ResetTTL))
	if err != nil {
		t.Fatal(err)
	}
	alertOn, _ := tpl.Alert(baseURL, w.st, "0123456789abcdef01234567", "BC-7", "alertes@bocage.example.org")
	alertOff, _ := tpl.Alert(baseURL, w.st, "0123456789abcdef01234567", "BC-7", u.Email)
	for _, m := range []*survey.OutboxMessage{reset, alertOn, alertOff} {
		if err := w.store.Enqueue(w.ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// Turned off after the alert was queued: checked at send time.
	if err := w.store.SetMailPrefs(w.ctx, u.ID, accounts.MailPrefs{Alerts: true}); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Second)
	r := w.round()
	if r.Sent != 2 || r.Cancelled != 1 {
		t.Fatalf("round %+v, want 2 sent, 1 cancelled", r)
	}
	got := map[string]bool{}
	for _, rec := range w.sink.Messages() {
		to := rec.To[0]
		got[to] = true
		if from := rec.Header.Get("From"); !strings.Contains(from, mailFrom) || !strings.Contains(from, "capsat") {
			t.Errorf("From %q", from)
		}
		if rec.Header.Get("Message-Id") == "" || rec.Text == "" || rec.HTML == "" {
			t.Errorf("to %s: Message-ID or a part missing", to)
		}
		switch to {
		case u.Email:
			link := baseURL + "/mot-de-passe/nouveau?jeton=" + token
			if !strings.Contains(rec.Text, link) || !strings.Contains(rec.HTML, `href="`+link+`"`) || !strings.Contains(rec.HeaderText("Subject"), "nouveau mot de passe") {
				t.Errorf("reset mail: %q\n%s", rec.HeaderText("Subject"), rec.Text)
			}
		case "alertes@bocage.example.org":
			if !strings.Contains(rec.Text, "BC-7") || !strings.Contains(rec.Text, baseURL+"/app/structures/"+w.st.ID+"/suivi") || !strings.Contains(rec.HeaderText("Subject"), "AI du Bocage") {
				t.Errorf("alert mail: %q\n%s", rec.HeaderText("Subject"), rec.Text)
			}
		default:
			t.Errorf("unexpected recipient %s", to)
		}
	}
	if len(got) != 2 {
		t.Errorf("recipients %v", got)
	}
	off, err := w.store.Message(w.ctx, w.st.ID, alertOff.ID)
	if err != nil || off.Status != survey.MessageCancelled || off.Error != "Le destinataire a désactivé les alertes dans « Mon compte »." {
		t.Errorf("alert to the account that turned alerts off: %+v %v", off, err)
	}
}
