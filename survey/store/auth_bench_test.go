package store_test

import (
	"context"
	"testing"
	"time"

	"capsat/survey/accounts"
	"capsat/survey/surveytest"
)

// BenchmarkAuthenticate compares resolving a session cookie (session and
// user, two lookups by _id) with resolving an API key (one), among 1,000
// sessions and keys.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	s := surveytest.Store(b, nil)
	s.SetPasswordParams(cheapHashes)
	st := surveytest.Structure(b, s, "AI", "Normandie")
	u, err := s.CreateUser(ctx, accounts.UserInput{Email: "a@b.fr", Password: "douze-caracteres", Role: accounts.RoleStructureAdmin, StructureID: st.ID})
	if err != nil {
		b.Fatal(err)
	}
	var key, token string
	for i := 0; i < 1000; i++ {
		if _, key, err = s.CreateAPIKey(ctx, accounts.APIKeyInput{Name: "k", Role: accounts.RoleStructureMember, StructureID: st.ID}); err != nil {
			b.Fatal(err)
		}
		if _, token, err = s.CreateSession(ctx, u.ID, "", accounts.SessionLimits{Idle: time.Hour, Absolute: time.Hour}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("api_key", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.AuthenticateAPIKey(ctx, key); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("user", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.User(ctx, u.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("session", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := s.Session(ctx, token); err != nil {
				b.Fatal(err)
			}
		}
	})
}
