package accounts

import (
	"time"

	"capsat/survey"
)

// ResetTTL is how long a password reset link works.
const ResetTTL = 30 * time.Minute

// PasswordReset is a pending password reset. Its _id is the SHA-256 of the
// link's token (HashAPIKey): the token itself is never stored with it, and
// the page that opens the link finds it with one lookup by _id.
type PasswordReset struct {
	Hash      string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// ValidResetToken checks a reset link's token shape before any store access.
func ValidResetToken(token string) bool { return survey.ValidTokenShape(token) }

// Usable reports whether the reset may still be used at now.
func (r *PasswordReset) Usable(now time.Time) bool { return now.Before(r.ExpiresAt) }
