package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"capsat/survey"
)

// jsonString quotes s as JSON, control characters escaped.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestControlCharactersAreRefusedInEveryTextField: NUL, control,
// bidirectional and invisible format characters are refused with a French
// message beside the field, in the API and the pages; line breaks stay
// allowed in multi-line text.
func TestControlCharactersAreRefusedInEveryTextField(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	e := b.testEnv
	sid, key := b.st.ID, b.key
	api := "/api/v1/structures/" + sid
	order := func(edit func(o map[string]any)) func() (string, string) {
		return func() (string, string) { return "/orders", orderBody("BC-T-1", edit) }
	}
	cases := []struct {
		name   string
		method string
		call   func() (path, body string)
		field  string // "" when accepted
	}{
		{"NUL in the company", http.MethodPost, order(func(o map[string]any) { client(o)["company"] = "Mairie\x00 de Vire" }), "client.company"},
		{"escape sequence in the job title", http.MethodPost, order(func(o map[string]any) { o["job_title"] = "Agent\x1b[2J" }), "job_title"},
		{"C1 control in the reference", http.MethodPost, order(func(o map[string]any) { o["reference"] = "BC\u0085T" }), "reference"},
		{"line break in the contact", http.MethodPost, order(func(o map[string]any) { client(o)["contact_name"] = "Mme\nDurand" }), "client.contact_name"},
		{"right-to-left override in the notes", http.MethodPost, order(func(o map[string]any) { o["notes"] = "Voir \u202efdp.exe" }), "notes"},
		{"lines in the notes", http.MethodPost, order(func(o map[string]any) { o["notes"] = "Ligne 1\r\nLigne 2\tfin" }), ""},
		{"isolate in a structure name", http.MethodPatch, func() (string, string) { return "", `{"name":` + jsonString("AI \u2067du Bocage") + `}` }, "name"},
		{"NUL in a questionnaire title", http.MethodPost, func() (string, string) {
			return "/questionnaires", questionnaireBody(func(q map[string]any) { q["title"] = "Votre\x00 avis" })
		}, "title"},
		{"invisible character in a choice", http.MethodPost, func() (string, string) {
			return "/questionnaires", questionnaireBody(func(q map[string]any) { question(q, 2)["choices"] = []any{"Internet", "Bouche\u2062 à oreille"} })
		}, "questions[2].choices[1]"},
		{"control character in a user's e-mail", http.MethodPost, func() (string, string) {
			return "/users", `{"email":` + jsonString("agent\x07@bocage.test") + `}`
		}, "email"},
		{"NUL in an API key name", http.MethodPost, func() (string, string) { return "/api-keys", `{"name":` + jsonString("clé\x00 comptable") + `}` }, "name"},
	}
	for _, tc := range cases {
		path, body := tc.call()
		rec := e.do(tc.method, api+path, body, key)
		if tc.field == "" {
			if rec.Code >= 300 {
				t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
			}
			continue
		}
		if b := decode[apiError](t, rec); rec.Code != http.StatusUnprocessableEntity || b.Codes[tc.field] != survey.CodeInvalidChar ||
			!strings.HasPrefix(b.Fields[tc.field], "Ce champ ") {
			t.Errorf("%s: %d %+v, want %s on %s", tc.name, rec.Code, b, survey.CodeInvalidChar, tc.field)
		}
	}

	// Pages: the order form, the follow-up action, the survey's comment.
	form := orderFormValues()
	form.Set("client.company", "Mairie\x00 de Vire")
	if rec := b.post(b.root()+"/commandes", form); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), `id="client-company-error">Ce champ contient un caractère nul`) {
		t.Errorf("order form: %d", rec.Code)
	}
	if rec := b.post(b.root()+"/suivi/"+b.orderID, url.Values{"action": {"Appel\x00 du client"}}); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), "caractère nul") {
		t.Errorf("follow-up action: %d", rec.Code)
	}
	f := e.issueSurvey("AI de la Hague", "Agent d'entretien")
	_, cookie, formToken := e.openSurvey(f.token)
	answers := fullAnswers(formToken)
	answers.Set("commentaire", "Très bien\x00")
	if rec := e.postSurvey(f.token, cookie, answers); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "caractère nul") {
		t.Errorf("survey comment: %d", rec.Code)
	}
	answers.Set("commentaire", "Très bien.\r\nMerci à Anatole.")
	if rec := e.postSurvey(f.token, cookie, answers); rec.Code != http.StatusSeeOther {
		t.Errorf("survey comment on two lines: %d %s", rec.Code, rec.Body)
	}
}

