package handlers

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// clickAndLoad clicks the element of sel and waits for the next page.
func clickAndLoad(t *testing.T, tab context.Context, what, sel string) {
	t.Helper()
	click := chromedp.Click(chromedp.CSS(sel))
	if _, err := chromedp.Run(tab, chromedp.WaitEvent(page.LoadEventFired, nil, click)); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// signIn fills the login form of the site in a tab.
func signIn(t *testing.T, tab context.Context, site, email string) {
	t.Helper()
	browse(t, tab, "open the login page "+email,
		chromedp.Navigate(site+loginPath),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
	)
	clickAndLoad(t, tab, "log in "+email, "form[action='/connexion'] button[type=submit]")
}

// textOf reads the text of the first element matching sel.
func textOf(t *testing.T, tab context.Context, sel string) string {
	t.Helper()
	return read(t, tab, chromedp.Text(chromedp.CSS(sel)))
}

// TestBrowserBackofficeJourney: staff log in, create an order and its
// link; a client answers it, dissatisfied, in another browser context; the
// answer shows on the dashboard and in the follow-up list; staff close the
// follow-up and download the workbook; a federation user cannot open the
// structure's orders.
func TestBrowserBackofficeJourney(t *testing.T) {
	e := newTestEnv(t)
	st, _ := e.structure("AI du Bocage", "Normandie")
	e.user("charge@bocage.fr", accounts.RoleStructureMember, st.ID, "")
	e.user("federation@reseau.fr", accounts.RoleFederation, "", "")
	srv := httptest.NewServer(e.router)
	t.Cleanup(srv.Close)
	browser := newBrowser(t)
	staff, cancelStaff := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelStaff)

	// Log in, land on the dashboard.
	signIn(t, staff, srv.URL, "charge@bocage.fr")
	browse(t, staff, "open the dashboard", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile), chromedp.Navigate(srv.URL+"/tableau-de-bord"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h1 := textOf(t, staff, "h1"); h1 != "Tableau de bord" {
		t.Fatalf("after login: %q", h1)
	}
	if width := read(t, staff, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); width > 360 {
		wide := read(t, staff, chromedp.Evaluate[string](`[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > 360).slice(0, 5).map(e => e.tagName + "." + e.className + "#" + e.id).join(" ")`))
		t.Errorf("dashboard is %d px wide in a 360 px window: %s", width, wide)
	}

	// Create an order: a mistake first, shown beside its field, then fixed.
	root := srv.URL + structurePagesPath(st.ID)
	browse(t, staff, "open the order form",
		chromedp.Navigate(root+"/commandes/nouvelle"),
		chromedp.WaitVisible(chromedp.ID("reference")),
		chromedp.SendKeys(chromedp.ID("reference"), "BC-2026-014"),
		chromedp.SendKeys(chromedp.ID("client-company"), "Mairie de Vire"),
		chromedp.SendKeys(chromedp.ID("job_title"), "Agent d'entretien"),
		chromedp.SendKeys(chromedp.ID("hours"), "trente"),
		chromedp.SetValue(chromedp.ID("start_date"), "2026-03-03"),
	)
	clickAndLoad(t, staff, "submit the order with bad hours", "form.edit button[type=submit]")
	if msg := textOf(t, staff, "#hours-error"); !strings.Contains(msg, "Nombre d'heures invalide") {
		t.Fatalf("hours message %q", msg)
	}
	if v := read(t, staff, chromedp.Value(chromedp.ID("client-company"))); v != "Mairie de Vire" {
		t.Fatalf("typed company lost: %q", v)
	}
	browse(t, staff, "fix the hours", chromedp.SetValue(chromedp.ID("hours"), "35"))
	clickAndLoad(t, staff, "submit the order", "form.edit button[type=submit]")
	clickAndLoad(t, staff, "issue the link", "form[action$='/lien'] button")
	link := read(t, staff, chromedp.Value(chromedp.ID("lien")))
	token := link[strings.LastIndex(link, "/")+1:]
	if !survey.ValidTokenShape(token) {
		t.Fatalf("survey link %q", link)
	}
	if !read(t, staff, chromedp.Evaluate[bool](`!document.querySelector("button[data-copy]").hidden`)) {
		t.Error("copy button not shown: copy.js did not run under the CSP")
	}
	// Seeing the page (its QR code preview included) hands nothing out;
	// the copy button does, through its beacon: the link is "copied".
	if ch, err := e.store.LinkChannel(t.Context(), token); err != nil || ch != "" {
		t.Fatalf("channel before the copy: %q (%v)", ch, err)
	}
	browse(t, staff, "copy the link", chromedp.Click(chromedp.CSS("button[data-copy]")))
	// The status is written once the clipboard has taken the link (a
	// promise): wait for it.
	status := ""
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && status != "Lien copié."; time.Sleep(50 * time.Millisecond) {
		status = textOf(t, staff, ".copy-status")
	}
	if status != "Lien copié." {
		t.Errorf("copy status %q", status)
	}
	var ch survey.Channel
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ch, _ = e.store.LinkChannel(t.Context(), token); ch != "" {
			break
		}
	}
	if ch != survey.ChannelLink {
		t.Fatalf("channel after the copy button: %q, want link", ch)
	}

	// The client answers in a browser context of their own: dissatisfied.
	client, cancelClient := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelClient)
	browse(t, client, "open the survey", chromedp.Navigate(srv.URL+"/s/"+token), chromedp.WaitVisible(chromedp.CSS("form")))
	for _, id := range []string{"q1-1", "q2-0", "q3-1", "q4-0", "q5-1", "q6-0", "q7-3", "q8-1", "q9-2"} {
		browse(t, client, "answer "+id, chromedp.Click(chromedp.CSS(`label[for="`+id+`"]`)))
	}
	browse(t, client, "comment", chromedp.SendKeys(chromedp.ID("q10"), "Personne absente deux jours."))
	submitForm(t, client, "send the answers")
	browse(t, client, "thanks", chromedp.WaitVisible(chromedp.CSS(".panel-success")))

	// Staff see it counted on the dashboard and listed to follow up.
	browse(t, staff, "dashboard after the answer", chromedp.Navigate(root), chromedp.WaitVisible(chromedp.ID("suivi-ouvert")))
	if open := textOf(t, staff, "#suivi-ouvert"); !strings.Contains(open, "1 insatisfaction à traiter") {
		t.Fatalf("open follow-ups: %q", open)
	}
	if figures := strings.Join(strings.Fields(textOf(t, staff, "ul.headlines")), " "); !strings.Contains(figures, "Taux de réponse 100 % n = 1") || !strings.Contains(figures, "n = 1") {
		t.Fatalf("headline figures %q", figures)
	}
	if comments := textOf(t, staff, "ul.comments"); !strings.Contains(comments, "Personne absente deux jours.") {
		t.Fatalf("comments %q", comments)
	}
	clickAndLoad(t, staff, "open the follow-up list", "#suivi-ouvert a")
	if item := textOf(t, staff, "li.followup"); !strings.Contains(item, "BC-2026-014") || !strings.Contains(item, "Pas du tout satisfait") {
		t.Fatalf("follow-up item %q", item)
	}
	browse(t, staff, "record the action",
		chromedp.SendKeys(chromedp.CSS("li.followup textarea"), "Appel de Mme Durand, remplaçante proposée."),
		chromedp.Click(chromedp.CSS("li.followup .choice label")),
	)
	clickAndLoad(t, staff, "close the follow-up", "li.followup button[type=submit]")
	if notice := textOf(t, staff, ".notice"); !strings.Contains(notice, "clôturé") {
		t.Fatalf("after closing: %q", notice)
	}
	if closed := textOf(t, staff, "table"); !strings.Contains(closed, "Appel de Mme Durand") {
		t.Fatalf("closed list %q", closed)
	}

	// The workbook, fetched over HTTP with the browser's session cookie.
	cookies, err := chromedp.Call(staff, network.GetCookies, network.GetCookiesParams{URLs: []string{srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, root+"/exports/classeur?from=2026-03-01&to=2026-03-31&service=", nil)
	for _, c := range cookies.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("workbook: %d %s", resp.StatusCode, data)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("workbook is not a valid xlsx: %v", err)
	}
	defer wb.Close()
	followUps, err := wb.GetRows("Suivi des insatisfactions")
	if err != nil || len(followUps) != 2 || followUps[1][0] != "BC-2026-014" || followUps[1][3] != "Clôturé" {
		t.Fatalf("follow-up sheet %v (%v)", followUps, err)
	}
	verbatims, _ := wb.GetRows("Verbatims")
	if len(verbatims) != 2 || verbatims[1][0] != "Personne absente deux jours." {
		t.Fatalf("verbatims sheet %v", verbatims)
	}

	// A federation user cannot open the structure's orders.
	fed, cancelFed := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelFed)
	signIn(t, fed, srv.URL, "federation@reseau.fr")
	browse(t, fed, "open the network figures", chromedp.Navigate(srv.URL+"/tableau-de-bord"), chromedp.WaitVisible(chromedp.ID("chiffres-reseau")))
	if network := strings.Join(strings.Fields(textOf(t, fed, "main")), " "); !strings.Contains(network, "Réponses") || !strings.Contains(network, "AI du Bocage Normandie") {
		t.Fatalf("network page %q", network)
	}
	browse(t, fed, "open a structure's orders", chromedp.Navigate(root+"/commandes"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h1 := textOf(t, fed, "h1"); h1 != "Page introuvable" {
		t.Fatalf("federation user on a structure's orders sees %q", h1)
	}
	if body := textOf(t, fed, "main"); strings.Contains(body, "Mairie de Vire") {
		t.Fatal("federation user sees the client")
	}
}
