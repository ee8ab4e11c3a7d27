package handlers

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"
)

// questionnaireBody is a valid questionnaire draft as JSON, changed by edit.
func questionnaireBody(edit func(q map[string]any)) string {
	q := map[string]any{
		"title":         "Votre avis en bref",
		"service_types": []any{"mise_a_disposition"},
		"questions": []any{
			map[string]any{"code": "satisfaction_globale", "label": "Votre satisfaction globale", "type": "scale", "required": true, "role": "overall"},
			map[string]any{"code": "recommandation", "label": "Nous recommanderiez-vous ?", "type": "nps", "role": "recommend"},
			map[string]any{"code": "canal", "label": "Comment nous avez-vous connus ?", "type": "choice", "choices": []any{"Bouche à oreille", "Internet"}},
		},
	}
	if edit != nil {
		edit(q)
	}
	b, _ := json.Marshal(q)
	return string(b)
}

func question(q map[string]any, i int) map[string]any {
	return q["questions"].([]any)[i].(map[string]any)
}

func TestQuestionnaireRoutes(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, admin := e.structure("AI du Bocage", "Normandie")
	member := e.key(accounts.APIKeyInput{Name: "membre", Role: accounts.RoleStructureMember, StructureID: st.ID})
	_, otherKey := e.structure("AI Voisine", "Normandie")
	base := "/api/v1/structures/" + st.ID + "/questionnaires"

	rec := e.do(http.MethodGet, base, "", member)
	list := decode[map[string][]survey.Questionnaire](t, rec)["questionnaires"]
	if rec.Code != 200 || len(list) != 2 || list[0].Status != survey.StatusPublished {
		t.Fatalf("defaults: %d %s", rec.Code, rec.Body)
	}

	rec = e.do(http.MethodPost, base, questionnaireBody(nil), member)
	draft := decode[survey.Questionnaire](t, rec)
	if rec.Code != http.StatusCreated || draft.Status != survey.StatusDraft || draft.Version != 1 || draft.ID == "" {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	one := base + "/" + draft.ID
	if got := decode[survey.Questionnaire](t, e.do(http.MethodGet, one, "", member)); got.Title != draft.Title || len(got.Questions) != 3 {
		t.Fatalf("get: %+v", got)
	}

	bad := []struct {
		name, body string
		status     int
		field      string
	}{
		{"malformed", `{"title":`, 400, "body"},
		{"questions as an object", `{"title":"T","questions":{}}`, 400, "questions"},
		{"no title", questionnaireBody(func(q map[string]any) { q["title"] = "" }), 422, "title"},
		{"no questions", questionnaireBody(func(q map[string]any) { q["questions"] = []any{} }), 422, "questions"},
		{"unknown service type", questionnaireBody(func(q map[string]any) { q["service_types"] = []any{"interim"} }), 422, "service_types[0]"},
		{"unknown question type", questionnaireBody(func(q map[string]any) { question(q, 2)["type"] = "slider" }), 422, "questions[2].type"},
		{"duplicate code", questionnaireBody(func(q map[string]any) { question(q, 1)["code"] = "satisfaction_globale" }), 422, "questions[1].code"},
		{"no overall", questionnaireBody(func(q map[string]any) { question(q, 0)["role"] = "" }), 422, "questions"},
		{"choice without choices", questionnaireBody(func(q map[string]any) { delete(question(q, 2), "choices") }), 422, "questions[2].choices"},
	}
	for _, tc := range bad {
		for _, method := range []string{http.MethodPost, http.MethodPut} {
			path := base
			if method == http.MethodPut {
				path = one
			}
			rec := e.do(method, path, tc.body, member)
			if rec.Code != tc.status || decode[apiError](t, rec).Fields[tc.field] == "" {
				t.Errorf("%s %s: %d %s", method, tc.name, rec.Code, rec.Body)
			}
		}
	}

	renamed := questionnaireBody(func(q map[string]any) { q["title"] = "Votre avis, version courte" })
	if rec := e.do(http.MethodPut, one, renamed, member); rec.Code != 200 || decode[survey.Questionnaire](t, rec).Title != "Votre avis, version courte" {
		t.Fatalf("update draft: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(http.MethodPost, one+"/publish", "", member); rec.Code != http.StatusForbidden {
		t.Fatalf("member publishes: %d", rec.Code)
	}
	e.clock.Advance(1e9)
	if rec := e.do(http.MethodPost, one+"/publish", "", admin); rec.Code != 200 || decode[survey.Questionnaire](t, rec).Status != survey.StatusPublished {
		t.Fatalf("publish: %d %s", rec.Code, rec.Body)
	}
	rec = e.do(http.MethodPut, one, questionnaireBody(nil), admin)
	if rec.Code != http.StatusConflict || !strings.Contains(decode[apiError](t, rec).Error, "nouvelle version") {
		t.Fatalf("published version edited: %d %s", rec.Code, rec.Body)
	}
	if got := decode[survey.Questionnaire](t, e.do(http.MethodGet, one, "", member)); got.Title != "Votre avis, version courte" {
		t.Fatalf("published version changed: %+v", got)
	}

	rec = e.do(http.MethodPost, one+"/versions", "", member)
	next := decode[survey.Questionnaire](t, rec)
	if rec.Code != http.StatusCreated || next.Version != 2 || next.FamilyID != draft.FamilyID || next.Status != survey.StatusDraft {
		t.Fatalf("next version: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(http.MethodPost, one+"/versions", "", member); rec.Code != http.StatusConflict {
		t.Fatalf("second draft: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(http.MethodPost, one+"/archive", "", member); rec.Code != http.StatusForbidden {
		t.Fatalf("member archives: %d", rec.Code)
	}
	if rec := e.do(http.MethodPost, one+"/archive", "", admin); rec.Code != 200 || decode[survey.Questionnaire](t, rec).Status != survey.StatusArchived {
		t.Fatalf("archive: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(http.MethodPost, one+"/publish", "", admin); rec.Code != http.StatusConflict {
		t.Fatalf("publish archived: %d", rec.Code)
	}
	// The default hiring questionnaire is the last published for its type.
	for _, q := range list {
		if q.ServiceTypes[0] == survey.ServiceMAC {
			if rec := e.do(http.MethodPost, base+"/"+q.ID+"/archive", "", admin); rec.Code != http.StatusConflict {
				t.Fatalf("last published archived: %d %s", rec.Code, rec.Body)
			}
		}
	}

	for _, path := range []string{one, one + "/publish", one + "/archive", one + "/versions"} {
		method := http.MethodPost
		if path == one {
			method = http.MethodGet
		}
		if rec := e.do(method, path, "", otherKey); rec.Code != http.StatusNotFound {
			t.Errorf("another structure %s %s: %d", method, path, rec.Code)
		}
	}
	otherSID := "/api/v1/structures/" + decode[map[string][]survey.Structure](t, e.do(http.MethodGet, "/api/v1/structures", "", otherKey))["structures"][0].ID
	if rec := e.do(http.MethodGet, otherSID+"/questionnaires/"+draft.ID, "", otherKey); rec.Code != http.StatusNotFound {
		t.Fatalf("questionnaire through another structure: %d", rec.Code)
	}
	if rec := e.do(http.MethodGet, base, "", ""); rec.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", rec.Code)
	}
	if n := len(decode[map[string][]survey.Questionnaire](t, e.do(http.MethodGet, base, "", member))["questionnaires"]); n != 4 {
		t.Fatalf("refused requests wrote questionnaires: %d", n)
	}
}

func TestPublishedQuestionnaireServesNewLinks(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, admin := e.structure("AI", "Bretagne")
	base := "/api/v1/structures/" + st.ID
	q := decode[survey.Questionnaire](t, e.do(http.MethodPost, base+"/questionnaires", questionnaireBody(nil), admin))
	first := e.mustCreateOrder(st.ID, admin, orderBody("BC-1", nil))
	e.do(http.MethodPost, base+"/orders/"+first+"/survey", "", admin)
	e.clock.Advance(1e9)
	e.do(http.MethodPost, base+"/questionnaires/"+q.ID+"/publish", "", admin)
	second := e.mustCreateOrder(st.ID, admin, orderBody("BC-2", nil))
	e.do(http.MethodPost, base+"/orders/"+second+"/survey", "", admin)

	survey1 := decode[orderJSON](t, e.do(http.MethodGet, base+"/orders/"+first, "", admin)).Survey
	survey2 := decode[orderJSON](t, e.do(http.MethodGet, base+"/orders/"+second, "", admin)).Survey
	if survey1.QuestionnaireID == q.ID || survey2.QuestionnaireID != q.ID {
		t.Fatalf("links must freeze the version published at issue: %s then %s (new %s)", survey1.QuestionnaireID, survey2.QuestionnaireID, q.ID)
	}
}
