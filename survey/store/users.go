package store

import (
	"capsat/survey"
	"capsat/survey/accounts"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// validateScope checks that a role comes with exactly the scope it needs (a
// structure, a region or nothing) and clears the other fields.
func (s *Store) validateScope(ctx context.Context, v *survey.ValidationError, role accounts.Role, sid, region *string) {
	switch role {
	case accounts.RoleStructureAdmin, accounts.RoleStructureMember:
		if _, err := s.Structure(ctx, *sid); err != nil {
			v.Add("structure_id", "not_found", "Structure inconnue.")
		}
		*region = ""
	case accounts.RoleRegionViewer:
		if !survey.ValidRegion(*region) {
			v.Add("region", "region", "Région inconnue.")
		}
		*sid = ""
	case accounts.RoleFederation:
		*sid, *region = "", ""
	default:
		v.Add("role", "enum", "Rôle inconnu (structure_admin, structure_member, region ou federation).")
	}
}

// CreateUser stores a new account with its password hashed (argon2id).
// An e-mail already in use is a validation error on "email".
func (s *Store) CreateUser(ctx context.Context, in accounts.UserInput) (*accounts.User, error) {
	v := &survey.ValidationError{}
	email, msg := survey.CleanText(in.Email, false)
	if msg != "" {
		v.Add("email", survey.CodeInvalidChar, msg)
	}
	in.Email = accounts.NormalizeEmail(email)
	if !accounts.ValidEmail(in.Email) {
		v.Add("email", "email", "Adresse e-mail invalide.")
	}
	var perr *survey.ValidationError
	if err := accounts.ValidatePassword("password", in.Password); errors.As(err, &perr) {
		v.Add("password", perr.Fields["password"].Code, perr.Fields["password"].Message)
	}
	s.validateScope(ctx, v, in.Role, &in.StructureID, &in.Region)
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	// A cheap lookup first spares a hash for a taken address; the unique
	// index still decides when two creations race.
	if _, err := s.User(ctx, accounts.UserIDForEmail(in.Email)); err == nil {
		return nil, errEmailTaken()
	}
	hash, err := accounts.HashPassword(in.Password, s.hashParams())
	if err != nil {
		return nil, err
	}
	now := s.Now()
	u := &accounts.User{
		ID: accounts.UserIDForEmail(in.Email), Email: in.Email, PasswordHash: hash, Role: in.Role,
		StructureID: in.StructureID, Region: in.Region, CreatedAt: now, PasswordChangedAt: now,
	}
	if _, err := s.db.Collection(colUsers).InsertOne(ctx, u); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return nil, errEmailTaken()
		}
		return nil, fmt.Errorf("create user: %w", Translate(err))
	}
	return u, nil
}

// SetPasswordParams makes the store hash new passwords with p rather than
// DefaultPasswordParams. Call it before the store is used (tests use cheap
// parameters); verification always reads the parameters stored in each hash.
func (s *Store) SetPasswordParams(p accounts.PasswordParams) {
	s.passwordParams = &p
}

func (s *Store) hashParams() accounts.PasswordParams {
	if s.passwordParams != nil {
		return *s.passwordParams
	}
	return accounts.DefaultPasswordParams()
}

func errEmailTaken() error {
	return survey.Invalid("email", "taken", "Un compte existe déjà avec cette adresse e-mail.")
}

