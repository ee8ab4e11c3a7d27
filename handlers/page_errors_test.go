package handlers

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// mustFrenchPage checks that a back-office answer has the wanted status and
// is a French HTML page saying want, never a 500 nor JSON.
func mustFrenchPage(t *testing.T, what string, rec *httptest.ResponseRecorder, status int, want string) {
	t.Helper()
	body := rec.Body.String()
	switch {
	case rec.Code != status:
		t.Errorf("%s: status %d, want %d\n%.300s", what, rec.Code, status, body)
	case !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html"):
		t.Errorf("%s: content type %q", what, rec.Header().Get("Content-Type"))
	case !strings.Contains(body, `<html lang="fr">`) || !strings.Contains(body, want):
		t.Errorf("%s: page lacks %q\n%.300s", what, want, body)
	}
}

// TestBackofficePagesAnswerLinkStatesWithoutServerErrors walks, through the
// back-office pages, an answered order, a cancelled link, an expired link,
// an unknown order and invalid forms: each answers with the status of the
// error table and a French page, never a 500.
func TestBackofficePagesAnswerLinkStatesWithoutServerErrors(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	newOrder := func(ref string) string {
		t.Helper()
		form := orderFormValues()
		form.Set("reference", ref)
		rec := b.post(b.root()+"/commandes", form)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("create %s: %d %s", ref, rec.Code, rec.Body)
		}
		page := strings.TrimSuffix(rec.Header().Get("Location"), "?enregistre=1")
		if rec := b.post(page+"/lien", url.Values{}); rec.Code != http.StatusSeeOther {
			t.Fatalf("issue %s: %d %s", ref, rec.Code, rec.Body)
		}
		return page
	}

	// The fixture's answered order: no edit, no new link, no cancel, no QR code.
	answered := b.root() + "/commandes/" + b.orderID
	mustFrenchPage(t, "edit an answered order", b.post(answered, orderFormValues()), http.StatusConflict, "il ne peut plus être modifié")
	mustFrenchPage(t, "issue on an answered order", b.post(answered+"/lien", url.Values{}), http.StatusConflict, "pas possible dans l&#39;état actuel")
	mustFrenchPage(t, "cancel on an answered order", b.post(answered+"/lien/annulation", url.Values{"confirmation": {"oui"}}), http.StatusConflict, "pas possible dans l&#39;état actuel")
	mustFrenchPage(t, "QR code of an answered order", b.get(answered+"/qr.png"), http.StatusConflict, "déjà répondu")

	// A cancelled link: shown as such, no QR code, cancelling again is harmless.
	cancelled := newOrder("BC-annule")
	if rec := b.post(cancelled+"/lien/annulation", url.Values{"confirmation": {"oui"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body)
	}
	mustFrenchPage(t, "order with a cancelled link", b.get(cancelled), http.StatusOK, "Lien annulé")
	mustFrenchPage(t, "QR code of a cancelled link", b.get(cancelled+"/qr.svg"), http.StatusConflict, "a été annulé")
	if rec := b.post(cancelled+"/lien/annulation", url.Values{"confirmation": {"oui"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("cancel a cancelled link: %d %s", rec.Code, rec.Body)
	}

	// Unknown orders and invalid forms.
	unknown := b.root() + "/commandes/0123456789abcdef01234567"
	mustFrenchPage(t, "unknown order", b.get(unknown), http.StatusNotFound, "Page introuvable")
	mustFrenchPage(t, "link of an unknown order", b.post(unknown+"/lien", url.Values{}), http.StatusNotFound, "Page introuvable")
	mustFrenchPage(t, "QR code of an unknown order", b.get(unknown+"/qr.png"), http.StatusNotFound, "Page introuvable")
	invalid := orderFormValues()
	invalid.Set("start_date", "03/03/2026")
	mustFrenchPage(t, "invalid order form", b.post(b.root()+"/commandes", invalid), http.StatusUnprocessableEntity, `id="start_date-error"`)
	mustFrenchPage(t, "invalid order filter", b.get(b.root()+"/commandes?status=perdu"), http.StatusUnprocessableEntity, `id="status-error"`)
	mustFrenchPage(t, "empty follow-up action", b.post(b.root()+"/suivi/"+b.orderID, url.Values{"action": {" "}}), http.StatusUnprocessableEntity, "Décrivez l&#39;action")

	// An expired link: past the structure's 60 days (a new session, the
	// first one has expired meanwhile).
	expired := newOrder("BC-expire")
	b.clock.Advance(61 * 24 * time.Hour)
	u, err := b.store.UserByEmail(t.Context(), "charge@bocage.fr")
	if err != nil {
		t.Fatal(err)
	}
	b.session, b.csrf = b.testEnv.session(u.ID)
	mustFrenchPage(t, "order with an expired link", b.get(expired), http.StatusOK, "Lien expiré")
	mustFrenchPage(t, "QR code of an expired link", b.get(expired+"/qr.png"), http.StatusConflict, "a expiré")
	if rec := b.post(expired+"/lien", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Errorf("issue again after expiry: %d %s", rec.Code, rec.Body)
	}
}

// TestRefusalPageFollowsTheErrorTable checks that a page refused with a
// domain error gets the status the API gives it, with a French page: the
// link states that no back-office action returns today (expired,
// cancelled) included.
func TestRefusalPageFollowsTheErrorTable(t *testing.T) {
	t.Parallel()
	pages, err := loadViews()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		err    error
		status int
		text   string
	}{
		{survey.ErrExpired, http.StatusGone, "Ce lien a expiré."},
		{survey.ErrCancelled, http.StatusGone, "Ce lien a été annulé."},
		{survey.ErrAlreadyAnswered, http.StatusConflict, "Ce questionnaire a déjà reçu une réponse."},
		{survey.Invalid("hours", "number", "Nombre d'heures invalide."), http.StatusUnprocessableEntity, "Certaines données sont invalides."},
		{survey.ErrNotFound, http.StatusNotFound, "Cette page n&#39;existe pas"},
		{survey.Conflict("Déjà publié."), http.StatusConflict, "Déjà publié."},
		{survey.ErrConflict, http.StatusConflict, "Les données ont changé entre-temps."},
		{survey.ErrForbidden, http.StatusForbidden, "Votre compte ne donne pas accès à cette page."},
		{errors.New("disk full"), http.StatusInternalServerError, "Une erreur interne est survenue."},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(http.MethodPost, "/app/structures/x/commandes/y/lien", nil)
		c.Set(ctxPageViews, pages)
		refusePage(c, tc.err)
		if api, _ := errorStatus(tc.err); api != tc.status {
			t.Errorf("%v: API status %d, want %d", tc.err, api, tc.status)
		}
		mustFrenchPage(t, tc.err.Error(), rec, tc.status, tc.text)
	}
}