// TestOrderDatesOutsideThePlausibleRangeAreRefused: years 0001 and 9999
// are refused as start or end dates, through the API and imports.
func TestOrderDatesOutsideThePlausibleRangeAreRefused(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t) // today: 2026-03-01
	st, key := e.structure("AI du Bocage", "Normandie")
	cases := []struct {
		name, start, end, field string // field "" when accepted
	}{
		{"year 0001", "0001-01-01", "", "start_date"},
		{"year 9999", "9999-01-01", "", "start_date"},
		{"1999", "1999-12-31", "2026-03-14", "start_date"},
		{"open end written 9999", "2026-03-03", "9999-12-31", "end_date"},
		{"eleven years ahead", "2037-03-03", "", "start_date"},
		{"2000-01-01 to ten years ahead", "2000-01-01", "2036-03-01", ""},
	}
	for _, tc := range cases {
		body := orderBody("BC-"+tc.start, func(o map[string]any) { o["start_date"], o["end_date"] = tc.start, tc.end })
		rec := e.do(http.MethodPost, "/api/v1/structures/"+st.ID+"/orders", body, key)
		if tc.field == "" {
			if rec.Code != http.StatusCreated {
				t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
			}
			continue
		}
		if b := decode[apiError](t, rec); rec.Code != http.StatusUnprocessableEntity || b.Codes[tc.field] != "date_range" ||
			!strings.Contains(b.Fields[tc.field], "du 01/01/2000 au 01/03/2036") {
			t.Errorf("%s: %d %+v", tc.name, rec.Code, b)
		}
	}
	csv := "Référence;Type de prestation;Client;Date de début;Date de fin\n" +
		"BC-I-1;MAD;Mairie de Vire;02/03/2026;31/12/9999\n" +
		"BC-I-2;MAD;Mairie de Vire;01/01/0001;\n" +
		"BC-I-3;MAD;Mairie de Vire;02/03/2026;13/03/2026\n"
	res := e.importOK(st.ID, key, "commandes.csv", []byte(csv), "")
	if res.Created != 1 || len(res.Rejected) != 2 || res.Rejected[0].Row != 2 || res.Rejected[1].Row != 3 ||
		!strings.Contains(res.Rejected[0].Message, "plage admise") {
		t.Errorf("import: %+v", res)
	}
}

// TestNearDuplicateReferencesAreDuplicates: a reference differing from one
// of the structure only by case, a zero width character or full-width
// letters is refused as a duplicate (it was accepted as new), and an
// import finds the order under it.
func TestNearDuplicateReferencesAreDuplicates(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	e.mustCreateOrder(st.ID, key, orderBody("BC-2026-001", nil))
	for _, ref := range []string{"bc-2026-001", "BC-2026\u200b-001", "ＢＣ-2026-001", "BC-２０２６-００１", "\ufeffBc-2026-001 "} {
		rec := e.do(http.MethodPost, "/api/v1/structures/"+st.ID+"/orders", orderBody(ref, nil), key)
		if b := decode[apiError](t, rec); rec.Code != http.StatusConflict || b.Codes["reference"] != "duplicate" {
			t.Errorf("%q: %d %+v", ref, rec.Code, b)
		}
	}
	csv := "Référence;Type de prestation;Client;Date de début;Date de fin;Heures\n" +
		"bc-2026-001;MAD;Mairie de Vire;03/03/2026;14/03/2026;35\n"
	if res := e.importOK(st.ID, key, "commandes.csv", []byte(csv), ""); res.Created != 0 || res.Unchanged != 1 {
		t.Errorf("import of the same order in lower case: %+v", res)
	}
	if n := e.orderCount(st.ID, key); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
}
