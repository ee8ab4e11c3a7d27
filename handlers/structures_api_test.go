package handlers

import (
	"net/http"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"
)

func TestStructureRoutes(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	fed := e.federationKey()
	norm, normAdmin := e.structure("AI du Bocage", "Normandie")
	normMember := e.key(accounts.APIKeyInput{Name: "membre", Role: accounts.RoleStructureMember, StructureID: norm.ID})
	_, occAdmin := e.structure("AI du Lauragais", "Occitanie")
	region := e.key(accounts.APIKeyInput{Name: "région", Role: accounts.RoleRegionViewer, Region: "Normandie"})

	names := func(key string) string {
		t.Helper()
		rec := e.do(http.MethodGet, "/api/v1/structures", "", key)
		if rec.Code != http.StatusOK {
			t.Fatalf("list: %d %s", rec.Code, rec.Body)
		}
		var out []string
		for _, s := range decode[map[string][]survey.Structure](t, rec)["structures"] {
			out = append(out, s.Name)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct{ who, key, want string }{
		{"federation", fed, "AI du Bocage,AI du Lauragais"},
		{"region", region, "AI du Bocage"},
		{"structure admin", occAdmin, "AI du Lauragais"},
		{"structure member", normMember, "AI du Bocage"},
	} {
		if got := names(tc.key); got != tc.want {
			t.Errorf("%s sees %q, want %q", tc.who, got, tc.want)
		}
	}

	valid := `{"name":"ETTI de la Côte","siret":"732 829 320 00074","region":"Bretagne","type":"ETTI"}`
	rec := e.do(http.MethodPost, "/api/v1/structures", valid, fed)
	created := decode[survey.Structure](t, rec)
	if rec.Code != http.StatusCreated || created.SIRET != "73282932000074" || created.Settings.SurveyExpiryDays != survey.DefaultSurveyExpiryDays {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	if qs, err := e.store.ListQuestionnaires(t.Context(), created.ID); err != nil || len(qs) != 2 {
		t.Fatalf("new structure must get the two default questionnaires: %d %v", len(qs), err)
	}
	badCreate := []struct {
		name, body, key string
		status          int
		field           string
	}{
		{"structure key", valid, normAdmin, 403, ""},
		{"anonymous", valid, "", 401, ""},
		{"malformed", `{"name":"X"`, fed, 400, "body"},
		{"wrong type", `{"name":42}`, fed, 400, "name"},
		{"invalid SIRET", `{"name":"X","siret":"12345678901234","region":"Bretagne","type":"AI"}`, fed, 422, "siret"},
		{"unknown region", `{"name":"X","siret":"73282932000074","region":"Bavière","type":"AI"}`, fed, 422, "region"},
		{"unknown type", `{"name":"X","siret":"73282932000074","region":"Bretagne","type":"SCOP"}`, fed, 422, "type"},
		{"no name", `{"siret":"73282932000074","region":"Bretagne","type":"AI"}`, fed, 422, "name"},
		{"expiry out of range", `{"name":"X","siret":"73282932000074","region":"Bretagne","type":"AI","settings":{"survey_expiry_days":400}}`, fed, 422, "settings.survey_expiry_days"},
	}
	for _, tc := range badCreate {
		rec := e.do(http.MethodPost, "/api/v1/structures", tc.body, tc.key)
		if rec.Code != tc.status || (tc.field != "" && decode[apiError](t, rec).Fields[tc.field] == "") {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
	}
	anon := e.do(http.MethodPost, "/api/v1/structures", `{"name":"ACI anonyme","siret":"73282932000074","region":"Corse","type":"ACI","settings":{"anonymous":true}}`, fed)
	if got := decode[survey.Structure](t, anon); anon.Code != http.StatusCreated || !got.Settings.Anonymous || got.Settings.SurveyExpiryDays != survey.DefaultSurveyExpiryDays {
		t.Fatalf("settings without expiry: %d %s", anon.Code, anon.Body)
	}
	if got := names(fed); got != "ACI anonyme,AI du Bocage,AI du Lauragais,ETTI de la Côte" {
		t.Fatalf("refused creations wrote structures: %s", got)
	}

	one := "/api/v1/structures/" + norm.ID
	for _, tc := range []struct {
		who, key string
		status   int
	}{{"own admin", normAdmin, 200}, {"own member", normMember, 200}, {"federation", fed, 200}, {"other structure", occAdmin, 404}, {"anonymous", "", 401}} {
		if rec := e.do(http.MethodGet, one, "", tc.key); rec.Code != tc.status {
			t.Errorf("get as %s: %d", tc.who, rec.Code)
		}
	}
	if rec := e.do(http.MethodGet, "/api/v1/structures/0123456789abcdef01234567", "", fed); rec.Code != http.StatusNotFound {
		t.Errorf("unknown structure: %d", rec.Code)
	}

	patches := []struct {
		name, body, key string
		status          int
		field           string
	}{
		{"member", `{"name":"Nouveau nom"}`, normMember, 403, ""},
		{"other structure", `{"name":"Nouveau nom"}`, occAdmin, 404, ""},
		{"invalid SIRET", `{"name":"Nouveau nom","siret":"1"}`, normAdmin, 422, "siret"},
		{"unknown type", `{"type":"SCOP"}`, normAdmin, 422, "type"},
		{"wrong type", `{"settings":{"survey_expiry_days":"30"}}`, normAdmin, 400, "settings.survey_expiry_days"},
		{"admin renames", `{"name":"AI du Bocage virois"}`, normAdmin, 200, ""},
		{"admin sets expiry", `{"settings":{"survey_expiry_days":30}}`, normAdmin, 200, ""},
		{"anonymity keeps expiry", `{"settings":{"anonymous":true}}`, normAdmin, 200, ""},
		{"federation moves region", `{"region":"Bretagne"}`, fed, 200, ""},
	}
	for _, tc := range patches {
		rec := e.do(http.MethodPatch, one, tc.body, tc.key)
		if rec.Code != tc.status || (tc.field != "" && decode[apiError](t, rec).Fields[tc.field] == "") {
			t.Errorf("patch %s: %d %s", tc.name, rec.Code, rec.Body)
		}
	}
	got := decode[survey.Structure](t, e.do(http.MethodGet, one, "", fed))
	if got.Name != "AI du Bocage virois" || got.SIRET != norm.SIRET || got.Region != "Bretagne" || got.Settings.SurveyExpiryDays != 30 || !got.Settings.Anonymous {
		t.Fatalf("after patches: %+v", got)
	}
}
