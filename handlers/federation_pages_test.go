package handlers

import (
	"bytes"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"
)

func TestNetworkPageShowsAggregatesOnly(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	fed := b.user("federation@reseau.fr", accounts.RoleFederation, "", "")
	token, _ := b.testEnv.session(fed.ID)
	rec := getWithCookie(b.router, "/tableau-de-bord", token)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/app/reseau" {
		t.Fatalf("federation home: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	rec = getWithCookie(b.router, "/app/reseau", token)
	if rec.Code != http.StatusOK {
		t.Fatalf("network page: %d %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	mustContain(t, body, "Réseau national", "AI &lt;du&gt; Bocage", "Normandie", "moins de 5 réponses", "/api/v1/federation/exports/consolidated.xlsx?")
	for _, secret := range []string{"Intérimaire absent", "Client BC-", "BC-&lt;1&gt;"} {
		if strings.Contains(body, secret) {
			t.Errorf("network page shows %q", secret)
		}
	}
	rec = getWithCookie(b.router, "/app/reseau?from=2026-13&to=2026-01", token)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad months: %d", rec.Code)
	}
	mustContain(t, rec.Body.String(), `id="from-error">Mois de début invalide (AAAA-MM).</p>`, `value="2026-13"`)

	viewer := b.user("region@reseau.fr", accounts.RoleRegionViewer, "", "Bretagne")
	vt, _ := b.testEnv.session(viewer.ID)
	if rec := getWithCookie(b.router, "/app/regions/Bretagne", vt); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Région Bretagne") {
		t.Fatalf("own region: %d", rec.Code)
	}
	if rec := getWithCookie(b.router, "/app/regions/Normandie", vt); rec.Code != http.StatusForbidden {
		t.Fatalf("another region: %d", rec.Code)
	}
	if rec := getWithCookie(b.router, "/app/reseau/structures", vt); rec.Code != http.StatusForbidden {
		t.Fatalf("region user on the structures list: %d", rec.Code)
	}
}

func TestStructuresPageCreatesAStructureAndItsFirstAdmin(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	fed := b.user("federation@reseau.fr", accounts.RoleFederation, "", "")
	token, csrf := b.testEnv.session(fed.ID)
	post := func(form url.Values) string {
		t.Helper()
		form.Set(csrfField, csrf)
		rec := postForm(b.router, "/app/reseau/structures", form, token, "")
		return strconv.Itoa(rec.Code) + " " + rec.Body.String()
	}
	bad := post(url.Values{"name": {"ETTI <Ouest>"}, "siret": {"123"}, "region": {"Atlantide"}, "type": {"ETTI"}, "admin_email": {"charge@bocage.fr"}})
	mustContain(t, bad, "422 ", `id="siret-error">`, `id="region-error">`, `id="admin_email-error">Cette adresse a déjà un compte capsat.</p>`,
		`value="ETTI &lt;Ouest&gt;"`, `value="123"`, `<option value="ETTI" selected>`)
	if list, _ := b.store.ListStructures(t.Context(), survey.StructureFilter{}); len(list) != 1 {
		t.Fatalf("%d structures after a refused form", len(list))
	}
	ok := post(url.Values{"name": {"ETTI <Ouest>"}, "siret": {"73282932000074"}, "region": {"Bretagne"}, "type": {"ETTI"}, "admin_email": {"Direction@Ouest.fr"}})
	mustContain(t, ok, "201 ", "a été créée", "direction@ouest.fr", `<code id="mot-de-passe">`, "<th scope=\"row\">ETTI &lt;Ouest&gt;</th>")
	u, err := b.store.UserByEmail(t.Context(), "direction@ouest.fr")
	if err != nil || u.Role != accounts.RoleStructureAdmin || u.StructureID == "" {
		t.Fatalf("first admin %+v %v", u, err)
	}
}

func TestStructuresPageUploadsASelfHostedWorkbook(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	fed := b.user("federation@reseau.fr", accounts.RoleFederation, "", "")
	token, csrf := b.testEnv.session(fed.ID)
	send := func(structure string, file []byte) (int, string) {
		t.Helper()
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		_ = w.WriteField(csrfField, csrf)
		_ = w.WriteField("structure_id", structure)
		if file != nil {
			part, _ := w.CreateFormFile("file", "classeur.xlsx")
			_, _ = part.Write(file)
		}
		_ = w.Close()
		req := httptest.NewRequest(http.MethodPost, "/app/reseau/classeurs", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: sessionCookieName, Value: token})
		rec := b.serve(req)
		return rec.Code, rec.Body.String()
	}
	code, body := send("", nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="structure_id-error">Choisissez la structure`) {
		t.Fatalf("no structure: %d", code)
	}
	code, body = send(b.st.ID, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="file-error">`) || !strings.Contains(body, `selected>AI &lt;du&gt; Bocage`) {
		t.Fatalf("no file: %d", code)
	}
	code, body = send(b.st.ID, indicatorsWorkbook(t, header, monthRows("2026-01", 10, 8)))
	if code != http.StatusCreated || !strings.Contains(body, "Classeur de AI &lt;du&gt; Bocage importé\u00a0: 1 mois (2026-01).") {
		t.Fatalf("upload: %d %s", code, body)
	}
}

// The federation page says so when the embedded store nears its limits
// (cmd measures it at start and hands the French sentence over).
func TestNetworkPageShowsTheStoreWarning(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	fed := b.user("federation@reseau.fr", accounts.RoleFederation, "", "")
	token, _ := b.testEnv.session(fed.ID)
	if strings.Contains(getWithCookie(b.router, "/app/reseau", token).Body.String(), `id="limite-stockage"`) {
		t.Fatal("a warning without a full store")
	}
	r, err := NewRouter(Deps{Store: b.store, ReadModel: b.figures, Config: b.cfg, Logger: slog.New(slog.DiscardHandler), Now: b.clock.Now,
		StoreWarning: "Le stockage intégré occupe 900 Mo"})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, getWithCookie(r, "/app/reseau", token).Body.String(), `id="limite-stockage">Le stockage intégré occupe 900 Mo</p>`)
}
