package store

import (
	"capsat/survey"
	"capsat/survey/accounts"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// CreatePasswordReset stores a reset for user uid valid for ttl and returns
// the link's token (only its hash is stored).
func (s *Store) CreatePasswordReset(ctx context.Context, uid string, ttl time.Duration) (string, time.Time, error) {
	token := survey.NewToken()
	now := s.Now()
	r := accounts.PasswordReset{Hash: accounts.HashAPIKey(token), UserID: uid, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if _, err := s.db.Collection(colPasswordResets).InsertOne(ctx, &r); err != nil {
		return "", time.Time{}, fmt.Errorf("create password reset: %w", Translate(err))
	}
	return token, r.ExpiresAt, nil
}

// PasswordReset returns the usable reset of a link's token: one lookup by
// _id. A token unknown, used or expired is ErrNotFound.
func (s *Store) PasswordReset(ctx context.Context, token string) (*accounts.PasswordReset, error) {
	if !accounts.ValidResetToken(token) {
		return nil, survey.ErrNotFound
	}
	var r accounts.PasswordReset
	if err := s.findByID(ctx, colPasswordResets, accounts.HashAPIKey(token), &r); err != nil {
		return nil, err
	}
	if !r.Usable(s.Now()) {
		// Expired resets go when someone opens them; the others when used.
		_, _ = s.db.Collection(colPasswordResets).DeleteOne(ctx, bson.M{"_id": r.Hash})
		return nil, survey.ErrNotFound
	}
	return &r, nil
}

// ResetPassword sets the password of the reset's user, once: the new
// password is checked by the rules of every password (a refused one keeps
// the link usable), then the reset is consumed by deleting it by _id (of
// two uses at once, one deletes it, the other finds nothing), then the
// password is stored and every session of the user ended.
func (s *Store) ResetPassword(ctx context.Context, token, next string) (*accounts.User, error) {
	r, err := s.PasswordReset(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := accounts.ValidatePassword("new_password", next); err != nil {
		return nil, err
	}
	u, err := s.User(ctx, r.UserID)
	if err != nil {
		return nil, err
	}
	hash, err := accounts.HashPassword(next, s.hashParams())
	if err != nil {
		return nil, err
	}
	res, err := s.db.Collection(colPasswordResets).DeleteOne(ctx, bson.M{"_id": r.Hash})
	if err != nil {
		return nil, fmt.Errorf("consume password reset: %w", Translate(err))
	}
	if res.DeletedCount != 1 {
		return nil, survey.ErrNotFound // used meanwhile
	}
	if _, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.M{"_id": u.ID},
		bson.M{"$set": bson.M{"password_hash": hash, "password_changed_at": s.Now()}}); err != nil {
		return nil, fmt.Errorf("reset password: %w", Translate(err))
	}
	if err := s.DeleteUserSessions(ctx, u.ID); err != nil {
		return nil, err
	}
	return u, nil
}

// resetRequests counts the reset requests of one address in the current
// window, shared by instances like the failed logins (loginFailures).
func resetRequestsID(email string) string {
	return "reset:" + accounts.UserIDForEmail(accounts.NormalizeEmail(email))
}

// CountResetRequest counts one reset request for email and reports whether
// it is within limit per window (limit 0: no limit).
func (s *Store) CountResetRequest(ctx context.Context, email string, limit int, window time.Duration) (bool, error) {
	if limit <= 0 {
		return true, nil
	}
	var f loginFailures
	err := s.findByID(ctx, colLoginFailures, resetRequestsID(email), &f)
	if errors.Is(err, survey.ErrNotFound) || (err == nil && s.Now().Sub(f.WindowStart) >= window) {
		f, err = loginFailures{ID: resetRequestsID(email), WindowStart: s.Now()}, nil
	}
	if err != nil {
		return false, fmt.Errorf("reset requests: %w", Translate(err))
	}
	f.Count++
	if _, err := s.db.Collection(colLoginFailures).ReplaceOne(ctx, bson.M{"_id": f.ID}, f, options.Replace().SetUpsert(true)); err != nil {
		return false, fmt.Errorf("count reset request: %w", Translate(err))
	}
	return f.Count <= limit, nil
}
