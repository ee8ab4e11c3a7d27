package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/surveytest"
)

func TestHashPasswordEncodesArgon2idParameters(t *testing.T) {
	t.Parallel()
	hash, err := accounts.HashPassword("correct horse battery", accounts.DefaultPasswordParams())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Fatalf("hash %q does not carry argon2id with m=64MiB t=2 p=2", hash)
	}
	p, salt, key, err := accounts.ParsePasswordHash(hash)
	if err != nil {
		t.Fatal(err)
	}
	if p.MemoryKiB != 64*1024 || p.Time != 2 || p.Threads != 2 || len(salt) != 16 || len(key) != 32 {
		t.Fatalf("parsed %+v salt %d key %d", p, len(salt), len(key))
	}
	if ok, err := accounts.VerifyPassword("correct horse battery", hash); !ok || err != nil {
		t.Fatalf("verify: %v %v", ok, err)
	}
}

func TestHashPasswordSaltsAndComparesExactly(t *testing.T) {
	t.Parallel()
	hash, _ := accounts.HashPassword("correct horse battery", cheapHashes)
	if again, _ := accounts.HashPassword("correct horse battery", cheapHashes); again == hash {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "correct horse battery ": false, "": false} {
		ok, err := accounts.VerifyPassword(pw, hash)
		if err != nil || ok != want {
			t.Errorf("verify %q = %v, %v; want %v", pw, ok, err, want)
		}
	}
}

func TestVerifyPasswordUsesTheHashOwnParameters(t *testing.T) {
	t.Parallel()
	cheap := accounts.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 16}
	hash, err := accounts.HashPassword("un mot de passe long", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(hash, "$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q", hash)
	}
	if ok, err := accounts.VerifyPassword("un mot de passe long", hash); !ok || err != nil {
		t.Fatalf("verify with stored parameters: %v %v", ok, err)
	}
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	t.Parallel()
	for _, h := range []string{
		"", "plain", "$2a$10$abcdefghijklmnopqrstuv",
		"$argon2i$v=19$m=65536,t=2,p=2$c2FsdA$a2V5",
		"$argon2id$v=18$m=65536,t=2,p=2$c2FsdA$a2V5",
		"$argon2id$v=19$m=99999999,t=2,p=2$c2FsdA$a2V5", // absurd memory from a tampered record
		"$argon2id$v=19$m=65536,t=2,p=2$c2FsdA$",
	} {
		if ok, err := accounts.VerifyPassword("whatever password", h); ok || err == nil {
			t.Errorf("hash %q accepted (%v, %v)", h, ok, err)
		}
	}
}

func TestValidatePasswordLength(t *testing.T) {
	t.Parallel()
	var v *survey.ValidationError
	if err := accounts.ValidatePassword("password", "onze-chars!"); !errors.As(err, &v) || v.Fields["password"].Code != "too_short" {
		t.Fatalf("11 characters: %v", err)
	}
	if err := accounts.ValidatePassword("password", "éééééééééééé"); err != nil { // 12 runes, 24 bytes
		t.Fatalf("12 accented characters refused: %v", err)
	}
	if err := accounts.ValidatePassword("password", strings.Repeat("a", accounts.MaxPasswordLen+1)); !errors.As(err, &v) {
		t.Fatalf("too long accepted: %v", err)
	}
}

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
