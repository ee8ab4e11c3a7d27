package handlers

import (
	"capsat/survey/accounts"
	"context"
	"fmt"
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
	mustContain(t, body, `value="30"`, "Compte créé", "Clé d’API révoquée", "direction@bocage.fr")
}

// formFields returns the names and values of the fields of the page's form
// posting to action, as a browser would send them (text inputs with their
// value, the checked radio of each group, hidden fields).
func formFields(t *testing.T, page, action string) url.Values {
	t.Helper()
	start := strings.Index(page, `action="`+action+`"`)
	if start < 0 {
		t.Fatalf("no form posting to %s", action)
	}
	form := page[start : start+strings.Index(page[start:], "</form>")]
	values := url.Values{}
	input := regexp.MustCompile(`<input[^>]*>`)
	attr := func(tag, name string) (string, bool) {
		m := regexp.MustCompile(` ` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return m[1], true
	}
	for _, tag := range input.FindAllString(form, -1) {
		name, ok := attr(tag, "name")
		if !ok {
			continue
		}
		value, _ := attr(tag, "value")
		if typ, _ := attr(tag, "type"); typ == "radio" && !strings.Contains(tag, " checked") {
			continue
		}
		values.Set(name, value)
	}
	return values
}

// TestAdminFormsPostWhatTheHandlersRead fills the administration page's
// forms as rendered, field names included: a name the handler does not
// read (the template once posted "user-email" and "key-name") fails here.
func TestAdminFormsPostWhatTheHandlersRead(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	admin := b.user("direction@bocage.fr", accounts.RoleStructureAdmin, b.st.ID, "")
	token, _ := b.testEnv.session(admin.ID)
	page := b.root() + "/administration"
	cases := []struct {
		action, field, value, want string
	}{
		{page + "/utilisateurs", "e-mail", "nouvelle@bocage.fr", `<code id="nouveau-mot-de-passe">`},
		{page + "/cles", "nom", "Logiciel de paie", "capsat_"},
	}
	for _, tc := range cases {
		rec := getWithCookie(b.router, page, token)
		form := formFields(t, rec.Body.String(), tc.action)
		filled := false
		for name := range form {
			if name != csrfField && name != "role" && form.Get(name) == "" {
				form.Set(name, tc.value) // the one empty text field: the e-mail, the key's name
				filled = true
			}
		}
		if !filled {
			t.Fatalf("%s: no empty %s field in the form: %v", tc.action, tc.field, form)
		}
		got := postForm(b.router, tc.action, form, token, "")
		if got.Code != http.StatusCreated || !strings.Contains(got.Body.String(), tc.want) {
			t.Errorf("%s with the page's own fields %v: %d", tc.action, form, got.Code)
		}
	}
	users, err := b.store.ListUsers(t.Context(), b.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, u := range users {
		found = found || u.Email == "nouvelle@bocage.fr"
	}
	if !found {
		t.Error("the account created through the form is not stored")
	}
}

// TestAdminAuditLogInFrenchWithPages: the audit log names actions in
// French and pages through the entries, newest first.
func TestAdminAuditLogInFrenchWithPages(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	admin := b.user("direction@bocage.fr", accounts.RoleStructureAdmin, b.st.ID, "")
	token, _ := b.testEnv.session(admin.ID)
	ctx := context.Background()
	for i := range auditPerPage + 5 {
		action := accounts.AuditLoginSuccess
		if i == 0 {
			action = accounts.AuditExportDownload
		}
		if err := b.store.RecordAudit(ctx, accounts.AuditEntry{StructureID: b.st.ID, Action: action, Actor: "direction@bocage.fr", Target: fmt.Sprintf("entrée %02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	page := getWithCookie(b.router, b.root()+"/administration", token).Body.String()
	mustContain(t, page, "Connexion réussie", "entrée 29", "Actions plus anciennes")
	if strings.Contains(page, "login.success") || strings.Contains(page, "entrée 00") {
		t.Fatalf("first page: raw codes or the oldest entry")
	}
	older := regexp.MustCompile(`href="([^"]*journal=[^"]*)" rel="next"`).FindStringSubmatch(page)
	if older == nil {
		t.Fatal("no link to older entries")
	}
	next, _, _ := strings.Cut(older[1], "#") // browsers keep the fragment to themselves
	page = getWithCookie(b.router, next, token).Body.String()
	mustContain(t, page, "Export téléchargé", "entrée 00", "Actions les plus récentes")
	if strings.Contains(page, "entrée 29") {
		t.Fatal("second page repeats the first")
	}
}
