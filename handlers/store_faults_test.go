package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"capsat/survey/readmodel"
	"capsat/survey/store"
	"capsat/survey/surveytest"
)

// A store that cannot be reached answers 503 everywhere: the French page
// on the public survey, with the answers the client typed kept in the form
// it drew earlier; the JSON error on the API. Nothing is stored, and the
// same answers are accepted once the store answers again.
func TestStoreUnavailableAnswers503WithTheAnswersKept(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := e.issueSurvey("AI du Bocage", "Agent d'entretien")
	_, key := e.structure("ACI des Landes", "Bretagne")

	// The router's store on a client of its own, which the test cuts off.
	client := surveytest.OwnClient(t)
	db := client.Database(e.store.DB().Name())
	st := store.NewStore(db, store.Options{Embedded: e.store.Embedded(), Now: e.clock.Now})
	figures := readmodel.New(st, db, readmodel.Options{Embedded: e.store.Embedded()})
	r, err := NewRouter(Deps{Store: st, ReadModel: figures, Config: e.cfg, Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	cut := &testEnv{t: t, store: st, figures: figures, clock: e.clock, router: r, cfg: e.cfg}
	_, cookie, formToken := cut.openSurvey(f.token)
	if err := client.Disconnect(context.Background()); err != nil {
		t.Fatal(err)
	}

	answers := fullAnswers(formToken)
	answers.Set("commentaire", "Très bon travail, « merci » à toute l'équipe.")
	rec := cut.postSurvey(f.token, cookie, answers)
	body := rec.Body.String()
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("post with the store cut off: %d %s", rec.Code, body)
	}
	for _, want := range []string{
		"Votre réponse n&#39;a pas été enregistrée. Le service est momentanément indisponible. Réessayez dans quelques minutes.",
		`<form method="post" action="/s/` + f.token + `"`, `value="` + formToken + `"`,
		`value="satisfait" checked`, `value="9" checked`, "Très bon travail, « merci » à toute l&#39;équipe.</textarea>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("503 page lacks %q", want)
		}
	}
	if n := e.responseCount(); n != 0 {
		t.Errorf("%d responses stored by a refused post", n)
	}

	// A form this process never drew, and the form itself: the page alone.
	other := e.issueSurvey("AI du Pays d'Auge", "Jardinier")
	rec = cut.postSurvey(other.token, cookie, fullAnswers(formToken))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "Votre réponse n&#39;a pas été enregistrée. Le service est momentanément indisponible.") {
		t.Errorf("post of a form not drawn here: %d %s", rec.Code, rec.Body)
	}
	rec = cut.do(http.MethodGet, "/s/"+f.token, "", "")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "Le service est momentanément indisponible. Réessayez dans quelques minutes.") {
		t.Errorf("form with the store cut off: %d %s", rec.Code, rec.Body)
	}

	// The API: the JSON error of the one table.
	rec = cut.do(http.MethodGet, "/api/v1/structures", "", key)
	if rec.Code != http.StatusServiceUnavailable || decode[apiError](t, rec).Error != textUnavailable {
		t.Errorf("API with the store cut off: %d %s", rec.Code, rec.Body)
	}

	// The store back (the test's own client): the same post is stored once.
	if rec := e.postSurvey(f.token, cookie, answers); rec.Code != http.StatusSeeOther {
		t.Fatalf("post with the store back: %d", rec.Code)
	}
	if n := e.responseCount(); n != 1 {
		t.Errorf("%d responses, want 1", n)
	}
}
