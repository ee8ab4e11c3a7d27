package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/notices"
)

// alertAddresses saves a structure's alert addresses.
func (e *testEnv) alertAddresses(sid string, addrs ...string) {
	e.t.Helper()
	in := survey.DefaultEmailSettings()
	in.AlertAddresses = addrs
	if _, err := e.store.SaveEmailSettings(context.Background(), sid, in); err != nil {
		e.t.Fatalf("email settings: %v", err)
	}
}

// answerSurvey answers a survey through its page, dissatisfied or not,
// with a comment.
func (e *testEnv) answerSurvey(token string, dissatisfied bool, comment string) {
	e.t.Helper()
	_, cookie, ft := e.openSurvey(token)
	form := fullAnswers(ft)
	if dissatisfied {
		form.Set("satisfaction_globale", "pas_du_tout_satisfait")
	}
	form.Set("commentaire", comment)
	if rec := e.postSurvey(token, cookie, form); rec.Code != http.StatusSeeOther {
		e.t.Fatalf("answer: %d %s", rec.Code, rec.Body)
	}
}

func TestDissatisfactionAlertGoesToItsStructureOnly(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	a := e.issueSurvey("AI du Bocage", "Agent d'entretien")
	b := e.issueSurvey("AI des Causses", "Jardinier")
	e.alertAddresses(a.structure.ID, "alertes@bocage.fr", "charge@bocage.fr")
	e.alertAddresses(b.structure.ID, "alertes@causses.fr")
	// charge@bocage.fr turned alerts off on "Mon compte".
	u := e.user("charge@bocage.fr", accounts.RoleStructureMember, a.structure.ID, "")
	session, csrf := e.session(u.ID)
	rec := postForm(e.router, "/compte/e-mails", url.Values{csrfField: {csrf}, "digest": {"1"}}, session, "")
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("mail preferences: %d", rec.Code)
	}
	page := getWithCookie(e.router, homePath+"?e-mails=enregistres", session).Body.String()
	if !strings.Contains(page, `id="alerts" name="alerts" type="checkbox" value="1">`) || !strings.Contains(page, `id="digest" name="digest" type="checkbox" value="1" checked>`) {
		t.Fatalf("account page does not show the choices: %s", page)
	}

	const secret = "Le salarié est arrivé en retard trois fois"
	e.answerSurvey(b.token, false, secret) // satisfied: no alert
	e.answerSurvey(a.token, true, secret)
	alerts := e.queued(notices.KindAlert)
	if len(alerts) != 1 {
		t.Fatalf("%d alerts, want 1: %+v", len(alerts), alerts)
	}
	m := alerts[0]
	if m.To != "alertes@bocage.fr" || m.StructureID != a.structure.ID {
		t.Fatalf("alert to %s of %s", m.To, m.StructureID)
	}
	for _, part := range []string{notices.DataText, notices.DataHTML} {
		body := m.Data[part]
		if !strings.Contains(body, "BC-1") || !strings.Contains(body, "http://capsat.test/app/structures/"+a.structure.ID+"/suivi") {
			t.Errorf("%s part lacks the reference or the follow-up link: %s", part, body)
		}
		if strings.Contains(body, "retard") || strings.Contains(body, "Mairie de Vire") || strings.Contains(body, "Durand") {
			t.Errorf("%s part carries client text: %s", part, body)
		}
	}
	if !strings.Contains(m.Data[notices.DataSubject], "AI du Bocage") {
		t.Errorf("subject %q", m.Data[notices.DataSubject])
	}

	// The other structure's dissatisfied answer alerts its own address only.
	o, err := e.store.CreateOrder(context.Background(), b.structure.ID, survey.OrderInput{
		Reference: "BC-2", ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "EHPAD"}, StartDate: "2026-02-03", EndDate: "2026-02-14"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := e.store.IssueSurvey(context.Background(), b.structure.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.answerSurvey(l.Token, true, "")
	byStructure := map[string][]string{}
	for _, m := range e.queued(notices.KindAlert) {
		byStructure[m.StructureID] = append(byStructure[m.StructureID], m.To)
	}
	if got := byStructure[b.structure.ID]; len(got) != 1 || got[0] != "alertes@causses.fr" || len(byStructure[a.structure.ID]) != 1 {
		t.Errorf("alerts by structure %v", byStructure)
	}
	c := e.issueSurvey("AI des Causses 2", "Jardinier")
	e.alertAddresses(c.structure.ID) // none
	e.answerSurvey(c.token, true, "")
	if n := len(e.queued(notices.KindAlert)); n != 2 {
		t.Errorf("a structure without alert addresses sent alerts: %d", n)
	}
}
