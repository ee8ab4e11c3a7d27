package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"capsat/survey"
)

// editorDraft makes the next version of the structure's first published
// questionnaire and returns the draft and the editor's path.
func editorDraft(t *testing.T, b *backofficeEnv) (*survey.Questionnaire, string) {
	t.Helper()
	qs, err := b.store.ListQuestionnaires(context.Background(), b.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	draft, err := b.store.NewQuestionnaireVersion(context.Background(), b.st.ID, qs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return draft, b.root() + "/questionnaires/" + draft.ID + "/modifier"
}

// editorFormOf is the editor's post for a stored version, as the page
// fills it.
func editorFormOf(q *survey.Questionnaire) url.Values {
	f := questionnaireFormOf(q)
	v := url.Values{"revision": {strconv.Itoa(f.Revision)}, "title": {f.Title}, "intro": {f.Intro}, "service_types": f.Services, "count": {strconv.Itoa(len(f.Questions))}}
	for _, qu := range f.Questions {
		v.Set(qu.Field("label"), qu.Label)
		v.Set(qu.Field("code"), qu.Code)
		v.Set(qu.Field("type"), qu.Type)
		v.Set(qu.Field("role"), qu.Role)
		v.Set(qu.Field("choices"), qu.Choices)
		v.Set(qu.Field("help"), qu.Help)
		v.Set(qu.Field("max_length"), qu.MaxLength)
		if qu.Required {
			v.Set(qu.Field("required"), "1")
		}
	}
	return v
}

func TestQuestionnaireEditorSavesADraft(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	draft, path := editorDraft(t, b)
	rec := b.get(path)
	if rec.Code != http.StatusOK {
		t.Fatalf("editor: %d %s", rec.Code, rec.Body)
	}
	mustContain(t, rec.Body.String(), `name="questions[0].label"`, `name="revision" value="0"`, "Ajouter une question", "Supprimer le brouillon")
	if list := b.get(b.root() + "/questionnaires").Body.String(); !strings.Contains(list, path) {
		t.Error("the list does not link the draft to its editor")
	}

	// Move the second question up, add one, then save: the order, the
	// new question (code made from its position) and the wording are stored.
	form := editorFormOf(draft)
	form.Set("action", "up:1")
	rec = b.post(path, form)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Modification non enregistrée") {
		t.Fatalf("move: %d", rec.Code)
	}
	if stored, _ := b.store.Questionnaire(context.Background(), b.st.ID, draft.ID); stored.Questions[0].Code != draft.Questions[0].Code {
		t.Fatal("a move was saved before « Enregistrer »")
	}
	form.Set("questions[0].code", draft.Questions[1].Code)
	form.Set("questions[0].label", draft.Questions[1].Label)
	form.Set("questions[1].code", draft.Questions[0].Code)
	form.Set("questions[1].label", "Réactivité : délai de réponse à votre demande")
	n := len(draft.Questions)
	form.Set("count", strconv.Itoa(n+1))
	add := func(f, v string) { form.Set("questions["+strconv.Itoa(n)+"]."+f, v) }
	add("label", "Comment nous avez-vous connus ?")
	add("type", string(survey.QuestionChoice))
	add("choices", "Bouche-à-oreille\nSite internet\n\nPôle emploi")
	form.Set("title", "Votre avis compte")
	form.Set("service_types", string(survey.ServiceMAD))
	form.Set("action", "save")
	rec = b.post(path, form)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	stored, _ := b.store.Questionnaire(context.Background(), b.st.ID, draft.ID)
	last := stored.Questions[n]
	switch {
	case stored.Title != "Votre avis compte" || stored.Revision != 1:
		t.Fatalf("stored %q revision %d", stored.Title, stored.Revision)
	case stored.Questions[0].Code != draft.Questions[1].Code || stored.Questions[1].Label != "Réactivité : délai de réponse à votre demande":
		t.Fatalf("order or wording not stored: %+v", stored.Questions[:2])
	case last.Code != "question_"+strconv.Itoa(n+1) || len(last.Choices) != 3 || last.Required:
		t.Fatalf("added question %+v", last)
	}
	mustContain(t, b.get(rec.Header().Get("Location")).Body.String(), "Le brouillon a été enregistré", "Comment nous avez-vous connus")

	// Remove a question, save and preview.
	form = editorFormOf(stored)
	form.Set("action", "remove:"+strconv.Itoa(n))
	rec = b.post(path, form)
	if strings.Contains(rec.Body.String(), "Comment nous avez-vous connus") {
		t.Fatal("removed question still drawn")
	}
	form = editorFormOf(stored)
	form.Set("count", strconv.Itoa(n))
	form.Set("action", "preview")
	rec = b.post(path, form)
	if rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), "/apercu") {
		t.Fatalf("save and preview: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if stored, _ = b.store.Questionnaire(context.Background(), b.st.ID, draft.ID); len(stored.Questions) != n {
		t.Fatalf("after removal: %d questions", len(stored.Questions))
	}
	mustContain(t, b.get(rec.Header().Get("Location")).Body.String(), "Réactivité\u00a0: délai de réponse", "Envoyer mes réponses")
}

