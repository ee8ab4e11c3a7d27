package handlers

import (
	"net/http"
	"net/url"
	"testing"

	"capsat/survey/accounts"
)

// The e-mail settings form explains a missing or non-numeric number beside
// its field (422), never with an internal error.
func TestEmailSettingsFormExplainsNumbers(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	admin := b.user("direction@bocage.fr", accounts.RoleStructureAdmin, b.st.ID, "")
	token, csrf := b.testEnv.session(admin.ID)
	form := url.Values{csrfField: {csrf}, "reminder_after_days": {""}, "reminders": {"deux"}, "sender_name": {"AI du Bocage"}}
	rec := postForm(b.router, b.root()+"/reglages-email", form, token, "")
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("settings with bad numbers: %d", rec.Code)
	}
	mustContain(t, rec.Body.String(), "Indiquez un nombre de jours.", "Indiquez un nombre de relances.", `id="reminder_after_days-error"`)
}
