package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
)

// answerWith submits an answer through the store: every scale question
// "satisfait" unless changed, oui, and the given overrides.
func (e *testEnv) answerWith(token string, at time.Time, overrides map[string]string) {
	e.t.Helper()
	e.clock.T = at
	answers := map[string]string{}
	for _, q := range survey.DefaultMADQuestions() {
		switch q.Type {
		case survey.QuestionScale:
			answers[q.Code] = "satisfait"
		case survey.QuestionYesNo:
			answers[q.Code] = "oui"
		case survey.QuestionNPS:
			answers[q.Code] = "9"
		}
	}
	for k, v := range overrides {
		answers[k] = v
	}
	if _, err := e.store.SubmitResponse(context.Background(), token, answers); err != nil {
		e.t.Fatalf("submit: %v", err)
	}
}

// signInAgain gives b a fresh member session at the clock's time (the
// fixtures move the clock past the first one's idle timeout).
func (b *backofficeEnv) signInAgain(email string) {
	b.t.Helper()
	u := b.user(email, accounts.RoleStructureMember, b.st.ID, "")
	b.session, b.csrf = b.testEnv.session(u.ID)
}

// The order page is the hub: the link's history, the answers question by
// question in the questionnaire's wording ("Sans objet" included), the
// follow-up, and no "Modifier" once answered (the edit form says why).
func TestOrderPageIsTheHubOfItsSurvey(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	oid, tok := b.exportOrder(b.st.ID, b.key, "BC-HUB", survey.ServiceMAD, exportDay(2026, 3, 2))
	b.answerWith(tok, exportDay(2026, 3, 3), map[string]string{"ponctualite": survey.NotApplicable, "recommandation": "4", "commentaire": "Ligne 1\nLigne 2"})
	b.signInAgain("hub@bocage.fr")
	page := b.root() + "/commandes/" + oid
	rec := b.get(page)
	if rec.Code != http.StatusOK {
		t.Fatalf("order page: %d", rec.Code)
	}
	body := rec.Body.String()
	mustContain(t, body, "Historique du lien", "Lien du questionnaire créé", "Réponse du client reçue",
		"La ponctualité et le comportement de la personne", "Sans objet", "4 sur 10", "Ligne 1\nLigne 2",
		"Client insatisfait", "/suivi", "/reponses/"+oid, "Heures", "10")
	if strings.Contains(body, "/modifier") {
		t.Error("an answered order offers Modifier")
	}
	if rec := b.get(page + "/modifier"); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "ne peut plus être modifié") {
		t.Errorf("edit form of an answered order: %d", rec.Code)
	}

	// A live link: the QR code on the page, Modifier offered, cancel asks first.
	oid2, _ := b.exportOrder(b.st.ID, b.key, "BC-LIVE", survey.ServiceMAD, exportDay(2026, 3, 4))
	b.signInAgain("hub2@bocage.fr")
	page2 := b.root() + "/commandes/" + oid2
	body = b.get(page2).Body.String()
	mustContain(t, body, `<img id="qr" src="`+page2+`/qr.svg?apercu=1"`, page2+"/modifier", page2+"/lien/annulation")
	if strings.Contains(body, `action="`+page2+`/lien/annulation"`) {
		t.Error("the order page cancels without asking")
	}
	confirm := b.get(page2 + "/lien/annulation")
	if confirm.Code != http.StatusOK || !strings.Contains(confirm.Body.String(), `name="confirmation" value="oui"`) {
		t.Fatalf("confirmation page: %d", confirm.Code)
	}
	if rec := b.post(page2+"/lien/annulation", url.Values{}); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Annuler le lien du questionnaire\u202f?") {
		t.Fatalf("unconfirmed cancel: %d", rec.Code)
	}
	if o, _ := b.store.Order(t.Context(), b.st.ID, oid2); o.SurveyStatusAt(b.clock.Now()) != survey.SurveyIssued {
		t.Fatal("an unconfirmed post cancelled the link")
	}
	if rec := b.post(page2+"/lien/annulation", url.Values{"confirmation": {"oui"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("confirmed cancel: %d", rec.Code)
	}
	if o, _ := b.store.Order(t.Context(), b.st.ID, oid2); o.SurveyStatusAt(b.clock.Now()) != survey.SurveyCancelled {
		t.Fatal("the confirmed cancel did not cancel")
	}
	mustContain(t, b.get(page2).Body.String(), "Lien annulé", "Créer un nouveau lien")
}

// The responses list: default period, filters, sort, pages, a single
// response's view; another structure sees none of it.
func TestResponsesListFiltersAndViewOwnStructureOnly(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t) // one dissatisfied answer on 2026-03-01, with a comment
	for i, ref := range []string{"BC-R1", "BC-R2", "BC-R3"} {
		_, tok := b.exportOrder(b.st.ID, b.key, ref, survey.ServiceMAD, exportDay(2026, 3, 2+i))
		b.answerWith(tok, exportDay(2026, 3, 10+i), map[string]string{"satisfaction_globale": "tres_satisfait"})
	}
	_, tokMAC := b.exportOrder(b.st.ID, b.key, "BC-MAC", survey.ServiceMAC, exportDay(2026, 3, 6))
	b.exportAnswer(tokMAC, exportDay(2026, 3, 20), "peu_satisfait", "7", "", survey.ServiceMAC)
	_, tokFeb := b.exportOrder(b.st.ID, b.key, "BC-FEB", survey.ServiceMAD, exportDay(2026, 2, 10))
	b.exportAnswer(tokFeb, exportDay(2026, 3, 21), "satisfait", "8", "", survey.ServiceMAD)
	other, otherKey := b.structure("AI voisine", "Normandie")
	otherOID, tokOther := b.exportOrder(other.ID, otherKey, "BC-AUTRE", survey.ServiceMAD, exportDay(2026, 3, 5))
	b.exportAnswer(tokOther, exportDay(2026, 3, 6), "satisfait", "9", "", survey.ServiceMAD)
	b.clock.T = exportDay(2026, 3, 25)
	b.signInAgain("liste@bocage.fr")

	list := b.root() + "/reponses"
	refs := func(query string) []string {
		t.Helper()
		rec := b.get(list + query)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", query, rec.Code)
		}
		var out []string
		body := rec.Body.String()
		for _, ref := range []string{"BC-&lt;1&gt;", "BC-R1", "BC-R2", "BC-R3", "BC-MAC", "BC-FEB", "BC-AUTRE"} {
			if i := strings.Index(body, ">"+ref+"</a></th>"); i >= 0 {
				out = append(out, ref)
			}
		}
		return out
	}
	eq := func(query string, want ...string) {
		t.Helper()
		if got := refs(query); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
	all := []string{"BC-&lt;1&gt;", "BC-R1", "BC-R2", "BC-R3", "BC-MAC"}
	eq("", all...) // the current month, by issue date: BC-FEB was sent in February
	eq("?from=2026-02-01&to=2026-03-31", append(all, "BC-FEB")...)
	eq("?insatisfaits=1", "BC-&lt;1&gt;")
	eq("?commentaire=1", "BC-&lt;1&gt;")
	eq("?service=mise_a_contrat", "BC-MAC")
	eq("?question=satisfaction_globale&reponse=tres_satisfait", "BC-R1", "BC-R2", "BC-R3")
	// Sorted: newest answers first by default, or by reference.
	body := b.get(list + "?tri=reference").Body.String()
	if strings.Index(body, ">BC-MAC<") > strings.Index(body, ">BC-R1<") {
		t.Error("sort by reference: BC-MAC after BC-R1")
	}
	body = b.get(list).Body.String()
	if strings.Index(body, ">BC-MAC<") > strings.Index(body, ">BC-R1<") {
		t.Error("default sort: the newest answer (BC-MAC) is not first")
	}
	body = b.get(list + "?tri=satisfaction").Body.String()
	if strings.Index(body, ">BC-&lt;1&gt;<") > strings.Index(body, ">BC-MAC<") {
		t.Error("least satisfied first: Pas du tout satisfait after Peu satisfait")
	}
	// Bad input: French messages beside the fields, 422.
	for query, field := range map[string]string{
		"?from=2025-01-01&to=2026-03-31": "to-error",
		"?from=03/01/2026&to=2026-03-31": "from-error",
		"?question=inconnue":             "question-error",
		"?service=autre":                 "service-error",
		"?tri=hasard":                    "tri-error",
	} {
		rec := b.get(list + query)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="`+field+`"`) {
			t.Errorf("%s: %d without %s", query, rec.Code, field)
		}
	}
	// One response, question by question; another structure's is a 404.
	view := b.get(list + "/" + b.orderID)
	if view.Code != http.StatusOK {
		t.Fatalf("response view: %d", view.Code)
	}
	mustContain(t, view.Body.String(), "Votre satisfaction globale", "Pas du tout satisfait", "Intérimaire absent", b.root()+"/commandes/"+b.orderID)
	if rec := b.get(list + "/" + otherOID); rec.Code != http.StatusNotFound {
		t.Errorf("another structure's response: %d", rec.Code)
	}
	// Another structure's member sees only its own responses.
	u := b.user("voisine@capsat.test", accounts.RoleStructureMember, other.ID, "")
	tok, _ := b.testEnv.session(u.ID)
	rec := getWithCookie(b.router, structurePagesPath(other.ID)+"/reponses", tok)
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "BC-AUTRE") || strings.Contains(body, "BC-R1") {
		t.Errorf("other structure's list: %d", rec.Code)
	}
	if rec := getWithCookie(b.router, list, tok); rec.Code != http.StatusNotFound {
		t.Errorf("a member of another structure on this list: %d", rec.Code)
	}
}

// The dashboard draws every question's distribution (each level, "Sans
// objet", n), the recommendation as detractors, passives and promoters,
// and marks the months resting on fewer than 5 answers.
func TestDashboardDistributionsAndSmallMonths(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t) // March: one answer, Pas du tout satisfait, 3
	for i := range 5 {
		_, tok := b.exportOrder(b.st.ID, b.key, "BC-F"+string(rune('0'+i)), survey.ServiceMAD, exportDay(2026, 2, 2+i))
		b.answerWith(tok, exportDay(2026, 2, 10+i), map[string]string{"ponctualite": survey.NotApplicable, "recommandation": []string{"10", "9", "8", "2", "9"}[i]})
	}
	b.clock.T = exportDay(2026, 3, 25)
	b.signInAgain("tableau@bocage.fr")
	rec := b.get(b.root() + "?from=2026-02-01&to=2026-03-31")
	if rec.Code != http.StatusOK {
		t.Fatalf("dashboard: %d", rec.Code)
	}
	body := rec.Body.String()
	mustContain(t, body,
		"La ponctualité et le comportement de la personne", "Sans objet\u00a0: 5 (83\u202f%)", "Satisfait\u00a0: 1 (17\u202f%)",
		"Détracteurs (0 à 6)\u00a0: 2 (33\u202f%)", "Passifs (7 et 8)\u00a0: 1 (17\u202f%)", "Promoteurs (9 et 10)\u00a0: 3 (50\u202f%)",
		"n\u00a0=\u00a06\u00a0réponses à la question",
		`class="trend-point few"`, "moins de 5 réponses", `id="legende-peu"`)
	// February rests on 5 answers: plotted as any other month.
	if n := strings.Count(body, `<rect class="few-band"`); n != 1 {
		t.Errorf("%d months hatched, want 1 (March)", n)
	}
}

// Checked orders get their links in one action; the selection's page, its
// printable QR codes and its CSV follow; no order checked is told beside
// the checkboxes; another structure's order is a 404.
func TestLinksForASelectionWithQRSheetAndCSV(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t) // b.orderID is answered
	b.clock.T = exportDay(2026, 3, 2)
	b.signInAgain("selection@bocage.fr")
	fresh1 := b.seedOrder(b.st.ID, b.key, "BC-S1", "=Mairie de Vire", "", "", "")
	fresh2 := b.seedOrder(b.st.ID, b.key, "BC-S2", "EHPAD Les Tilleuls", "", "", "")
	list := b.root() + "/commandes"
	body := b.get(list).Body.String()
	mustContain(t, body, `name="oid" value="`+fresh1+`"`, `action="`+list+`/liens"`)

	rec := b.post(list+"/liens", url.Values{})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `<p class="field-error" id="oid-error">Cochez au moins un bon de commande.</p>`) {
		t.Fatalf("empty selection: %d", rec.Code)
	}
	rec = b.post(list+"/liens", url.Values{"oid": {fresh1, fresh2, b.orderID}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("selection: %d %s", rec.Code, rec.Body)
	}
	page := b.get(rec.Header().Get("Location"))
	mustContain(t, page.Body.String(), "2 liens créés, 0 déjà en cours", "1 sans lien", "BC-S1", "BC-S2", "Réponse reçue", "http://capsat.test/s/")
	for _, oid := range []string{fresh1, fresh2} {
		o, err := b.store.Order(t.Context(), b.st.ID, oid)
		if err != nil || o.SurveyStatusAt(b.clock.Now()) != survey.SurveyIssued {
			t.Fatalf("order %s has no live link: %v", oid, err)
		}
	}
	q := url.Values{"oid": {fresh1, fresh2, b.orderID}}.Encode()
	sheet := b.get(list + "/qr?" + q).Body.String()
	mustContain(t, sheet, `/commandes/`+fresh1+`/qr.svg`, `/commandes/`+fresh2+`/qr.svg`, "EHPAD Les Tilleuls", "BC-S1")
	if strings.Contains(sheet, `/commandes/`+b.orderID+`/qr.svg`) {
		t.Error("the answered order has a QR code on the sheet")
	}
	csvRec := b.get(list + "/liens.csv?" + q)
	csvBody := csvRec.Body.String()
	if csvRec.Code != http.StatusOK || !strings.HasPrefix(csvRec.Header().Get("Content-Type"), "text/csv") ||
		!strings.Contains(csvBody, "BC-S1;'=Mairie de Vire;") || strings.Count(csvBody, "http://capsat.test/s/") != 2 {
		t.Fatalf("csv: %d %q", csvRec.Code, csvBody)
	}
	other, otherKey := b.structure("AI voisine", "Normandie")
	theirs := b.seedOrder(other.ID, otherKey, "BC-X", "Autre", "", "", "")
	if rec := b.post(list+"/liens", url.Values{"oid": {theirs}}); rec.Code != http.StatusNotFound {
		t.Errorf("another structure's order in a selection: %d", rec.Code)
	}
	if rec := b.get(list + "/qr?oid=" + theirs); rec.Code != http.StatusNotFound {
		t.Errorf("another structure's order on the sheet: %d", rec.Code)
	}
}
