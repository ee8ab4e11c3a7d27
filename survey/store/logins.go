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

// loginFailures counts an account's failed logins in the current window.
// Its _id is derived from the e-mail, so that every instance finds it with
// one lookup and shares the count. Concurrent failures may lose an increment
// (no atomic update on the embedded store); each instance's in-memory
// limiter covers the rest.
type loginFailures struct {
	ID          string    `bson:"_id"`
	Count       int       `bson:"count"`
	WindowStart time.Time `bson:"window_start"`
}

func loginFailuresID(email string) string {
	return "login:" + accounts.UserIDForEmail(accounts.NormalizeEmail(email))
}

func (s *Store) loginFailures(ctx context.Context, email string, window time.Duration) (*loginFailures, error) {
	var f loginFailures
	err := s.findByID(ctx, colLoginFailures, loginFailuresID(email), &f)
	if errors.Is(err, survey.ErrNotFound) || (err == nil && s.Now().Sub(f.WindowStart) >= window) {
		return &loginFailures{ID: loginFailuresID(email), WindowStart: s.Now()}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("login failures: %w", Translate(err))
	}
	return &f, nil
}

// LoginBlocked reports whether an account reached limit failed logins in
// the current window, whether or not the account exists.
func (s *Store) LoginBlocked(ctx context.Context, email string, limit int, window time.Duration) (bool, error) {
	if limit <= 0 {
		return false, nil
	}
	f, err := s.loginFailures(ctx, email, window)
	if err != nil {
		return false, err
	}
	return f.Count >= limit, nil
}

// RecordLoginFailure counts one failed login of an account.
func (s *Store) RecordLoginFailure(ctx context.Context, email string, window time.Duration) error {
	f, err := s.loginFailures(ctx, email, window)
	if err != nil {
		return err
	}
	f.Count++
	_, err = s.db.Collection(colLoginFailures).ReplaceOne(ctx, bson.M{"_id": f.ID}, f, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("record login failure: %w", Translate(err))
	}
	return nil
}

// ClearLoginFailures forgets an account's failures after a successful login.
func (s *Store) ClearLoginFailures(ctx context.Context, email string) error {
	if _, err := s.db.Collection(colLoginFailures).DeleteOne(ctx, bson.M{"_id": loginFailuresID(email)}); err != nil {
		return fmt.Errorf("clear login failures: %w", Translate(err))
	}
	return nil
}
