package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/surveytest"
)

// cheapHashes keep account fixtures fast; the default cost has its own test.
var cheapHashes = accounts.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestCreateUserNormalisesEmailAndRefusesDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := surveytest.Store(t, nil)
	s.SetPasswordParams(cheapHashes)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	u, err := s.CreateUser(ctx, accounts.UserInput{Email: "  Claire.Martin@Exemple.FR ", Password: "douze-caracteres", Role: accounts.RoleStructureAdmin, StructureID: st.ID, Region: "Bretagne"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "claire.martin@exemple.fr" || u.Region != "" || u.PasswordHash == "douze-caracteres" {
		t.Fatalf("user %+v", u)
	}
	_, err = s.CreateUser(ctx, accounts.UserInput{Email: "CLAIRE.martin@exemple.fr", Password: "autre-mot-de-passe", Role: accounts.RoleFederation})
	var v *survey.ValidationError
	if !errors.As(err, &v) || v.Fields["email"].Code != "taken" {
		t.Fatalf("duplicate e-mail: %v", err)
	}
	got, err := s.CheckPassword(ctx, "Claire.Martin@exemple.fr", "douze-caracteres")
	if err != nil || got.ID != u.ID || got.Principal().StructureID != st.ID || got.Principal().Role != accounts.RoleStructureAdmin {
		t.Fatalf("check password: %+v %v", got, err)
	}
	for _, tc := range []struct{ email, pw string }{{"claire.martin@exemple.fr", "mauvais-mot-de-passe"}, {"personne@exemple.fr", "douze-caracteres"}} {
		if _, err := s.CheckPassword(ctx, tc.email, tc.pw); !errors.Is(err, survey.ErrUnauthenticated) {
			t.Errorf("%s: %v, want ErrUnauthenticated", tc.email, err)
		}
	}
}

func TestCreateUserValidatesScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := surveytest.Store(t, nil)
	s.SetPasswordParams(cheapHashes)
	cases := []struct {
		name  string
		in    accounts.UserInput
		field string
	}{
		{"bad email", accounts.UserInput{Email: "pas-une-adresse", Password: "douze-caracteres", Role: accounts.RoleFederation}, "email"},
		{"short password", accounts.UserInput{Email: "a@b.fr", Password: "court", Role: accounts.RoleFederation}, "password"},
		{"unknown structure", accounts.UserInput{Email: "a@b.fr", Password: "douze-caracteres", Role: accounts.RoleStructureMember, StructureID: survey.NewID()}, "structure_id"},
		{"unknown region", accounts.UserInput{Email: "a@b.fr", Password: "douze-caracteres", Role: accounts.RoleRegionViewer, Region: "Atlantide"}, "region"},
		{"unknown role", accounts.UserInput{Email: "a@b.fr", Password: "douze-caracteres", Role: "root"}, "role"},
	}
	for _, tc := range cases {
		_, err := s.CreateUser(ctx, tc.in)
		var v *survey.ValidationError
		if !errors.As(err, &v) || v.Fields[tc.field].Message == "" {
			t.Errorf("%s: %v, want an error on %s", tc.name, err, tc.field)
		}
	}
	if _, err := s.CreateUser(ctx, accounts.UserInput{Email: "normandie@coorace.test", Password: "douze-caracteres", Role: accounts.RoleRegionViewer, Region: "Normandie"}); err != nil {
		t.Fatalf("region user: %v", err)
	}
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	s.SetPasswordParams(cheapHashes)
	u, err := s.CreateUser(ctx, accounts.UserInput{Email: "f@coorace.test", Password: "ancien-mot-de-passe", Role: accounts.RoleFederation})
	if err != nil {
		t.Fatal(err)
	}
	_, old, err := s.CreateSession(ctx, u.ID, "192.0.2.1", accounts.SessionLimits{Idle: time.Hour, Absolute: 8 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	var v *survey.ValidationError
	if err := s.ChangePassword(ctx, u.ID, "mauvais-mot-de-passe", "nouveau-mot-de-passe"); !errors.As(err, &v) || v.Fields["current_password"].Code != "mismatch" {
		t.Fatalf("wrong current password: %v", err)
	}
	if err := s.ChangePassword(ctx, u.ID, "ancien-mot-de-passe", "nouveau-mot-de-passe"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(ctx, old); !errors.Is(err, survey.ErrUnauthenticated) {
		t.Fatalf("session from before the change still valid: %v", err)
	}
	if _, err := s.CheckPassword(ctx, u.Email, "nouveau-mot-de-passe"); err != nil {
		t.Fatalf("new password: %v", err)
	}
}
