package store

import (
	"capsat/survey"
	"capsat/survey/accounts"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// CreateAPIKey stores a new key and returns it with the plaintext key, which
// is shown once and never stored.
func (s *Store) CreateAPIKey(ctx context.Context, in accounts.APIKeyInput) (*accounts.APIKey, string, error) {
	v := &survey.ValidationError{}
	name, msg := survey.CleanText(strings.TrimSpace(in.Name), false)
	if msg != "" {
		v.Add("name", survey.CodeInvalidChar, msg)
	}
	in.Name = name
	if in.Name == "" || len(in.Name) > 100 {
		v.Add("name", "required", "Le nom de la clé est obligatoire (100 caractères au plus).")
	}
	switch in.Role {
	case accounts.RoleStructureAdmin, accounts.RoleStructureMember:
		if _, err := s.Structure(ctx, in.StructureID); err != nil {
			v.Add("structure", "not_found", "Structure inconnue.")
		}
		in.Region = ""
	case accounts.RoleRegionViewer:
		if !survey.ValidRegion(in.Region) {
			v.Add("region", "region", "Région inconnue.")
		}
		in.StructureID = ""
	case accounts.RoleFederation:
		in.StructureID, in.Region = "", ""
	default:
		v.Add("role", "enum", "Rôle inconnu.")
	}
	if err := v.OrNil(); err != nil {
		return nil, "", err
	}
	plain := accounts.APIKeyPrefix + survey.NewToken() + survey.NewToken()
	k := &accounts.APIKey{
		Hash: accounts.HashAPIKey(plain), ID: survey.NewID(), Name: in.Name, Role: in.Role,
		StructureID: in.StructureID, Region: in.Region, Prefix: plain[:len(accounts.APIKeyPrefix)+6],
		CreatedAt: s.Now(),
	}
	if _, err := s.db.Collection(colAPIKeys).InsertOne(ctx, k); err != nil {
		return nil, "", fmt.Errorf("create api key: %w", Translate(err))
	}
	return k, plain, nil
}

// AuthenticateAPIKey resolves a presented key to its principal.
// Unknown, malformed and revoked keys are all ErrUnauthenticated.
func (s *Store) AuthenticateAPIKey(ctx context.Context, key string) (*accounts.Principal, error) {
	if !strings.HasPrefix(key, accounts.APIKeyPrefix) || len(key) != len(accounts.APIKeyPrefix)+2*survey.TokenLen {
		return nil, survey.ErrUnauthenticated
	}
	var k accounts.APIKey
	if err := s.findByID(ctx, colAPIKeys, accounts.HashAPIKey(key), &k); err != nil {
		if err == survey.ErrNotFound {
			return nil, survey.ErrUnauthenticated
		}
		return nil, fmt.Errorf("authenticate api key: %w", Translate(err))
	}
	if k.RevokedAt != nil {
		return nil, survey.ErrUnauthenticated
	}
	s.touchAPIKey(ctx, &k)
	return &accounts.Principal{Role: k.Role, StructureID: k.StructureID, Region: k.Region, KeyID: k.ID, Name: "clé " + k.Name}, nil
}

// touchAPIKey records the last use at most once a minute, to keep writes off
// the request path.
func (s *Store) touchAPIKey(ctx context.Context, k *accounts.APIKey) {
	now := s.Now()
	if k.LastUsedAt != nil && now.Sub(*k.LastUsedAt) < time.Minute {
		return
	}
	if _, err := s.db.Collection(colAPIKeys).UpdateOne(ctx, bson.M{"_id": k.Hash}, bson.M{"$set": bson.M{"last_used_at": now}}); err != nil {
		s.log.Warn("API key use not recorded", slog.String("key", k.Prefix), slog.String("error", err.Error()))
	}
}
