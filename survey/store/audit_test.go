package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/surveytest"
)

func TestAuditLogIsPerStructureNewestFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	for i, e := range []accounts.AuditEntry{
		{StructureID: "a", Action: accounts.AuditLoginSuccess, Actor: "x@a.fr", IP: "192.0.2.1"},
		{StructureID: "b", Action: accounts.AuditAPIKeyCreate, Actor: "y@b.fr"},
		{StructureID: "a", Action: accounts.AuditExportDownload, Actor: "clé logiciel", Target: "export 2026"},
	} {
		clock.Advance(time.Duration(i+1) * time.Minute)
		if err := s.RecordAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.AuditLog(ctx, "a", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Action != accounts.AuditExportDownload || got[1].IP != "192.0.2.1" || !got[0].At.After(got[1].At) {
		t.Fatalf("log of a: %+v", got)
	}
}

func TestAuditPagesFollowEachOther(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := surveytest.Store(t, nil)
	for i := range 7 {
		sid := "a"
		if i == 3 {
			sid = "b"
		}
		if err := s.RecordAudit(ctx, accounts.AuditEntry{StructureID: sid, Action: accounts.AuditLoginSuccess, Target: strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	before, pages := "", 0
	for {
		page, more, err := s.AuditPage(ctx, "a", before, 4)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range page {
			seen = append(seen, e.Target)
		}
		if !more {
			break
		}
		before = page[len(page)-1].ID
	}
	if got := strings.Join(seen, ","); pages != 2 || got != "6,5,4,2,1,0" {
		t.Fatalf("%d pages: %s", pages, got)
	}
}

func TestRevokedAPIKeyStopsWorking(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := surveytest.Store(t, nil)
	a := surveytest.Structure(t, s, "A", "Normandie")
	b := surveytest.Structure(t, s, "B", "Normandie")
	k, plain, err := s.CreateAPIKey(ctx, accounts.APIKeyInput{Name: "logiciel", Role: accounts.RoleStructureMember, StructureID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateAPIKey(ctx, plain); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevokeAPIKey(ctx, b.ID, k.ID); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("revoked by another structure: %v", err)
	}
	list, _ := s.ListAPIKeys(ctx, a.ID)
	if len(list) != 1 || list[0].LastUsedAt == nil || list[0].ID != k.ID {
		t.Fatalf("list: %+v", list)
	}
	if _, err := s.RevokeAPIKey(ctx, a.ID, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateAPIKey(ctx, plain); !errors.Is(err, survey.ErrUnauthenticated) {
		t.Fatalf("revoked key: %v", err)
	}
}
