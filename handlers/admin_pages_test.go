package handlers

import (
	"capsat/survey/accounts"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAdminPageUsersKeysSettingsAudit(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	admin := b.user("direction@bocage.fr", accounts.RoleStructureAdmin, b.st.ID, "")
	token, csrf := b.testEnv.session(admin.ID)
	page := b.root() + "/administration"
	post := func(path string, form url.Values) (int, string, string) {
		t.Helper()
		form.Set(csrfField, csrf)
		rec := postForm(b.router, page+path, form, token, "")
		return rec.Code, rec.Body.String(), rec.Header().Get("Location")
	}
	if rec := b.get(page); rec.Code != http.StatusForbidden {
		t.Fatalf("member on the administration page: %d", rec.Code)
	}
	rec := getWithCookie(b.router, page, token)
	if rec.Code != http.StatusOK {
		t.Fatalf("admin page: %d %s", rec.Code, rec.Body)
	}
	mustContain(t, rec.Body.String(), "charge@bocage.fr", "Membre de la structure", `value="60"`, "Journal d'audit", `href="/app/structures/`+b.st.ID+`/administration" aria-current="page"`)

	code, body, _ := post("/utilisateurs", url.Values{"email": {"pas <une> adresse"}, "role": {"structure_admin"}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("bad e-mail: %d", code)
	}
	mustContain(t, body, `id="user-email-error">Adresse e-mail invalide.</p>`, `value="pas &lt;une&gt; adresse"`, `value="structure_admin" checked`)
	code, body, _ = post("/utilisateurs", url.Values{"email": {"nouveau@bocage.fr"}, "role": {"structure_member"}})
	if code != http.StatusCreated || !strings.Contains(body, `<code id="nouveau-mot-de-passe">`) {
		t.Fatalf("create user: %d", code)
	}
	if rec := b.login("nouveau@bocage.fr", regexp.MustCompile(`<code id="nouveau-mot-de-passe">([^<]+)</code>`).FindStringSubmatch(body)[1]); rec.Code != http.StatusSeeOther {
		t.Fatalf("new account cannot sign in: %d", rec.Code)
	}

	code, body, _ = post("/cles", url.Values{"name": {""}, "role": {"structure_member"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="key-name-error"`) {
		t.Fatalf("key without a name: %d", code)
	}
	code, body, _ = post("/cles", url.Values{"name": {"Logiciel <paie>"}, "role": {"structure_member"}})
	key := regexp.MustCompile(`<code id="nouvelle-cle">([^<]+)</code>`).FindStringSubmatch(body)
	if code != http.StatusCreated || key == nil {
		t.Fatalf("create key: %d", code)
	}
	if rec := b.do(http.MethodGet, "/api/v1/structures/"+b.st.ID+"/orders", "", key[1]); rec.Code != http.StatusOK {
		t.Fatalf("new key refused: %d", rec.Code)
	}
	revoke := regexp.MustCompile(`action="/app/structures/[^/]+/administration(/cles/[^"]+/revocation)"`).FindAllStringSubmatch(body, -1)
	var last string
	for _, m := range revoke {
		last = m[1]
	}
	code, _, loc := post(last, url.Values{})
	if code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", code)
	}
	mustContain(t, getWithCookie(b.router, loc, token).Body.String(), "La clé d&#39;API a été révoquée.", "Révoquée le")

	code, body, _ = post("/reglages", url.Values{"survey_expiry_days": {"mille"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="survey_expiry_days-error"`) || !strings.Contains(body, `value="mille"`) {
		t.Fatalf("bad expiry: %d", code)
	}
	code, body, _ = post("/reglages", url.Values{"survey_expiry_days": {"400"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "entre 1 et 365") {
		t.Fatalf("expiry out of range: %d", code)
	}
	if code, _, _ = post("/reglages", url.Values{"survey_expiry_days": {"30"}}); code != http.StatusSeeOther {
		t.Fatalf("save expiry: %d", code)
	}
	body = getWithCookie(b.router, page, token).Body.String()
	mustContain(t, body, `value="30"`, "user.create", "api_key.revoke", "direction@bocage.fr")
}
