package handlers

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/chromedp/chromedp"
)

// These form functions are meant for the all-forms coverage table: each
// takes a tab signed in as a structure user of sid (as the table's rows
// do), fills its form validly or not, submits it and checks the outcome:
// the stored result, or the French message beside the field.

// css selects an element whose id or name holds brackets, which #id
// selectors do not allow.
func css(attr, value string) string { return `[` + attr + `="` + value + `"]` }

// noSideScroll fails when the page is wider than the window.
func noSideScroll(t *testing.T, tab context.Context, what string, width int) {
	t.Helper()
	if w := read(t, tab, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > width {
		wide := read(t, tab, chromedp.Evaluate[string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > `+strconv.Itoa(width)+` && !e.closest(".table-wrap")).slice(0, 5).map(e => e.tagName + "." + e.className + "#" + e.id + " (" + Math.round(e.getBoundingClientRect().right) + " px)").join(" ")`))
		t.Errorf("%s is %d px wide in a %d px window: %s", what, w, width, wide)
	}
}

// formQuestionnaireEditor edits a new draft of the structure's first
// questionnaire in the editor. Valid: rewords question 1, moves question 2
// up, adds a choice question, saves, and checks the stored draft. Invalid:
// empties question 1's wording and checks the message beside it and that
// nothing was stored.
func formQuestionnaireEditor(t *testing.T, tab context.Context, e *testEnv, site, sid string, valid bool) {
	t.Helper()
	ctx := context.Background()
	qs, err := e.store.ListQuestionnaires(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	var draft *survey.Questionnaire
	for i := range qs {
		if qs[i].Status == survey.StatusDraft {
			draft = &qs[i]
		}
	}
	if draft == nil {
		if draft, err = e.store.NewQuestionnaireVersion(ctx, sid, qs[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	path := site + structurePagesPath(sid) + "/questionnaires/" + draft.ID + "/modifier"
	browse(t, tab, "open the editor", chromedp.Navigate(path), chromedp.WaitVisible(chromedp.CSS(css("name", "questions[0].label"))))
	if !valid {
		browse(t, tab, "empty question 1", chromedp.SetValue(chromedp.CSS(css("name", "questions[0].label")), "  "))
		clickAndLoad(t, tab, "save the empty wording", `button[name=action][value=save]`)
		if msg := textOf(t, tab, css("id", "questions[0]-label-error")); !strings.Contains(msg, "obligatoire") {
			t.Fatalf("message beside question 1's wording: %q", msg)
		}
		if got := read(t, tab, chromedp.Evaluate[string](`document.activeElement && document.querySelector(".error-summary") ? "ok" : ""`)); got != "ok" {
			t.Error("no error summary")
		}
		if stored, _ := e.store.Questionnaire(ctx, sid, draft.ID); stored.Revision != draft.Revision {
			t.Fatal("an invalid draft was saved")
		}
		return
	}
	second := draft.Questions[1]
	clickAndLoad(t, tab, "move question 2 up", `button[name=action][value="up:1"]`)
	if v := read(t, tab, chromedp.Value(chromedp.CSS(css("name", "questions[0].label")))); v != second.Label {
		t.Fatalf("after moving up, question 1 is %q", v)
	}
	clickAndLoad(t, tab, "add a question", `button[name=action][value=add]`)
	n := len(draft.Questions)
	q := func(f string) string { return css("name", "questions["+strconv.Itoa(n)+"]."+f) }
	browse(t, tab, "fill the new question",
		chromedp.SetValue(chromedp.CSS(css("name", "questions[1].label")), "Notre réactivité, délai compris"),
		chromedp.SendKeys(chromedp.CSS(q("label")), "Comment nous avez-vous connus ?"),
		chromedp.SetValue(chromedp.CSS(q("type")), string(survey.QuestionChoice)),
		chromedp.SetValue(chromedp.CSS(q("choices")), "Bouche-à-oreille\nSite internet"),
	)
	clickAndLoad(t, tab, "save the draft", `button[name=action][value=save]`)
	if notice := textOf(t, tab, ".notice"); !strings.Contains(notice, "enregistré") {
		t.Fatalf("after saving: %q", notice)
	}
	stored, err := e.store.Questionnaire(ctx, sid, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := stored.Questions[len(stored.Questions)-1]
	switch {
	case stored.Revision != draft.Revision+1:
		t.Fatalf("revision %d after one save of %d", stored.Revision, draft.Revision)
	case stored.Questions[0].Code != second.Code || stored.Questions[1].Label != "Notre réactivité, délai compris":
		t.Fatalf("stored order or wording: %+v", stored.Questions[:2])
	case last.Type != survey.QuestionChoice || len(last.Choices) != 2 || last.Label != "Comment nous avez-vous connus ?":
		t.Fatalf("stored new question: %+v", last)
	}
}

// storedReference tells whether structure sid has an order of that reference.
func storedReference(t *testing.T, e *testEnv, sid, ref string) bool {
	t.Helper()
	page, err := e.store.ListOrders(context.Background(), sid, survey.OrderFilter{Q: ref, PerPage: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range page.Orders {
		if o.Reference == ref {
			return true
		}
	}
	return false
}

// formImport uploads an order file on the import page, previews it and
// confirms it. Valid: two good rows, checks both orders are stored and
// linked from the result. Invalid: submits without a file and checks the
// message beside the file field, then a file with a bad date and checks
// the message beside its row in the preview.
func formImport(t *testing.T, tab context.Context, e *testEnv, site, sid string, valid bool) {
	t.Helper()
	page := site + structurePagesPath(sid) + "/commandes/import"
	dir := t.TempDir()
	file := filepath.Join(dir, "commandes.csv")
	rows := "BC-IMP-1;MAD;Mairie de Vire;;;;;Agent;02/03/2026;13/03/2026;35\r\nBC-IMP-2;Mise à contrat;Boulangerie Lenoir;;;;;Vendeuse;04/03/2026;;\r\n"
	if !valid {
		rows = "BC-IMP-9;MAD;Mairie;;;;;Agent;31/02/2026;;35\r\n"
	}
	if err := os.WriteFile(file, []byte(importHeader+"\r\n"+rows), 0o600); err != nil {
		t.Fatal(err)
	}
	browse(t, tab, "open the import page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("file")))
	if !valid {
		clickAndLoad(t, tab, "preview without a file", "form.edit button[type=submit]")
		if msg := textOf(t, tab, "#file-error"); !strings.Contains(msg, "Choisissez le fichier") {
			t.Fatalf("message beside the file field: %q", msg)
		}
	}
	browse(t, tab, "choose the file", chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}))
	clickAndLoad(t, tab, "preview the file", "form.edit button[type=submit]")
	if !valid {
		if msg := textOf(t, tab, "#ligne-2 .row-problems"); !strings.Contains(msg, "Date début") {
			t.Fatalf("message beside row 2: %q", msg)
		}
		if storedReference(t, e, sid, "BC-IMP-9") {
			t.Fatal("the preview stored an order")
		}
		return
	}
	if row := textOf(t, tab, "#ligne-3"); !strings.Contains(row, "Boulangerie Lenoir") || !strings.Contains(row, "Aucune") {
		t.Fatalf("preview row 3: %q", row)
	}
	clickAndLoad(t, tab, "confirm the import", "form.actions button[type=submit]")
	if res := textOf(t, tab, "#resultat-import"); !strings.Contains(res, "2\u00a0bons créés") || !strings.Contains(res, "BC-IMP-2") {
		t.Fatalf("result: %q", res)
	}
	clickAndLoad(t, tab, "open an imported order", "ul.imported li:last-child a")
	if body := textOf(t, tab, "main"); !strings.Contains(body, "Boulangerie Lenoir") {
		t.Fatalf("imported order page: %q", body)
	}
	for _, ref := range []string{"BC-IMP-1", "BC-IMP-2"} {
		if !storedReference(t, e, sid, ref) {
			t.Fatalf("%s not stored", ref)
		}
	}
}

// TestBrowserEditorAndImportForms submits the questionnaire editor and the
// import form in Chromium, valid and invalid, at 375 px; the region page
// fits a phone too.
func TestBrowserEditorAndImportForms(t *testing.T) {
	e := newTestEnv(t)
	st, _ := e.structure("AI du Bocage", "Normandie")
	e.user("direction@bocage.fr", accounts.RoleStructureAdmin, st.ID, "")
	e.user("normandie@reseau.fr", accounts.RoleRegionViewer, "", "Normandie")
	e.seedAnswered(st, 6, survey.ServiceMAD, "satisfait")
	srv := httptest.NewServer(e.router)
	t.Cleanup(srv.Close)
	browser := newBrowser(t)
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	browse(t, tab, "phone size", chromedp.EmulateViewport(375, 800, chromedp.EmulateMobile))
	signIn(t, tab, srv.URL, "direction@bocage.fr")

	formQuestionnaireEditor(t, tab, e, srv.URL, st.ID, false)
	noSideScroll(t, tab, "the editor with a message", 375)
	formQuestionnaireEditor(t, tab, e, srv.URL, st.ID, true)
	noSideScroll(t, tab, "the editor", 375)
	formImport(t, tab, e, srv.URL, st.ID, false)
	noSideScroll(t, tab, "the import preview", 375)
	formImport(t, tab, e, srv.URL, st.ID, true)
	browse(t, tab, "open the import page", chromedp.Navigate(srv.URL+structurePagesPath(st.ID)+"/commandes/import"), chromedp.WaitVisible(chromedp.ID("colonnes")))
	noSideScroll(t, tab, "the import page", 375)

	region, cancelRegion := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelRegion)
	browse(t, region, "phone size", chromedp.EmulateViewport(375, 800, chromedp.EmulateMobile))
	signIn(t, region, srv.URL, "normandie@reseau.fr")
	browse(t, region, "open the region page", chromedp.Navigate(srv.URL+"/app/regions/Normandie"), chromedp.WaitVisible(chromedp.ID("structures")))
	noSideScroll(t, region, "the region page", 375)
	clickAndLoad(t, region, "open a structure's page", "#structures tbody th a")
	if h1 := textOf(t, region, "h1"); h1 != "AI du Bocage" {
		t.Fatalf("structure page title %q", h1)
	}
	noSideScroll(t, region, "the structure page", 375)
}
