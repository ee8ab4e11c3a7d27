package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/store"
	"capsat/survey/surveytest"
)

func newSessionFixture(t *testing.T) (*store.Store, *surveytest.Clock, *accounts.User) {
	t.Helper()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	s.SetPasswordParams(cheapHashes)
	u, err := s.CreateUser(context.Background(), accounts.UserInput{Email: "n@coorace.test", Password: "douze-caracteres", Role: accounts.RoleRegionViewer, Region: "Normandie"})
	if err != nil {
		t.Fatal(err)
	}
	return s, clock, u
}

func TestSessionIdleExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clock, u := newSessionFixture(t)
	sess, token, err := s.CreateSession(ctx, u.ID, "192.0.2.1", accounts.SessionLimits{Idle: 2 * time.Hour, Absolute: 12 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if sess.CSRFToken == "" || sess.Hash == token {
		t.Fatalf("session %+v", sess)
	}
	// Activity every 90 minutes keeps it alive past the idle limit.
	for i := 0; i < 3; i++ {
		clock.Advance(90 * time.Minute)
		_, p, err := s.Session(ctx, token)
		if err != nil {
			t.Fatalf("after %d active periods: %v", i+1, err)
		}
		if p.UserID != u.ID || p.Role != accounts.RoleRegionViewer || p.Region != "Normandie" {
			t.Fatalf("principal %+v", p)
		}
	}
	clock.Advance(2 * time.Hour)
	if _, _, err := s.Session(ctx, token); !errors.Is(err, survey.ErrUnauthenticated) {
		t.Fatalf("idle for 2 h: %v", err)
	}
	clock.Advance(-time.Hour) // deleted on the way: gone even if the clock went back
	if _, _, err := s.Session(ctx, token); !errors.Is(err, survey.ErrUnauthenticated) {
		t.Fatalf("expired session not deleted: %v", err)
	}
}

func TestSessionAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clock, u := newSessionFixture(t)
	_, token, err := s.CreateSession(ctx, u.ID, "", accounts.SessionLimits{Idle: 2 * time.Hour, Absolute: 12 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for elapsed := time.Duration(0); elapsed < 12*time.Hour-time.Hour; elapsed += time.Hour {
		clock.Advance(time.Hour)
		if _, _, err := s.Session(ctx, token); err != nil {
			t.Fatalf("active session refused after %s: %v", elapsed+time.Hour, err)
		}
	}
	clock.Advance(time.Hour) // 12 h after creation, though active
	if _, _, err := s.Session(ctx, token); !errors.Is(err, survey.ErrUnauthenticated) {
		t.Fatalf("12 h old session: %v", err)
	}
}

func TestSessionLogoutPurgeAndMalformedTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clock, u := newSessionFixture(t)
	lim := accounts.SessionLimits{Idle: time.Hour, Absolute: 4 * time.Hour}
	_, a, _ := s.CreateSession(ctx, u.ID, "", lim)
	_, b, _ := s.CreateSession(ctx, u.ID, "", lim)
	if err := s.DeleteSession(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(ctx, a); !errors.Is(err, survey.ErrUnauthenticated) {
		t.Fatalf("logged-out session: %v", err)
	}
	for _, bad := range []string{"", "short", b[:len(b)-1] + "!", b + "x"} {
		if _, _, err := s.Session(ctx, bad); !errors.Is(err, survey.ErrUnauthenticated) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	clock.Advance(time.Hour)
	n, err := s.PurgeExpiredSessions(ctx)
	if err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
}

func TestLoginFailuresAreCountedPerAccountInAWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clock, _ := newSessionFixture(t)
	for i := 0; i < 3; i++ {
		if blocked, err := s.LoginBlocked(ctx, "X@Exemple.fr", 3, 15*time.Minute); blocked || err != nil {
			t.Fatalf("blocked after %d failures (%v)", i, err)
		}
		if err := s.RecordLoginFailure(ctx, "x@exemple.fr", 15*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if blocked, _ := s.LoginBlocked(ctx, "x@exemple.fr", 3, 15*time.Minute); !blocked {
		t.Fatal("not blocked after 3 failures")
	}
	if blocked, _ := s.LoginBlocked(ctx, "y@exemple.fr", 3, 15*time.Minute); blocked {
		t.Fatal("another account blocked")
	}
	clock.Advance(15 * time.Minute)
	if blocked, _ := s.LoginBlocked(ctx, "x@exemple.fr", 3, 15*time.Minute); blocked {
		t.Fatal("still blocked in a new window")
	}
	_ = s.RecordLoginFailure(ctx, "x@exemple.fr", 15*time.Minute)
	_ = s.ClearLoginFailures(ctx, "x@exemple.fr")
	if blocked, _ := s.LoginBlocked(ctx, "x@exemple.fr", 1, 15*time.Minute); blocked {
		t.Fatal("blocked after clearing")
	}
}
