package store

import (
	"capsat/survey"
	"capsat/survey/accounts"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// touchEvery bounds how often activity is written back, to keep writes off
// most requests; idle expiry is therefore exact to this much.
const touchEvery = time.Minute

// CreateSession starts a session for a user and returns it with the
// cookie's token, which is not stored.
func (s *Store) CreateSession(ctx context.Context, userID, ip string, lim accounts.SessionLimits) (*accounts.Session, string, error) {
	if lim.Idle <= 0 || lim.Absolute <= 0 {
		return nil, "", errors.New("create session: limits must be positive")
	}
	token := survey.NewToken() + survey.NewToken()
	now := s.Now()
	sess := &accounts.Session{
		Hash: accounts.HashAPIKey(token), UserID: userID, CSRFToken: survey.NewToken() + survey.NewToken(), IP: ip,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(lim.Absolute),
		IdleExpiresAt: now.Add(lim.Idle), IdleSeconds: int64(lim.Idle / time.Second),
	}
	if _, err := s.db.Collection(colSessions).InsertOne(ctx, sess); err != nil {
		return nil, "", fmt.Errorf("create session: %w", Translate(err))
	}
	return sess, token, nil
}

// Session resolves a cookie's token to its live session and the principal
// of its user. Unknown, expired and orphaned sessions are ErrUnauthenticated;
// expired ones are deleted on the way.
func (s *Store) Session(ctx context.Context, token string) (*accounts.Session, *accounts.Principal, error) {
	if !accounts.ValidSessionToken(token) {
		return nil, nil, survey.ErrUnauthenticated
	}
	var sess accounts.Session
	if err := s.findByID(ctx, colSessions, accounts.HashAPIKey(token), &sess); err != nil {
		if errors.Is(err, survey.ErrNotFound) {
			return nil, nil, survey.ErrUnauthenticated
		}
		return nil, nil, fmt.Errorf("find session: %w", Translate(err))
	}
	now := s.Now()
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.IdleExpiresAt) {
		s.deleteSessionByHash(ctx, sess.Hash)
		return nil, nil, survey.ErrUnauthenticated
	}
	u, err := s.User(ctx, sess.UserID)
	if errors.Is(err, survey.ErrNotFound) || (err == nil && u.PasswordChangedAt.After(sess.CreatedAt)) {
		s.deleteSessionByHash(ctx, sess.Hash)
		return nil, nil, survey.ErrUnauthenticated
	}
	if err != nil {
		return nil, nil, fmt.Errorf("session user: %w", Translate(err))
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		sess.LastSeenAt = now
		sess.IdleExpiresAt = now.Add(time.Duration(sess.IdleSeconds) * time.Second)
		_, _ = s.db.Collection(colSessions).UpdateOne(ctx, bson.M{"_id": sess.Hash},
			bson.M{"$set": bson.M{"last_seen_at": sess.LastSeenAt, "idle_expires_at": sess.IdleExpiresAt}})
	}
	return &sess, u.Principal(), nil
}

// DeleteSession ends the session of a cookie's token (logout). An unknown
// token is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	if !accounts.ValidSessionToken(token) {
		return nil
	}
	if _, err := s.db.Collection(colSessions).DeleteOne(ctx, bson.M{"_id": accounts.HashAPIKey(token)}); err != nil {
		return fmt.Errorf("delete session: %w", Translate(err))
	}
	return nil
}

func (s *Store) deleteSessionByHash(ctx context.Context, hash string) {
	_, _ = s.db.Collection(colSessions).DeleteOne(context.WithoutCancel(ctx), bson.M{"_id": hash})
}

// PurgeExpiredSessions deletes sessions past either limit; the embedded
// store has no TTL indexes, so serve calls it from time to time.
func (s *Store) PurgeExpiredSessions(ctx context.Context) (int64, error) {
	now := s.Now()
	res, err := s.db.Collection(colSessions).DeleteMany(ctx, bson.M{"$or": bson.A{
		bson.M{"expires_at": bson.M{"$lte": now}},
		bson.M{"idle_expires_at": bson.M{"$lte": now}},
	}})
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", Translate(err))
	}
	return res.DeletedCount, nil
}