// User returns one account.
func (s *Store) User(ctx context.Context, id string) (*accounts.User, error) {
	if !survey.ValidIDShape(id) {
		return nil, survey.ErrNotFound
	}
	var u accounts.User
	if err := s.findByID(ctx, colUsers, id, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// UserByEmail returns the account of an e-mail address, in any case.
func (s *Store) UserByEmail(ctx context.Context, email string) (*accounts.User, error) {
	return s.User(ctx, accounts.UserIDForEmail(accounts.NormalizeEmail(email)))
}

// dummyHash is verified when no account matches, so that an unknown e-mail
// costs as much time as a wrong password and timing reveals nothing.
const dummyHash = "$argon2id$v=19$m=65536,t=2,p=2$Y2Fwc2F0LWR1bW15LXNhbHQ$3Vq1o9q3ZcV0mN1wHk0Qj1yYtW2b0dXq6vC9s8rL4eA"

// CheckPassword returns the account when the e-mail and password match, and
// ErrUnauthenticated otherwise, whichever part was wrong.
func (s *Store) CheckPassword(ctx context.Context, email, password string) (*accounts.User, error) {
	if len(password) > accounts.MaxPasswordLen {
		return nil, survey.ErrUnauthenticated
	}
	u, err := s.UserByEmail(ctx, email)
	if errors.Is(err, survey.ErrNotFound) {
		_, _ = accounts.VerifyPassword(password, dummyHash)
		return nil, survey.ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	ok, err := accounts.VerifyPassword(password, u.PasswordHash)
	if err != nil {
		return nil, fmt.Errorf("check password of user %s: %w", u.ID, Translate(err))
	}
	if !ok {
		return nil, survey.ErrUnauthenticated
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
	ok, err := accounts.VerifyPassword(current, u.PasswordHash)
	if err != nil {
		return fmt.Errorf("change password: %w", Translate(err))
	}
	if !ok {
		return survey.Invalid("current_password", "mismatch", "Le mot de passe actuel est incorrect.")
	}
	if err := accounts.ValidatePassword("new_password", next); err != nil {
		return err
	}
	if next == current {
		return survey.Invalid("new_password", "unchanged", "Le nouveau mot de passe doit être différent de l'actuel.")
	}
	hash, err := accounts.HashPassword(next, s.hashParams())
	if err != nil {
		return err
	}
	_, err = s.db.Collection(colUsers).UpdateOne(ctx, bson.M{"_id": u.ID},
		bson.M{"$set": bson.M{"password_hash": hash, "password_changed_at": s.Now()}})
	if err != nil {
		return fmt.Errorf("change password: %w", Translate(err))
	}
	return nil
}

// ListUsers returns a structure's accounts sorted by e-mail.
func (s *Store) ListUsers(ctx context.Context, sid string) ([]accounts.User, error) {
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.M{"structure_id": sid},
		options.Find().SetSort(bson.D{{Key: "email", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list users: %w", Translate(err))
	}
	out := []accounts.User{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list users: %w", Translate(err))
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
		return survey.Conflict("Vous ne pouvez pas supprimer votre propre compte.")
	}
	u, err := s.User(ctx, uid)
	if err != nil {
		return err
	}
	if u.StructureID != sid {
		return survey.ErrNotFound
	}
	if err := s.DeleteUserSessions(ctx, uid); err != nil {
		return err
	}
	if _, err := s.db.Collection(colUsers).DeleteOne(ctx, bson.M{"_id": uid}); err != nil {
		return fmt.Errorf("delete user: %w", Translate(err))
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
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		if err := s.createIndexes(ctx, name, specs[name]...); err != nil {
			return err
		}
	}
	return nil
}

// DeleteUserSessions ends every session of a user (password change, account removal).
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	if _, err := s.db.Collection(colSessions).DeleteMany(ctx, bson.M{"user_id": userID}); err != nil {
		return fmt.Errorf("delete sessions of user: %w", Translate(err))
	}
	return nil
}

// SetMailPrefs records which e-mails a person turned off.
func (s *Store) SetMailPrefs(ctx context.Context, userID string, off accounts.MailPrefs) error {
	res, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.M{"_id": userID}, bson.M{"$set": bson.M{"mail_off": off}})
	if err != nil {
		return fmt.Errorf("set mail preferences: %w", Translate(err))
	}
	if res.MatchedCount == 0 {
		return survey.ErrNotFound
	}
	return nil
}

// RegionUsers returns the accounts of a region (role region), sorted by
// e-mail. It filters the users collection: a monthly digest calls it, not
// a page.
func (s *Store) RegionUsers(ctx context.Context, region string) ([]accounts.User, error) {
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.M{"role": accounts.RoleRegionViewer, "region": region},
		options.Find().SetSort(bson.D{{Key: "email", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list region users: %w", Translate(err))
	}
	out := []accounts.User{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list region users: %w", Translate(err))
	}
	return out, nil
}
