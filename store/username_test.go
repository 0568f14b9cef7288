package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestSecurityHole14UsernamesAreCaseInsensitive: ADMIN and admin are one account on every
// database.
func TestSecurityHole14UsernamesAreCaseInsensitive(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "ZhangWei", store.RoleAgent)
		if u.Username != "zhangwei" {
			t.Fatalf("stored as %q, want zhangwei", u.Username)
		}
		dup := &store.User{Username: "ZHANGWEI", Role: store.RoleAgent, PasswordHash: "x"}
		if err := s.CreateUser(ctx, dup, nil); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("ZHANGWEI beside zhangwei: %v, want ErrConflict", err)
		}
		for _, name := range []string{"zhangwei", "ZhangWei", " ZHANGWEI "} {
			if got, err := s.UserByUsername(ctx, name); err != nil || got.ID != u.ID {
				t.Errorf("UserByUsername(%q) = %v, %v", name, got, err)
			}
		}
		if _, err := s.Authenticate(ctx, "ZHANGWEI", "Good-Pass-2026", officeIP); err != nil {
			t.Errorf("sign in as ZHANGWEI: %v", err)
		}
	})
}

// TestSecurityHole14UpgradeLowercasesUsernames: a database from before migration 3 with
// names differing only in case keeps the oldest account's name and renames
// the others, reporting each rename in the audit log.
func TestSecurityHole14UpgradeLowercasesUsernames(t *testing.T) {
	store.UseMinimumHashCostForTests()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := store.Open(ctx, store.Config{DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnsureAdmin(ctx, "Old-Boss-Pass-1"); err != nil {
		t.Fatal(err)
	}
	admin, _ := s.UserByUsername(ctx, "admin")
	for _, name := range []string{"ADMIN", "Bob", "Admin"} {
		err := s.ExecForTest(ctx, "INSERT INTO users (username, password_hash, role, password_at, created_at, updated_at) VALUES (?, ?, 'agent', '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00')", name, admin.PasswordHash)
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RewindForTest(ctx, 2); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = store.Open(ctx, store.Config{DSN: path})
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	users, _, err := s.ListUsers(ctx, store.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Username)
	}
	if got := strings.Join(names, " "); got != "admin admin-2 bob admin-4" {
		t.Fatalf("usernames after the upgrade: %s, want admin admin-2 bob admin-4", got)
	}
	if u, err := s.Authenticate(ctx, "ADMIN", "Old-Boss-Pass-1", officeIP); err != nil || u.ID != admin.ID {
		t.Fatalf("ADMIN signs in as %v, %v; want the original admin", u, err)
	}
	audit, _, _ := s.ListAudit(ctx, store.AuditFilter{Action: "user.rename"})
	if len(audit) != 2 || !strings.Contains(audit[0].Detail+audit[1].Detail, `"ADMIN"`) {
		t.Fatalf("renames reported in the audit log: %+v", audit)
	}
}
