package handlers

import (
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// newBrowser starts a headless Chromium with a phone-sized window (360 px)
// and a fresh profile; the test is skipped where Chromium is not installed.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return newBrowserFor(t, 90*time.Second)
}

// newBrowserFor is newBrowser for a test that needs the browser longer.
func newBrowserFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("browser test: " + chromiumPath + " not installed")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(360, 780),
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return browserCtx
}

// browse runs steps in a tab and fails the test, naming what, on error.
func browse(t *testing.T, tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tab, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// read runs an action that reads a value in a tab.
func read[T any](t *testing.T, tab context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(tab, a)
	if err != nil {
		t.Fatalf("read from the page: %v", err)
	}
	return v
}

// submitForm clicks the submit button and waits until the next page has
// loaded, so that later reads see that page.
func submitForm(t *testing.T, tab context.Context, what string) {
	t.Helper()
	click := chromedp.Click(chromedp.CSS("button[type=submit]"))
	if _, err := chromedp.Run(tab, chromedp.WaitEvent(page.LoadEventFired, nil, click)); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// answerAllBut clicks, through their labels, an answer to every question of
// the default staff-provision questionnaire except question skip (0: none).
func answerAllBut(skip int) []chromedp.Action[chromedp.Void] {
	var steps []chromedp.Action[chromedp.Void]
	for n, id := range []string{"q1-1", "q2-0", "q3-1", "q4-0", "q5-1", "q6-4", "q7-1", "q8-0", "q9-8"} {
		if n+1 != skip {
			steps = append(steps, chromedp.Click(chromedp.CSS(`label[for="`+id+`"]`)))
		}
	}
	return steps
}

func TestBrowserAnswerFixAndSecondTab(t *testing.T) {
	e := newTestEnv(t)
	f := e.issueSurvey("AI du Bocage", "Agent d'entretien")
	srv := httptest.NewServer(e.router)
	t.Cleanup(srv.Close)
	tab1 := newBrowser(t)
	link := srv.URL + "/s/" + f.token

	// A second tab opens the same link before the first one answers.
	tab2, cancelTab2 := chromedp.NewContext(tab1)
	t.Cleanup(cancelTab2)
	browse(t, tab2, "open in a second tab", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("form")))

	browse(t, tab1, "open",
		chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile),
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("h1")),
	)
	if h1 := read(t, tab1, chromedp.Text(chromedp.CSS("h1"))); h1 != "Votre avis sur notre mise à disposition de personnel" {
		t.Fatalf("heading %q", h1)
	}
	if service := read(t, tab1, chromedp.Text(chromedp.CSS(".context"))); service != "Mise à disposition — agent d'entretien, du 3 au 14 mars 2026" {
		t.Fatalf("service %q", service)
	}
	if width := read(t, tab1, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); width > 360 {
		t.Errorf("page is %d px wide in a 360 px window: it scrolls sideways", width)
	}
	colour := read(t, tab1, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("button[type=submit]")).backgroundColor`))
	if colour != "rgb(11, 79, 138)" {
		t.Errorf("stylesheet not applied under the CSP: button background %q", colour)
	}

	// Submit with question 3 (required) unanswered and a comment typed.
	browse(t, tab1, "answer", answerAllBut(3)...)
	browse(t, tab1, "type a comment", chromedp.SendKeys(chromedp.ID("q10"), "Personne très ponctuelle."))
	submitForm(t, tab1, "submit incomplete")
	browse(t, tab1, "see the errors", chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	if summary := read(t, tab1, chromedp.Text(chromedp.CSS(".error-summary"))); !strings.Contains(summary, "Question 3 : Merci de répondre à cette question.") {
		t.Fatalf("error summary %q", summary)
	}
	if msg := read(t, tab1, chromedp.Text(chromedp.ID("q3-erreur"))); !strings.Contains(msg, "Merci de répondre à cette question.") {
		t.Fatalf("message beside question 3: %q", msg)
	}
	if !read(t, tab1, chromedp.Evaluate[bool](`document.getElementById("q1-1").checked && document.getElementById("q9-8").checked`)) {
		t.Fatal("radio answers lost after the error")
	}
	if comment := read(t, tab1, chromedp.Value(chromedp.ID("q10"))); comment != "Personne très ponctuelle." {
		t.Fatalf("comment lost after the error: %q", comment)
	}

	// The summary links to the first radio of question 3; answer it with the
	// keyboard only (space checks the focused radio), then send.
	href := read(t, tab1, chromedp.Evaluate[string](`document.querySelector(".error-summary a").getAttribute("href")`))
	if href != "#q3-0" {
		t.Errorf("summary link goes to %q, want #q3-0", href)
	}
	browse(t, tab1, "answer question 3",
		chromedp.WaitVisible(chromedp.ID("q3-0")),
		chromedp.Focus(chromedp.ID("q3-0")),
		chromedp.KeyEvent(" "),
	)
	if !read(t, tab1, chromedp.Evaluate[bool](`document.getElementById("q3-0").checked`)) {
		t.Fatal("space did not check the focused radio")
	}
	submitForm(t, tab1, "submit fixed")
	browse(t, tab1, "see the thanks", chromedp.WaitVisible(chromedp.CSS(".panel-success")))
	if h1 := read(t, tab1, chromedp.Text(chromedp.CSS("h1"))); h1 != "Merci, votre réponse a bien été enregistrée" {
		t.Fatalf("after submit: %q", h1)
	}
	if loc := read(t, tab1, chromedp.Location()); loc != link+"/merci" {
		t.Fatalf("after submit at %s", loc)
	}

	// The second tab answers too: it lands on the already-answered page.
	browse(t, tab2, "answer in the second tab", answerAllBut(0)...)
	submitForm(t, tab2, "submit from the second tab")
	browse(t, tab2, "see the answered page", chromedp.WaitVisible(chromedp.CSS(".panel")))
	if h1 := read(t, tab2, chromedp.Text(chromedp.CSS("h1"))); h1 != "Merci, votre réponse a déjà été enregistrée" {
		t.Fatalf("second tab shows %q", h1)
	}
	if n := e.responseCount(); n != 1 {
		t.Fatalf("%d responses stored, want exactly 1", n)
	}
}
