package accounts_test

import (
	"errors"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"
)

// cheap keeps hashes fast; the default cost has its own test.
var cheap = accounts.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

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
	hash, _ := accounts.HashPassword("correct horse battery", cheap)
	if again, _ := accounts.HashPassword("correct horse battery", cheap); again == hash {
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
	cheaper := accounts.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 16}
	hash, err := accounts.HashPassword("un mot de passe long", cheaper)
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

// TestVerifyPasswordKnownHash keeps stored hashes verifiable: this one was
// made once (argon2id, salt "capsat-salt-0001", m=1024 t=1 p=1, 32 bytes).
func TestVerifyPasswordKnownHash(t *testing.T) {
	t.Parallel()
	const hash = "$argon2id$v=19$m=1024,t=1,p=1$Y2Fwc2F0LXNhbHQtMDAwMQ$rNnsqiAsVHxC57p/v7TZC9GSmlmQjPl7XWZodqhoLJA"
	p, salt, key, err := accounts.ParsePasswordHash(hash)
	if err != nil {
		t.Fatal(err)
	}
	want := accounts.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	if p != want || string(salt) != "capsat-salt-0001" || len(key) != 32 {
		t.Fatalf("parsed %+v, salt %q, key %d bytes", p, salt, len(key))
	}
	if ok, err := accounts.VerifyPassword("correct horse battery", hash); !ok || err != nil {
		t.Errorf("right password: %v, %v", ok, err)
	}
	if ok, err := accounts.VerifyPassword("correct horse battery!", hash); ok || err != nil {
		t.Errorf("wrong password: %v, %v", ok, err)
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
		"argon2id$v=19$m=65536,t=2,p=2$c2FsdA$a2V5$",   // no leading $
		"$argon2id$v=19$m=65536,t=2,p=2$c2FsdA$a2V5$x", // a seventh part
		"$argon2id$v=19$m=7,t=2,p=2$c2FsdA$a2V5",       // memory below 8 KiB
		"$argon2id$v=19$m=1048577,t=2,p=2$c2FsdA$a2V5", // above 1 GiB
		"$argon2id$v=19$m=65536,t=0,p=2$c2FsdA$a2V5",   // no pass
		"$argon2id$v=19$m=65536,t=11,p=2$c2FsdA$a2V5",  // too many passes
		"$argon2id$v=19$m=65536,t=2,p=0$c2FsdA$a2V5",   // no lane
		"$argon2id$v=19$m=65536,t=2,p=256$c2FsdA$a2V5", // lanes overflow a byte
		"$argon2id$v=19$m=65536,t=2$c2FsdA$a2V5",       // parallelism missing
		"$argon2id$v=19$m=65536,t=2,p=2$c2Fsd*$a2V5",   // salt not base64
		"$argon2id$v=19$m=65536,t=2,p=2$c2FsdA==$a2V5", // padded base64
		"$argon2id$v=19$m=65536,t=2,p=2$c2FsdA$a2V5!",  // key not base64
	} {
		if ok, err := accounts.VerifyPassword("whatever password", h); ok || err == nil {
			t.Errorf("hash %q accepted (%v, %v)", h, ok, err)
		}
		if _, _, _, err := accounts.ParsePasswordHash(h); err == nil {
			t.Errorf("ParsePasswordHash(%q) accepted", h)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, password, code string
	}{
		{"empty", "", "too_short"},
		{"11 characters", "onze-chars!", "too_short"},
		{"12 characters", "douze-chars!", ""},
		{"12 accented characters, 24 bytes", "éàèùâêîôûçëï", ""},
		{"11 accented characters, 22 bytes", "ééééééééééé", "too_short"}, // characters count, not bytes
		{"256 bytes", unpredictable(accounts.MaxPasswordLen), ""},
		{"257 bytes", strings.Repeat("a", accounts.MaxPasswordLen+1), "too_long"},
		{"100 characters, 300 bytes", strings.Repeat("€", 100), "too_long"}, // bytes bound the hashing cost
	}
	for _, tc := range cases {
		err := accounts.ValidatePassword("new_password", tc.password)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", tc.name, err)
			}
			continue
		}
		var v *survey.ValidationError
		if !errors.As(err, &v) || len(v.Fields) != 1 || v.Fields["new_password"].Code != tc.code {
			t.Errorf("%s: %v, want %s on new_password", tc.name, err, tc.code)
		}
	}
	var v *survey.ValidationError
	if err := accounts.ValidatePassword("password", "court"); !errors.As(err, &v) ||
		v.Fields["password"].Message != "Le mot de passe doit contenir au moins 12 caractères." {
		t.Errorf("too short message: %v", err)
	}
	if err := accounts.ValidatePassword("password", strings.Repeat("a", 300)); !errors.As(err, &v) ||
		v.Fields["password"].Message != "Le mot de passe ne doit pas dépasser 256 octets." {
		t.Errorf("too long message: %v", err)
	}
}

func TestNewPassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		pw := accounts.NewPassword()
		if len(pw) != 24 || !survey.ValidTokenShape(pw) {
			t.Fatalf("password %q: want 24 URL-safe characters", pw)
		}
		if err := accounts.ValidatePassword("password", pw); err != nil {
			t.Fatalf("generated password %q refused: %v", pw, err)
		}
		if seen[pw] {
			t.Fatalf("password %q made twice", pw)
		}
		seen[pw] = true
	}
}
