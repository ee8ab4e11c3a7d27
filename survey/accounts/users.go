package accounts

import (
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"
)

// User is a person who signs in to the pages. Its _id is derived from the
// normalised e-mail (UserIDForEmail), so that signing in is one lookup by
// _id, the only lookup the embedded store answers without a scan; a unique
// index on email guards the rule on MongoDB as well.
type User struct {
	ID                string    `bson:"_id" json:"id"`
	Email             string    `bson:"email" json:"email"`
	PasswordHash      string    `bson:"password_hash" json:"-"`
	Role              Role      `bson:"role" json:"role"`
	StructureID       string    `bson:"structure_id,omitempty" json:"structure_id,omitempty"`
	Region            string    `bson:"region,omitempty" json:"region,omitempty"`
	CreatedAt         time.Time `bson:"created_at" json:"created_at"`
	PasswordChangedAt time.Time `bson:"password_changed_at" json:"password_changed_at"`
	// MailOff are the e-mails this person turned off on "Mon compte".
	MailOff MailPrefs `bson:"mail_off,omitempty" json:"mail_off"`
}

// MailPrefs are the e-mails a person may turn off: each true field is a
// kind of message never sent to the person's address.
type MailPrefs struct {
	Alerts bool `bson:"alerts,omitempty" json:"alerts"` // dissatisfaction alerts
	Digest bool `bson:"digest,omitempty" json:"digest"` // monthly digests
}

// Principal returns what the user may do.
func (u *User) Principal() *Principal {
	return &Principal{Role: u.Role, StructureID: u.StructureID, Region: u.Region, UserID: u.ID, Name: u.Email}
}

// NormalizeEmail trims and lowercases an address, so that one person has one account.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// UserIDForEmail returns the id of the account of a normalised e-mail: the
// first 96 bits of its SHA-256, in the shape of an object id.
func UserIDForEmail(email string) string {
	sum := sha256.Sum256([]byte("capsat.user:" + email))
	return hex.EncodeToString(sum[:12])
}

// ValidEmail reports whether email (normalised) is an address accounts accept.
func ValidEmail(email string) bool {
	if email == "" || len(email) > 254 {
		return false
	}
	a, err := mail.ParseAddress(email)
	return err == nil && a.Address == email && strings.Contains(email[strings.LastIndex(email, "@"):], ".")
}

// UserInput describes an account to create. An empty password is refused:
// callers generate one with NewPassword when none is given.
type UserInput struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	Role        Role   `json:"role"`
	StructureID string `json:"structure_id"`
	Region      string `json:"region"`
}
