package accounts

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Role is what a user or an API key may do.
type Role string

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleStructureAdmin, RoleStructureMember, RoleRegionViewer, RoleFederation:
		return true
	}
	return false
}

// Principal is who is calling: a user (web session) or an API key.
type Principal struct {
	Role        Role
	StructureID string // for structure roles
	Region      string // for the region role
	UserID      string // set for users
	KeyID       string // set for API keys
	Name        string // e-mail or key name, for the audit log
}

// InStructure reports whether p acts inside structure sid.
func (p *Principal) InStructure(sid string) bool {
	return p != nil && sid != "" && (p.Role == RoleStructureAdmin || p.Role == RoleStructureMember) && p.StructureID == sid
}

// APIKey is a stored API key. Its _id is the SHA-256 of the key, so that
// authenticating is one lookup by _id and the key itself is never stored.
type APIKey struct {
	Hash        string     `bson:"_id" json:"-"`
	ID          string     `bson:"key_id" json:"id"`
	Name        string     `bson:"name" json:"name"`
	Role        Role       `bson:"role" json:"role"`
	StructureID string     `bson:"structure_id,omitempty" json:"structure_id,omitempty"`
	Region      string     `bson:"region,omitempty" json:"region,omitempty"`
	Prefix      string     `bson:"prefix" json:"prefix"` // first characters, to recognise a key
	CreatedAt   time.Time  `bson:"created_at" json:"created_at"`
	LastUsedAt  *time.Time `bson:"last_used_at,omitempty" json:"last_used_at,omitempty"`
	RevokedAt   *time.Time `bson:"revoked_at,omitempty" json:"revoked_at,omitempty"`
}

// APIKeyPrefix starts every key, so that leaked keys are easy to recognise.
const APIKeyPrefix = "capsat_"

// HashAPIKey returns the stored form of a key.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// APIKeyInput describes a key to create.
type APIKeyInput struct {
	Name        string
	Role        Role
	StructureID string
	Region      string
}

// Roles: two inside one structure, two over aggregates only.
const (
	RoleStructureAdmin  Role = "structure_admin"  // one structure, manages its users and keys
	RoleStructureMember Role = "structure_member" // one structure, day-to-day work
	RoleRegionViewer    Role = "region"           // one region's aggregates
	RoleFederation      Role = "federation"       // the network's aggregates; creates structures
)
