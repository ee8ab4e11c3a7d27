package handlers

import (
	"capsat/survey/accounts"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestQuestionnairePagesPreviewVersionPublish(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	list := b.root() + "/questionnaires"
	body := b.get(list).Body.String()
	mustContain(t, body, "Publiée", "Créer la version suivante", "Seul un administrateur")
	preview := regexp.MustCompile(`href="(/app/structures/[^"]+/apercu)"`).FindStringSubmatch(body)
	if preview == nil {
		t.Fatal("no preview link")
	}
	rec := b.get(preview[1])
	if rec.Code != http.StatusOK {
		t.Fatalf("preview: %d", rec.Code)
	}
	mustContain(t, rec.Body.String(), "AI &lt;du&gt; Bocage", "Votre satisfaction globale", `type="radio"`, "Envoyer mes réponses")
	if strings.Contains(rec.Body.String(), `class="backoffice"`) {
		t.Error("preview shows the back-office navigation: clients do not see it")
	}

	version := regexp.MustCompile(`action="(/app/structures/[^"]+/version)"`).FindStringSubmatch(body)
	rec = b.post(version[1], url.Values{})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("new version: %d %s", rec.Code, rec.Body)
	}
	mustContain(t, b.get(rec.Header().Get("Location")).Body.String(), "Brouillon", "créée en brouillon")

	admin := b.user("direction@bocage.fr", accounts.RoleStructureAdmin, b.st.ID, "")
	token, csrf := b.testEnv.session(admin.ID)
	body = getWithCookie(b.router, list, token).Body.String()
	publish := regexp.MustCompile(`action="(/app/structures/[^"]+/publication)"`).FindStringSubmatch(body)
	if publish == nil {
		t.Fatal("admin sees no publish button")
	}
	if rec := b.post(publish[1], url.Values{}); rec.Code != http.StatusForbidden {
		t.Fatalf("member publishing: %d", rec.Code)
	}
	rec = postForm(b.router, publish[1], url.Values{csrfField: {csrf}}, token, "")
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", rec.Code, rec.Body)
	}
	body = getWithCookie(b.router, rec.Header().Get("Location"), token).Body.String()
	mustContain(t, body, "La version a été publiée")
	if strings.Contains(body, "Brouillon") {
		t.Error("draft still listed after publishing")
	}
}
