package handlers

import (
	"capsat/survey/accounts"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func orderFormValues() url.Values {
	return url.Values{
		"reference": {"BC-2026-<7>"}, "service_type": {"mise_a_disposition"}, "client.company": {"Mairie <de> Vire"},
		"client.siret": {""}, "client.contact_name": {"Mme Durand"}, "client.email": {"durand@vire.fr"},
		"client.phone": {""}, "job_title": {"Agent d'entretien"}, "start_date": {"2026-03-03"},
		"end_date": {"2026-03-14"}, "hours": {"7,5"}, "notes": {""},
	}
}

func TestOrderFormErrorsBesideFieldsWithTypedValuesKept(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	form := orderFormValues()
	form.Set("reference", "")
	form.Set("client.email", "pas-une-adresse")
	form.Set("start_date", "03/03/2026")
	form.Set("hours", "sept")
	rec := b.post(b.root()+"/commandes", form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	mustContain(t, body,
		`<p class="field-error" id="reference-error">La référence du bon de commande est obligatoire`,
		`id="client-email-error">`, `value="pas-une-adresse"`,
		`<p class="field-error" id="start_date-error">Date de début invalide (AAAA-MM-JJ).</p>`, `value="03/03/2026"`,
		`id="hours-error">Nombre d&#39;heures invalide`, `value="sept"`,
		`value="Mairie &lt;de&gt; Vire"`, `href="#reference"`, `href="#client-email"`, "<title>Erreur : ")
	if strings.Index(body, `href="#reference"`) > strings.Index(body, `href="#hours"`) {
		t.Error("error summary does not follow the form's order")
	}
	if n := b.orderCount(b.st.ID, b.key); n != 1 {
		t.Fatalf("%d orders after a refused form, want the fixture's 1", n)
	}
}

func TestOrderCreateShowIssueCancelAndEdit(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	rec := b.post(b.root()+"/commandes", orderFormValues())
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	orderPage := strings.TrimSuffix(rec.Header().Get("Location"), "?enregistre=1")
	body := b.get(rec.Header().Get("Location")).Body.String()
	mustContain(t, body, "Le bon de commande a été enregistré.", "BC-2026-&lt;7&gt;", "Mairie &lt;de&gt; Vire", "Questionnaire non envoyé", "Créer le lien du questionnaire")

	rec = b.post(orderPage+"/lien", url.Values{})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("issue: %d %s", rec.Code, rec.Body)
	}
	body = b.get(rec.Header().Get("Location")).Body.String()
	mustContain(t, body, "En attente de réponse", `readonly value="http://capsat.test/s/`, `data-copy="lien"`, "/qr.png", "/qr.svg", `<script src="/static/copy.js" defer></script>`)
	qr := b.get(orderPage + "/qr.png")
	if qr.Code != http.StatusOK || qr.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("QR PNG for the session user: %d %s", qr.Code, qr.Header().Get("Content-Type"))
	}
	if svg := b.get(orderPage + "/qr.svg"); svg.Code != http.StatusOK || !strings.Contains(svg.Body.String(), "<svg") {
		t.Fatalf("QR SVG: %d", svg.Code)
	}

	rec = b.post(orderPage+"/lien/annulation", url.Values{"confirmation": {"oui"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("cancel: %d", rec.Code)
	}
	mustContain(t, b.get(rec.Header().Get("Location")).Body.String(), "Lien annulé", "Le lien du questionnaire a été annulé.")

	// The edit form shows the stored values; a bad end date keeps the rest.
	mustContain(t, b.get(orderPage+"/modifier").Body.String(), `value="BC-2026-&lt;7&gt;"`, `value="7,5"`)
	form := orderFormValues()
	form.Set("end_date", "2026-02-01")
	rec = b.post(orderPage, form)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="end_date-error"`) {
		t.Fatalf("end before start: %d", rec.Code)
	}
	form.Set("end_date", "2026-03-20")
	if rec = b.post(orderPage, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("update: %d %s", rec.Code, rec.Body)
	}
	mustContain(t, b.get(orderPage).Body.String(), "2026-03-03 au 2026-03-20")
}

func TestOrderListFiltersSearchAndPages(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	for i := 0; i < 26; i++ {
		b.seedOrder(b.st.ID, b.key, "LOT-"+string(rune('A'+i)), "Client "+string(rune('A'+i)), "", "", "")
	}
	list := b.root() + "/commandes"
	body := b.get(list).Body.String()
	mustContain(t, body, "27 bons de commande — Page 1 sur 2", `rel="next"`)
	mustContain(t, b.get(list+"?page=2").Body.String(), "Page 2 sur 2", `rel="prev"`)
	body = b.get(list + "?q=bc-%3C1").Body.String()
	mustContain(t, body, "1 bon de commande", "BC-&lt;1&gt;", "Réponse reçue")
	body = b.get(list + "?status=not_issued").Body.String()
	mustContain(t, body, "26 bons de commande", `<option value="not_issued" selected>`)

	rec := b.get(list + "?start_from=2026-03-10&start_to=2026-03-01&status=perdu")
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad filters: %d", rec.Code)
	}
	mustContain(t, rec.Body.String(), `id="start_to-error">`, `id="status-error">`, `value="2026-03-10"`)
}

func TestOrderPagesOfAnotherStructureAre404(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	other, otherKey := b.structure("ETTI du Port", "Bretagne")
	oid := b.seedOrder(other.ID, otherKey, "BC-9", "Port", "", "", "")
	for _, path := range []string{"/commandes/" + oid, "/commandes/" + oid + "/modifier", "/commandes/" + oid + "/qr.png"} {
		if rec := b.get(b.root() + path); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s of another structure: %d", path, rec.Code)
		}
	}
	for _, path := range []string{"/commandes/" + oid, "/commandes/" + oid + "/lien"} {
		if rec := b.post(b.root()+path, orderFormValues()); rec.Code != http.StatusNotFound {
			t.Errorf("POST %s of another structure: %d", path, rec.Code)
		}
	}
	fed := b.user("federation@reseau.fr", accounts.RoleFederation, "", "")
	token, _ := b.testEnv.session(fed.ID)
	if rec := getWithCookie(b.router, b.root()+"/commandes", token); rec.Code != http.StatusNotFound {
		t.Errorf("federation user on a structure's orders: %d", rec.Code)
	}
}

func TestOrderFormDuplicateReferenceBesideItsField(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	form := orderFormValues()
	form.Set("reference", "BC-<1>")
	rec := b.post(b.root()+"/commandes", form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("duplicate reference: %d %s", rec.Code, rec.Body)
	}
	mustContain(t, rec.Body.String(), `<p class="field-error" id="reference-error">`, `value="BC-&lt;1&gt;"`, `href="#reference"`)
}
