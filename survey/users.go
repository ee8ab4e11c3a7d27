package survey

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const colUsers = "users"

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

// validateScope checks that a role comes with exactly the scope it needs (a
// structure, a region or nothing) and clears the other fields.
func (s *Store) validateScope(ctx context.Context, v *ValidationError, role Role, sid, region *string) {
	switch role {
	case RoleStructureAdmin, RoleStructureMember:
		if _, err := s.Structure(ctx, *sid); err != nil {
			v.Add("structure_id", "not_found", "Structure inconnue.")
		}
		*region = ""
	case RoleRegionViewer:
		if !ValidRegion(*region) {
			v.Add("region", "region", "Région inconnue.")
		}
		*sid = ""
	case RoleFederation:
		*sid, *region = "", ""
	default:
		v.Add("role", "enum", "Rôle inconnu (structure_admin, structure_member, region ou federation).")
	}
}

// CreateUser stores a new account with its password hashed (argon2id).
// An e-mail already in use is a validation error on "email".
func (s *Store) CreateUser(ctx context.Context, in UserInput) (*User, error) {
	v := &ValidationError{}
	in.Email = NormalizeEmail(in.Email)
	if !ValidEmail(in.Email) {
		v.Add("email", "email", "Adresse e-mail invalide.")
	}
	var perr *ValidationError
	if err := ValidatePassword("password", in.Password); errors.As(err, &perr) {
		v.Add("password", perr.Fields["password"].Code, perr.Fields["password"].Message)
	}
	s.validateScope(ctx, v, in.Role, &in.StructureID, &in.Region)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	// A cheap lookup first spares a hash for a taken address; the unique
	// index still decides when two creations race.
	if _, err := s.User(ctx, UserIDForEmail(in.Email)); err == nil {
		return nil, errEmailTaken()
	}
	hash, err := HashPassword(in.Password, s.hashParams())
	if err != nil {
		return nil, err
	}
	now := s.Now()
	u := &User{
		ID: UserIDForEmail(in.Email), Email: in.Email, PasswordHash: hash, Role: in.Role,
		StructureID: in.StructureID, Region: in.Region, CreatedAt: now, PasswordChangedAt: now,
	}
	if _, err := s.db.Collection(colUsers).InsertOne(ctx, u); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return nil, errEmailTaken()
		}
		return nil, fmt.Errorf("create user: %w", translate(err))
	}
	return u, nil
}

// SetPasswordParams makes the store hash new passwords with p rather than
// DefaultPasswordParams. Call it before the store is used (tests use cheap
// parameters); verification always reads the parameters stored in each hash.
func (s *Store) SetPasswordParams(p PasswordParams) {
	s.passwordParams = &p
}

func (s *Store) hashParams() PasswordParams {
	if s.passwordParams != nil {
		return *s.passwordParams
	}
	return DefaultPasswordParams()
}

func errEmailTaken() error {
	return Invalid("email", "taken", "Un compte existe déjà avec cette adresse e-mail.")
}

// User returns one account.
func (s *Store) User(ctx context.Context, id string) (*User, error) {
	if !ValidIDShape(id) {
		return nil, ErrNotFound
	}
	var u User
	if err := s.findByID(ctx, colUsers, id, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// UserByEmail returns the account of an e-mail address, in any case.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	return s.User(ctx, UserIDForEmail(NormalizeEmail(email)))
}

// dummyHash is verified when no account matches, so that an unknown e-mail
// costs as much time as a wrong password and timing reveals nothing.
const dummyHash = "$argon2id$v=19$m=65536,t=2,p=2$Y2Fwc2F0LWR1bW15LXNhbHQ$3Vq1o9q3ZcV0mN1wHk0Qj1yYtW2b0dXq6vC9s8rL4eA"

// CheckPassword returns the account when the e-mail and password match, and
// ErrUnauthenticated otherwise, whichever part was wrong.
func (s *Store) CheckPassword(ctx context.Context, email, password string) (*User, error) {
	if len(password) > MaxPasswordLen {
		return nil, ErrUnauthenticated
	}
	u, err := s.UserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		_, _ = VerifyPassword(password, dummyHash)
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	ok, err := VerifyPassword(password, u.PasswordHash)
	if err != nil {
		return nil, fmt.Errorf("check password of user %s: %w", u.ID, err)
	}
	if !ok {
		return nil, ErrUnauthenticated
	}
	return u, nil
}

// ChangePassword replaces a user's password after checking the current one.
// The caller renews the session; DeleteUserSessions ends the others.
func (s *Store) ChangePassword(ctx context.Context, userID, current, next string) error {
	u, err := s.User(ctx, userID)
	if err != nil {
		return err
	}
	ok, err := VerifyPassword(current, u.PasswordHash)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if !ok {
		return Invalid("current_password", "mismatch", "Le mot de passe actuel est incorrect.")
	}
	if err := ValidatePassword("new_password", next); err != nil {
		return err
	}
	if next == current {
		return Invalid("new_password", "unchanged", "Le nouveau mot de passe doit être différent de l'actuel.")
	}
	hash, err := HashPassword(next, s.hashParams())
	if err != nil {
		return err
	}
	_, err = s.db.Collection(colUsers).UpdateOne(ctx, bson.M{"_id": u.ID},
		bson.M{"$set": bson.M{"password_hash": hash, "password_changed_at": s.Now()}})
	if err != nil {
		return fmt.Errorf("change password: %w", translate(err))
	}
	return nil
}

// ListUsers returns a structure's accounts sorted by e-mail.
func (s *Store) ListUsers(ctx context.Context, sid string) ([]User, error) {
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.M{"structure_id": sid},
		options.Find().SetSort(bson.D{{Key: "email", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out := []User{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// DeleteUser removes a structure's account and ends its sessions. Another
// structure's account is ErrNotFound.
//
// by is the account asking (empty for an API key): nobody deletes the
// account they are signed in with, whichever door they come through.
func (s *Store) DeleteUser(ctx context.Context, sid, uid, by string) error {
	if uid == by {
		return Conflict("Vous ne pouvez pas supprimer votre propre compte.")
	}
	u, err := s.User(ctx, uid)
	if err != nil {
		return err
	}
	if u.StructureID != sid {
		return ErrNotFound
	}
	if err := s.DeleteUserSessions(ctx, uid); err != nil {
		return err
	}
	if _, err := s.db.Collection(colUsers).DeleteOne(ctx, bson.M{"_id": uid}); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}

// ensureAccountIndexes adds the indexes of users, sessions, API keys and
// the audit log; EnsureIndexes calls it.
func (s *Store) ensureAccountIndexes(ctx context.Context) error {
	specs := map[string][]mongo.IndexModel{
		colUsers: {
			{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true).SetName("email_unique")},
			{Keys: bson.D{{Key: "structure_id", Value: 1}}, Options: options.Index().SetName("structure")},
		},
		colSessions: {
			{Keys: bson.D{{Key: "user_id", Value: 1}}, Options: options.Index().SetName("user")},
			{Keys: bson.D{{Key: "expires_at", Value: 1}}, Options: options.Index().SetName("expires")},
		},
		colAudit: {
			{Keys: bson.D{{Key: "structure_id", Value: 1}, {Key: "at", Value: -1}}, Options: options.Index().SetName("structure_at")},
		},
	}
	for _, name := range sortedKeys(specs) {
		if err := s.createIndexes(ctx, name, specs[name]...); err != nil {
			return err
		}
	}
	return nil
}
