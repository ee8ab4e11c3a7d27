package handlers

import (
	"net/http/httptest"
	"strings"
	"testing"

	"capsat/survey/accounts"
	"capsat/survey/notices"

	"github.com/chromedp/chromedp"
)

// TestBrowserPasswordReset: from the sign-in page, "Mot de passe oublié ?",
// the address, the link of the e-mail, a new password twice, then signing
// in with it; the pages fit a phone and a desktop without sideways scroll.
func TestBrowserPasswordReset(t *testing.T) {
	e := newTestEnv(t)
	st, _ := e.structure("AI du Bocage", "Normandie")
	e.user("charge@bocage.fr", accounts.RoleStructureMember, st.ID, "")
	srv := httptest.NewServer(e.router)
	t.Cleanup(srv.Close)
	tab := newBrowser(t)

	browse(t, tab, "open the sign-in page", chromedp.EmulateViewport(375, 780, chromedp.EmulateMobile),
		chromedp.Navigate(srv.URL+loginPath), chromedp.WaitVisible(chromedp.ID("email")))
	clickAndLoad(t, tab, "follow « Mot de passe oublié ? »", `a[href="/mot-de-passe/oublie"]`)
	for _, w := range []int{375, 1280} {
		browse(t, tab, "resize", chromedp.EmulateViewport(int64(w), 780))
		if width := read(t, tab, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); width > w {
			t.Errorf("forgot page is %d px wide in a %d px window", width, w)
		}
	}
	browse(t, tab, "type the address", chromedp.SendKeys(chromedp.ID("email"), "charge@bocage.fr"))
	submitForm(t, tab, "ask for a link")
	if got := textOf(t, tab, "#reset-sent"); !strings.Contains(got, "Si un compte capsat existe pour cette adresse") {
		t.Fatalf("answer %q", got)
	}
	msgs := e.queued(notices.KindPasswordReset)
	if len(msgs) != 1 {
		t.Fatalf("%d reset mails", len(msgs))
	}
	token := resetToken(t, msgs[0])

	browse(t, tab, "open the link of the mail", chromedp.EmulateViewport(375, 780, chromedp.EmulateMobile),
		chromedp.Navigate(srv.URL+resetPath+"?jeton="+token), chromedp.WaitVisible(chromedp.ID("new_password")))
	if width := read(t, tab, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); width > 375 {
		t.Errorf("reset page is %d px wide in a 375 px window", width)
	}
	const next = "Le chêne pousse lentement"
	browse(t, tab, "type the new password",
		chromedp.SendKeys(chromedp.ID("new_password"), next),
		chromedp.SendKeys(chromedp.ID("confirm_password"), next))
	submitForm(t, tab, "save the new password")
	if got := textOf(t, tab, "p.notice"); !strings.Contains(got, "Votre nouveau mot de passe est enregistré") {
		t.Fatalf("after the reset: %q", got)
	}
	browse(t, tab, "sign in with it",
		chromedp.SendKeys(chromedp.ID("email"), "charge@bocage.fr"),
		chromedp.SendKeys(chromedp.ID("password"), next))
	clickAndLoad(t, tab, "log in", "form[action='/connexion'] button[type=submit]")
	if got := textOf(t, tab, "h1"); got == "Connexion" {
		t.Fatal("could not sign in with the new password")
	}
}