func TestQuestionnaireEditorExplainsMistakes(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	draft, path := editorDraft(t, b)
	text := "questions[" + strconv.Itoa(len(draft.Questions)-1) + "]" // the free comment
	overall := ""
	for i, q := range draft.Questions {
		if q.Role == survey.RoleOverall {
			overall = "questions[" + strconv.Itoa(i) + "]"
		}
	}
	cases := []struct {
		name, field, want string
		change            func(url.Values)
	}{
		{"empty label", "questions[0].label", "obligatoire", func(f url.Values) { f.Set("questions[0].label", "  ") }},
		{"no service", "service_types", "au moins un type de prestation", func(f url.Values) { f.Del("service_types") }},
		{"one choice", "questions[0].choices", "au moins deux réponses", func(f url.Values) {
			f.Set("questions[0].type", "choice")
			f.Set("questions[0].choices", "Oui")
		}},
		{"overall role on a text", overall + ".role", "Satisfaction globale", func(f url.Values) { f.Set(overall+".type", "text") }},
		{"length not a number", text + ".max_length", "nombre entier", func(f url.Values) { f.Set(text+".max_length", "beaucoup") }},
		{"bad code", "questions[1].code", "Code invalide", func(f url.Values) { f.Set("questions[1].code", "Code avec espaces") }},
	}
	for _, tc := range cases {
		form := editorFormOf(draft)
		tc.change(form)
		rec := b.post(path, form)
		body := rec.Body.String()
		id := fieldID(tc.field)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", tc.name, rec.Code)
			continue
		}
		i := strings.Index(body, `id="`+id+`-error"`)
		if i < 0 || !strings.Contains(body[i:min(len(body), i+400)], tc.want) {
			t.Errorf("%s: no message %q beside %s", tc.name, tc.want, id)
		}
		if !strings.Contains(body, `href="#`+id+`"`) {
			t.Errorf("%s: the summary does not link to %s", tc.name, id)
		}
	}
	if stored, _ := b.store.Questionnaire(context.Background(), b.st.ID, draft.ID); stored.Revision != 0 {
		t.Fatal("an invalid form was saved")
	}
}

// Two people edit one draft: the second save, made over the revision the
// first replaced, is refused and keeps what the second typed on the page.
func TestQuestionnaireEditorRefusesAStaleSave(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	draft, path := editorDraft(t, b)
	first, second := editorFormOf(draft), editorFormOf(draft)
	first.Set("title", "Titre de Camille")
	second.Set("title", "Titre de Dominique")
	if rec := b.post(path, first); rec.Code != http.StatusSeeOther {
		t.Fatalf("first save: %d", rec.Code)
	}
	rec := b.post(path, second)
	if rec.Code != http.StatusConflict {
		t.Fatalf("stale save: %d", rec.Code)
	}
	mustContain(t, rec.Body.String(), "quelqu&#39;un d&#39;autre", `value="Titre de Dominique"`)
	if stored, _ := b.store.Questionnaire(context.Background(), b.st.ID, draft.ID); stored.Title != "Titre de Camille" {
		t.Fatalf("stored %q", stored.Title)
	}
	// The API says the same with a 409 when given the revision.
	body := `{"title":"API","service_types":["mise_a_disposition"],"revision":0,"questions":[{"code":"g","label":"Globalement ?","type":"scale","role":"overall"}]}`
	if rec := b.do(http.MethodPut, "/api/v1/structures/"+b.st.ID+"/questionnaires/"+draft.ID, body, b.key); rec.Code != http.StatusConflict {
		t.Fatalf("API stale save: %d %s", rec.Code, rec.Body)
	}
}

