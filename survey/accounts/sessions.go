package accounts

import (
	"capsat/survey"
	"time"
)

// SessionTokenLen is the length of a session cookie's token (288 bits).
const SessionTokenLen = 2 * survey.TokenLen

// Session is a signed-in browser. Its _id is the SHA-256 of the cookie's
// token: the token is never stored, and every instance finds the session
// with one lookup by _id.
type Session struct {
	Hash          string    `bson:"_id"`
	UserID        string    `bson:"user_id"`
	CSRFToken     string    `bson:"csrf_token"`
	IP            string    `bson:"ip"`
	CreatedAt     time.Time `bson:"created_at"`
	LastSeenAt    time.Time `bson:"last_seen_at"`
	ExpiresAt     time.Time `bson:"expires_at"`      // absolute limit
	IdleExpiresAt time.Time `bson:"idle_expires_at"` // moves with activity
	IdleSeconds   int64     `bson:"idle_seconds"`
}

// SessionLimits are how long a session lives without activity (Idle) and at
// most (Absolute). They are stored in each session at creation.
type SessionLimits struct {
	Idle     time.Duration
	Absolute time.Duration
}

// ValidSessionToken checks a cookie value's shape before any store access.
func ValidSessionToken(token string) bool {
	return len(token) == SessionTokenLen && survey.ValidTokenShape(token[:survey.TokenLen]) && survey.ValidTokenShape(token[survey.TokenLen:])
}
