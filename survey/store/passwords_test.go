package store_test

import (
	"context"
	"strings"
	"testing"

	"capsat/survey/accounts"
	"capsat/survey/surveytest"
)

// The hashing rules themselves are tested store-free in survey/accounts.

func TestCreateUserHashesAtTheDefaultCost(t *testing.T) {
	t.Parallel()
	s := surveytest.Store(t, nil)
	u, err := s.CreateUser(context.Background(), accounts.UserInput{Email: "f@coorace.test", Password: "douze-caracteres", Role: accounts.RoleFederation})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Fatalf("stored hash %q", u.PasswordHash)
	}
}