func TestQuestionnaireEditorFrozenAndForeignVersions(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	qs, _ := b.store.ListQuestionnaires(context.Background(), b.st.ID)
	published := qs[0]
	path := b.root() + "/questionnaires/" + published.ID
	rec := b.get(path + "/modifier")
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "est publiée") {
		t.Fatalf("editing a published version: %d", rec.Code)
	}
	if rec := b.post(path+"/modifier", editorFormOf(&published)); rec.Code != http.StatusConflict {
		t.Fatalf("saving a published version: %d", rec.Code)
	}
	if rec := b.post(path+"/suppression", url.Values{}); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "ne peut pas être supprimée") {
		t.Fatalf("deleting a published version: %d", rec.Code)
	}
	api := "/api/v1/structures/" + b.st.ID + "/questionnaires/" + published.ID
	if rec := b.do(http.MethodDelete, api, "", b.key); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "publiée") {
		t.Fatalf("API delete of a published version: %d %s", rec.Code, rec.Body)
	}

	// Another structure's draft: 404 everywhere.
	other, otherKey := b.structure("ACI des Marais", "Normandie")
	oq, _ := b.store.ListQuestionnaires(context.Background(), other.ID)
	foreign, err := b.store.NewQuestionnaireVersion(context.Background(), other.ID, oq[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/modifier", "/suppression"} {
		mine := b.root() + "/questionnaires/" + foreign.ID + p
		if rec := b.get(mine); p == "/modifier" && rec.Code != http.StatusNotFound {
			t.Errorf("GET %s of another structure: %d", p, rec.Code)
		}
		if rec := b.post(mine, editorFormOf(foreign)); rec.Code != http.StatusNotFound {
			t.Errorf("POST %s of another structure: %d", p, rec.Code)
		}
	}
	if rec := b.do(http.MethodDelete, "/api/v1/structures/"+b.st.ID+"/questionnaires/"+foreign.ID, "", b.key); rec.Code != http.StatusNotFound {
		t.Fatalf("API delete of another structure's draft: %d", rec.Code)
	}
	if _, err := b.store.Questionnaire(context.Background(), other.ID, foreign.ID); err != nil {
		t.Fatalf("the other structure's draft: %v", err)
	}

	// Its own draft: deleted by the page, then by the API (404 once gone).
	if rec := b.post(b.root()+"/questionnaires/"+foreign.ID+"/suppression", url.Values{}); rec.Code != http.StatusNotFound {
		t.Fatalf("delete foreign: %d", rec.Code)
	}
	if rec := b.do(http.MethodDelete, "/api/v1/structures/"+other.ID+"/questionnaires/"+foreign.ID, "", otherKey); rec.Code != http.StatusNoContent {
		t.Fatalf("API delete of a draft: %d %s", rec.Code, rec.Body)
	}
	draft, editPath := editorDraft(t, b)
	rec = b.post(strings.TrimSuffix(editPath, "/modifier")+"/suppression", url.Values{})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("delete draft: %d", rec.Code)
	}
	mustContain(t, b.get(rec.Header().Get("Location")).Body.String(), "Le brouillon a été supprimé")
	if _, err := b.store.Questionnaire(context.Background(), b.st.ID, draft.ID); err == nil {
		t.Fatal("draft still stored")
	}
}
