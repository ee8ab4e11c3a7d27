package accounts

import (
	"capsat/survey"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are the argon2id cost parameters. They are written into
// every hash, so that raising them later keeps old hashes verifiable.
type PasswordParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
	SaltLen   int
	KeyLen    uint32
}

// DefaultPasswordParams returns the cost used for new hashes: 64 MiB, two
// passes, two lanes (within RFC 9106's range), about 100 ms on a small server.
func DefaultPasswordParams() PasswordParams {
	return PasswordParams{MemoryKiB: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}
}

// Password length rules: long enough to resist guessing, short enough that
// hashing stays cheap for a malicious caller.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// errBadHash means a stored hash is not in the expected format.
var errBadHash = errors.New("password hash: unknown format")

// HashPassword returns the PHC-style encoding
// $argon2id$v=19$m=65536,t=2,p=2$<salt>$<key> of password.
func HashPassword(password string, p PasswordParams) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ParsePasswordHash reads the parameters, salt and key of an encoded hash.
func ParsePasswordHash(encoded string) (PasswordParams, []byte, []byte, error) {
	var p PasswordParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errBadHash
	}
	// Refuse absurd costs from a tampered record rather than exhausting memory.
	if p.MemoryKiB < 8 || p.MemoryKiB > 1<<20 || p.Time < 1 || p.Time > 10 || p.Threads < 1 {
		return p, nil, nil, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, errBadHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return p, nil, nil, errBadHash
	}
	p.SaltLen, p.KeyLen = len(salt), uint32(len(key))
	return p, salt, key, nil
}

// VerifyPassword reports whether password matches the encoded hash, comparing
// in constant time.
func VerifyPassword(password, encoded string) (bool, error) {
	p, salt, key, err := ParsePasswordHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// ValidatePassword checks the length rules, then refuses the passwords
// guessed first (see weakness: common passwords with or without digits
// around them, repeated characters, runs, keyboard walks), and returns a
// French field error.
func ValidatePassword(field, password string) error {
	n := len([]rune(password))
	switch {
	case n < MinPasswordLen:
		return survey.Invalid(field, "too_short", fmt.Sprintf("Le mot de passe doit contenir au moins %d caractères.", MinPasswordLen))
	case len(password) > MaxPasswordLen:
		return survey.Invalid(field, "too_long", fmt.Sprintf("Le mot de passe ne doit pas dépasser %d octets.", MaxPasswordLen))
	}
	if code, msg := weakness(password); code != "" {
		return survey.Invalid(field, code, msg)
	}
	return nil
}

// NewPassword returns a random password of 24 URL-safe characters, for
// accounts created without one.
func NewPassword() string { return survey.NewToken() }
