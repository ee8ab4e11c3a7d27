package survey

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Role is what a user or an API key may do.
type Role string

// Roles: two inside one structure, two over aggregates only.
const (
	RoleStructureAdmin  Role = "structure_admin"  // one structure, manages its users and keys
	RoleStructureMember Role = "structure_member" // one structure, day-to-day work
	RoleRegionViewer    Role = "region"           // one region's aggregates
	RoleFederation      Role = "federation"       // the network's aggregates; creates structures
)

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
	return p != nil && (p.Role == RoleStructureAdmin || p.Role == RoleStructureMember) && p.StructureID == sid
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

// CreateAPIKey stores a new key and returns it with the plaintext key, which
// is shown once and never stored.
func (s *Store) CreateAPIKey(ctx context.Context, in APIKeyInput) (*APIKey, string, error) {
	v := &ValidationError{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 100 {
		v.Add("name", "required", "Le nom de la clé est obligatoire (100 caractères au plus).")
	}
	switch in.Role {
	case RoleStructureAdmin, RoleStructureMember:
		if _, err := s.Structure(ctx, in.StructureID); err != nil {
			v.Add("structure", "not_found", "Structure inconnue.")
		}
		in.Region = ""
	case RoleRegionViewer:
		if !ValidRegion(in.Region) {
			v.Add("region", "region", "Région inconnue.")
		}
		in.StructureID = ""
	case RoleFederation:
		in.StructureID, in.Region = "", ""
	default:
		v.Add("role", "enum", "Rôle inconnu.")
	}
	if err := v.OrNil(); err != nil {
		return nil, "", err
	}
	plain := APIKeyPrefix + NewToken() + NewToken()
	k := &APIKey{
		Hash: HashAPIKey(plain), ID: NewID(), Name: in.Name, Role: in.Role,
		StructureID: in.StructureID, Region: in.Region, Prefix: plain[:len(APIKeyPrefix)+6],
		CreatedAt: s.Now(),
	}
	if _, err := s.db.Collection(colAPIKeys).InsertOne(ctx, k); err != nil {
		return nil, "", fmt.Errorf("create api key: %w", translate(err))
	}
	return k, plain, nil
}

// AuthenticateAPIKey resolves a presented key to its principal.
// Unknown, malformed and revoked keys are all ErrUnauthenticated.
func (s *Store) AuthenticateAPIKey(ctx context.Context, key string) (*Principal, error) {
	if !strings.HasPrefix(key, APIKeyPrefix) || len(key) != len(APIKeyPrefix)+2*TokenLen {
		return nil, ErrUnauthenticated
	}
	var k APIKey
	if err := s.findByID(ctx, colAPIKeys, HashAPIKey(key), &k); err != nil {
		if err == ErrNotFound {
			return nil, ErrUnauthenticated
		}
		return nil, fmt.Errorf("authenticate api key: %w", err)
	}
	if k.RevokedAt != nil {
		return nil, ErrUnauthenticated
	}
	s.touchAPIKey(ctx, &k)
	return &Principal{Role: k.Role, StructureID: k.StructureID, Region: k.Region, KeyID: k.ID, Name: "clé " + k.Name}, nil
}

// touchAPIKey records the last use at most once a minute, to keep writes off
// the request path.
func (s *Store) touchAPIKey(ctx context.Context, k *APIKey) {
	now := s.Now()
	if k.LastUsedAt != nil && now.Sub(*k.LastUsedAt) < time.Minute {
		return
	}
	_, _ = s.db.Collection(colAPIKeys).UpdateOne(ctx, bson.M{"_id": k.Hash}, bson.M{"$set": bson.M{"last_used_at": now}})
}
