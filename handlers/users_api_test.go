package handlers

import (
	"net/http"
	"testing"

	"capsat/survey/accounts"
	"capsat/survey/surveytest"
)

func TestFederationCreatesAStructureAndItsFirstAdmin(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.store.SetPasswordParams(cheapHashes) // the default cost has its own test in survey
	fed := e.federationKey()
	rec := e.do(http.MethodPost, "/api/v1/structures", `{"name":"AI du Bocage","siret":"`+surveytest.ValidSIRET+`","region":"Normandie","type":"AI"}`, fed)
	if rec.Code != http.StatusCreated {
		t.Fatalf("structure: %d %s", rec.Code, rec.Body)
	}
	sid := decode[map[string]any](t, rec)["id"].(string)
	rec = e.do(http.MethodPost, "/api/v1/structures/"+sid+"/users", `{"email":"Directrice@Bocage.test","role":"structure_admin"}`, fed)
	if rec.Code != http.StatusCreated {
		t.Fatalf("first admin: %d %s", rec.Code, rec.Body)
	}
	created := decode[map[string]any](t, rec)
	password, _ := created["password"].(string)
	if created["email"] != "directrice@bocage.test" || created["structure_id"] != sid || len(password) < accounts.MinPasswordLen || created["password_hash"] != nil {
		t.Fatalf("created: %v", created)
	}
	if rec := e.login("directrice@bocage.test", password); rec.Code != http.StatusSeeOther {
		t.Fatalf("login with the generated password: %d", rec.Code)
	}
	if rec := e.do(http.MethodPost, "/api/v1/structures/"+sid+"/users", `{"email":"directrice@bocage.test","password":"un-mot-de-passe-long"}`, fed); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("duplicate e-mail: %d", rec.Code)
	}
}

func TestStructureAdminsManageTheirUsers(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, admin := e.structure("AI du Bocage", "Normandie")
	other, otherAdmin := e.structure("AI de Cornouaille", "Bretagne")
	base := "/api/v1/structures/" + st.ID + "/users"
	leaving := e.user("partant@bocage.test", accounts.RoleStructureMember, st.ID, "")
	token := e.signedIn("partant@bocage.test")
	e.user("reste@cornouaille.test", accounts.RoleStructureMember, other.ID, "")

	list := decode[struct {
		Users []accounts.User `json:"users"`
	}](t, e.do(http.MethodGet, base, "", admin)).Users
	if len(list) != 1 || list[0].Email != "partant@bocage.test" {
		t.Fatalf("list: %+v", list)
	}
	if rec := e.do(http.MethodPost, base, `{"email":"x@bocage.test","role":"federation","password":"un-mot-de-passe-long"}`, admin); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("structure admin creating a federation account: %d", rec.Code)
	}
	if rec := e.do(http.MethodDelete, "/api/v1/structures/"+other.ID+"/users/"+leaving.ID, "", otherAdmin); rec.Code != http.StatusNotFound {
		t.Fatalf("delete by another structure: %d", rec.Code)
	}
	if rec := e.do(http.MethodDelete, base+"/"+leaving.ID, "", admin); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	if rec := getWithCookie(e.router, homePath, token); rec.Code != http.StatusSeeOther {
		t.Fatalf("deleted user's session: %d", rec.Code)
	}
}

func TestOnlyTheFederationCreatesNetworkAccounts(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	_, admin := e.structure("AI du Bocage", "Normandie")
	body := `{"email":"normandie@coorace.test","role":"region","region":"Normandie","password":"un-mot-de-passe-long"}`
	if rec := e.do(http.MethodPost, "/api/v1/users", body, admin); rec.Code != http.StatusForbidden {
		t.Fatalf("structure admin: %d", rec.Code)
	}
	rec := e.do(http.MethodPost, "/api/v1/users", body, e.federationKey())
	if rec.Code != http.StatusCreated || decode[map[string]any](t, rec)["password"] != nil {
		t.Fatalf("federation: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(http.MethodPost, "/api/v1/users", `{"email":"x@coorace.test","role":"structure_admin"}`, e.federationKey()); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("structure role without structure: %d", rec.Code)
	}
}
