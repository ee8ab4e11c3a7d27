package handlers

import (
	"net/http"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/surveytest"
)

func TestEmailSettingsAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, admin := e.structure("AI du Bocage", "Normandie")
	member := e.key(accounts.APIKeyInput{Name: "membre", Role: accounts.RoleStructureMember, StructureID: st.ID})
	_, otherKey := e.structure("AI Voisine", "Normandie")
	path := "/api/v1/structures/" + st.ID + "/settings/email"

	rec := e.do(http.MethodGet, path, "", member)
	if rec.Code != http.StatusOK {
		t.Fatalf("get: %d %s", rec.Code, rec.Body)
	}
	got := decode[map[string]any](t, rec)
	if got["auto_send"] != false || got["reminder_after_days"] != float64(7) || got["reminders"] != float64(2) || len(got["service_types"].([]any)) != 2 {
		t.Fatalf("defaults: %v", got)
	}
	body := `{"auto_send": true, "service_types": ["mise_a_disposition"], "reminder_after_days": 5, "reminders": 1, "sender_name": "AI du Bocage", "reply_to": "contact@bocage.fr", "alert_addresses": ["direction@bocage.fr"]}`
	if rec := e.do(http.MethodPut, path, body, member); rec.Code != http.StatusForbidden {
		t.Fatalf("member PUT: %d", rec.Code)
	}
	if rec := e.do(http.MethodPut, path, body, otherKey); rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Fatalf("other structure PUT: %d", rec.Code)
	}
	if rec := e.do(http.MethodGet, path, "", otherKey); rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Fatalf("other structure GET: %d", rec.Code)
	}
	if rec := e.do(http.MethodPut, path, body, admin); rec.Code != http.StatusOK {
		t.Fatalf("admin PUT: %d %s", rec.Code, rec.Body)
	}
	got = decode[map[string]any](t, e.do(http.MethodGet, path, "", admin))
	if got["auto_send"] != true || got["reply_to"] != "contact@bocage.fr" || got["reminders"] != float64(1) {
		t.Fatalf("saved: %v", got)
	}
	bad := `{"auto_send": true, "service_types": ["nettoyage"], "reminder_after_days": 0, "reminders": 9, "sender_name": "A <b>", "reply_to": "pas-une-adresse", "alert_addresses": ["ok@x.fr", "faux"]}`
	rec = e.do(http.MethodPut, path, bad, admin)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad PUT: %d %s", rec.Code, rec.Body)
	}
	fields := decode[apiError](t, rec).Fields
	for _, f := range []string{"service_types", "reminder_after_days", "reminders", "sender_name", "reply_to", "alert_addresses.1"} {
		if fields[f] == "" {
			t.Errorf("no message on %s: %v", f, fields)
		}
	}
	if rec := e.do(http.MethodPut, path, `{"auto_send": "oui"}`, admin); rec.Code != http.StatusBadRequest {
		t.Errorf("wrong type: %d", rec.Code)
	}
	// Nothing half-written: the good settings stand.
	if got := decode[map[string]any](t, e.do(http.MethodGet, path, "", admin)); got["reply_to"] != "contact@bocage.fr" {
		t.Fatalf("after a refused PUT: %v", got)
	}
}

func TestSendSurveyByEmailAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	_, otherKey := e.structure("AI Voisine", "Normandie")
	withMail := e.seedOrder(st.ID, key, "BC-1", "Mairie de Vire", "Mme Durand", "durand@vire.fr", "")
	noMail := e.seedOrder(st.ID, key, "BC-2", "Mairie de Vire", "Mme Durand", "", "")
	base := "/api/v1/structures/" + st.ID + "/orders/"

	rec := e.do(http.MethodPost, base+withMail+"/survey/email", "", key)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("send: %d %s", rec.Code, rec.Body)
	}
	sent := decode[map[string]string](t, rec)
	if sent["status"] != "queued" || !strings.HasPrefix(sent["message_id"], withMail+".") {
		t.Fatalf("reply: %v", sent)
	}
	rec = e.do(http.MethodGet, base+withMail+"/messages", "", key)
	if rec.Code != http.StatusOK {
		t.Fatalf("messages: %d %s", rec.Code, rec.Body)
	}
	msgs := decode[messagesJSON](t, rec).Messages
	if len(msgs) != 1 || msgs[0].ID != sent["message_id"] || msgs[0].Kind != survey.KindInvitation || msgs[0].To != "durand@vire.fr" || msgs[0].Status != survey.MessageQueued || msgs[0].SentAt != nil {
		t.Fatalf("messages: %+v", msgs)
	}
	if !strings.Contains(rec.Body.String(), `"sent_at":null`) || !strings.Contains(rec.Body.String(), `"error":""`) {
		t.Errorf("fields of the contract: %s", rec.Body)
	}
	if rec := e.do(http.MethodPost, base+noMail+"/survey/email", "", key); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "client.email") {
		t.Fatalf("no e-mail: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(http.MethodPost, base+withMail+"/survey/email", "", otherKey); rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Fatalf("other structure: %d", rec.Code)
	}
	if rec := e.do(http.MethodGet, base+withMail+"/messages", "", otherKey); rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Fatalf("other structure's messages: %d", rec.Code)
	}
	// Answered: 409.
	tok := e.issueSurveyToken(st.ID, withMail, key)
	sc, err := e.store.ResolveToken(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SubmitResponse(t.Context(), tok, surveytest.Answers(&sc.Questionnaire)); err != nil {
		t.Fatal(err)
	}
	if rec := e.do(http.MethodPost, base+withMail+"/survey/email", "", key); rec.Code != http.StatusConflict {
		t.Fatalf("answered: %d %s", rec.Code, rec.Body)
	}
	// Opted out: 409.
	third := e.seedOrder(st.ID, key, "BC-3", "Mairie de Vire", "Mme Durand", "durand@vire.fr", "")
	if err := e.store.OptOut(t.Context(), st.ID, "durand@vire.fr"); err != nil {
		t.Fatal(err)
	}
	if rec := e.do(http.MethodPost, base+third+"/survey/email", "", key); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "ne plus recevoir") {
		t.Fatalf("opted out: %d %s", rec.Code, rec.Body)
	}
}
