package handlers

import (
	"context"
	"strings"
	"testing"
	"time"

	"capsat/survey/accounts"
	"capsat/survey/mailer"
	"capsat/survey/mailer/mailertest"

	"net/http/httptest"

	"github.com/chromedp/chromedp"
)

// TestBrowserEmailJourney: a structure's administrator turns automatic
// sending on and creates an order that ended yesterday; the invitation
// shows in the order's history and reaches the SMTP server; the client
// opens the link of the mail and answers; the reminder planned for it is
// cancelled; a second order's mail carries an opt-out link, and once the
// client used it the next reminder does not go.
func TestBrowserEmailJourney(t *testing.T) {
	e := newTestEnv(t)
	st, _ := e.structure("AI du Bocage", "Normandie")
	e.user("admin@bocage.fr", accounts.RoleStructureAdmin, st.ID, "")
	srv := httptest.NewServer(e.router)
	t.Cleanup(srv.Close)
	sink := mailertest.Start(t)
	tr, err := mailer.NewSMTP(mailer.Server{Host: "127.0.0.1", Port: sink.Port(), Security: mailer.Plain, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailer.New(mailer.Options{Store: e.store, Transport: tr, From: "ne-pas-repondre@capsat.test", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	round := func(what string) mailer.Round {
		t.Helper()
		r, err := m.RunOnce(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return r
	}
	browser := newBrowser(t)
	staff, cancelStaff := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelStaff)
	signIn(t, staff, srv.URL, "admin@bocage.fr")
	root := srv.URL + structurePagesPath(st.ID)

	// Automatic sending on.
	browse(t, staff, "open the e-mail settings", chromedp.Navigate(root+"/reglages-email"), chromedp.WaitVisible(chromedp.ID("auto_send")))
	if banner := textOf(t, staff, "#envoi-non-configure"); !strings.Contains(banner, "rien n’est perdu") {
		t.Errorf("no-SMTP banner: %q", banner)
	}
	browse(t, staff, "tick automatic sending", chromedp.Click(chromedp.ID("auto_send")),
		chromedp.SetValue(chromedp.ID("reply_to"), "contact@bocage.fr"))
	clickAndLoad(t, staff, "save the settings", "form[action$='/reglages-email'] button[type=submit]")
	if notice := textOf(t, staff, "p.notice"); !strings.Contains(notice, "enregistrés") {
		t.Fatalf("settings not saved: %q", notice)
	}

	// An order that ended yesterday, with the client's e-mail.
	newOrder := func(ref string) {
		t.Helper()
		browse(t, staff, "open the order form "+ref,
			chromedp.Navigate(root+"/commandes/nouvelle"),
			chromedp.WaitVisible(chromedp.ID("reference")),
			chromedp.SendKeys(chromedp.ID("reference"), ref),
			chromedp.SendKeys(chromedp.ID("client-company"), "Mairie de Vire"),
			chromedp.SendKeys(chromedp.ID("client-email"), "durand@vire.fr"),
			chromedp.SendKeys(chromedp.ID("job_title"), "Agent d'entretien"),
			chromedp.SetValue(chromedp.ID("start_date"), "2026-02-16"),
			chromedp.SetValue(chromedp.ID("end_date"), "2026-02-28"),
		)
		clickAndLoad(t, staff, "save the order "+ref, "form.edit button[type=submit]")
	}
	newOrder("BC-2026-020")
	orderURL := read(t, staff, chromedp.Evaluate[string](`location.pathname`))
	if row := textOf(t, staff, "#historique-envois tbody tr"); !strings.Contains(row, "Invitation") || !strings.Contains(row, "Planifié") || !strings.Contains(row, "durand@vire.fr") {
		t.Fatalf("history after creating the order: %q", row)
	}
	if r := round("send the invitation"); r.Sent != 1 {
		t.Fatalf("round: %+v", r)
	}
	browse(t, staff, "reload the order", chromedp.Navigate(srv.URL+orderURL), chromedp.WaitVisible(chromedp.ID("historique-envois")))
	history := textOf(t, staff, "#historique-envois tbody")
	if !strings.Contains(history, "Envoyé") || !strings.Contains(history, "Relance 1") || !strings.Contains(history, "Planifié") {
		t.Fatalf("history after sending: %q", history)
	}

	// The client opens the link of the mail and answers.
	mails := sink.Messages()
	if len(mails) != 1 {
		t.Fatalf("received %d", len(mails))
	}
	text := mails[0].Text
	i := strings.Index(text, srv.URL+"/s/")
	if i < 0 {
		t.Fatalf("no link in the mail:\n%s", text)
	}
	link := strings.Fields(text[i:])[0]
	client, cancelClient := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelClient)
	browse(t, client, "open the link of the mail", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("form")))
	if ctx := textOf(t, client, "p.context"); !strings.Contains(ctx, "agent d'entretien") {
		t.Errorf("survey page of another order: %q", ctx)
	}
	browse(t, client, "answer", answerAllBut(0)...)
	submitForm(t, client, "send the answers")
	browse(t, client, "thanks", chromedp.WaitVisible(chromedp.CSS(".panel-success")))

	// The planned reminder is cancelled.
	browse(t, staff, "order after the answer", chromedp.Navigate(srv.URL+orderURL), chromedp.WaitVisible(chromedp.ID("historique-envois")))
	if row := textOf(t, staff, `#historique-envois tr[data-kind="reminder"]`); !strings.Contains(row, "Annulé") || !strings.Contains(row, "a répondu") {
		t.Fatalf("reminder after the answer: %q", row)
	}

	// A second order, a second mail: the client opts out from it.
	newOrder("BC-2026-021")
	second := read(t, staff, chromedp.Evaluate[string](`location.pathname`))
	if r := round("send the second invitation"); r.Sent != 1 {
		t.Fatalf("round: %+v", r)
	}
	mails = sink.Messages()
	lu := mails[1].Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<"+srv.URL+"/desinscription/") || mails[1].Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("opt-out headers: %q", lu)
	}
	browse(t, client, "open the opt-out page", chromedp.Navigate(strings.Trim(lu, "<>")), chromedp.WaitVisible(chromedp.CSS("form button")))
	clickAndLoad(t, client, "confirm the opt-out", "form button[type=submit]")
	if done := textOf(t, client, "main p[role=status]"); !strings.Contains(done, "ne recevra plus") {
		t.Fatalf("opt-out page: %q", done)
	}
	e.clock.Advance(8 * 24 * time.Hour)
	if r := round("reminder time"); r.Sent != 0 {
		t.Fatalf("a reminder went after the opt-out: %+v", r)
	}
	if n := len(sink.Messages()); n != 2 {
		t.Fatalf("received %d mails", n)
	}
	signIn(t, staff, srv.URL, "admin@bocage.fr") // eight days later: the session has ended
	browse(t, staff, "second order after the opt-out", chromedp.Navigate(srv.URL+second), chromedp.WaitVisible(chromedp.ID("historique-envois")))
	if row := textOf(t, staff, `#historique-envois tr[data-kind="reminder"]`); !strings.Contains(row, "Annulé") || !strings.Contains(row, "ne souhaite plus") {
		t.Fatalf("reminder after the opt-out: %q", row)
	}
	// The outbox page lists all three, with the reason of the cancelled ones.
	browse(t, staff, "open the outbox", chromedp.Navigate(root+"/envois"), chromedp.WaitVisible(chromedp.ID("envois")))
	if rows := read(t, staff, chromedp.Evaluate[int](`document.querySelectorAll("#envois tbody tr").length`)); rows != 4 {
		t.Errorf("outbox rows: %d", rows)
	}
}
