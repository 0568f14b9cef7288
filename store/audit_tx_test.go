package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestSecurityHole9ActionAndAuditCommitTogether: an audited change writes its
// entry in its own transaction; when the entry cannot be written, the change
// is rolled back.
func TestSecurityHole9ActionAndAuditCommitTogether(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := &store.AuditEntry{Action: "group.create", Username: "admin", Status: 201, Result: "ok"}
		g := &store.Group{Name: "审计组", Kind: store.GroupAgent}
		actx := store.WithAudit(ctx, e)
		if err := s.CreateGroup(actx, g); err != nil {
			t.Fatal(err)
		}
		if !store.AuditWritten(actx) || e.TargetID == "" || e.TargetType != "group" {
			t.Fatalf("entry not written with the change: written=%v %+v", store.AuditWritten(actx), e)
		}
		rows, _, _ := s.ListAudit(ctx, store.AuditFilter{Action: "group.create"})
		if len(rows) != 1 {
			t.Fatalf("%d audit rows, want 1", len(rows))
		}

		if err := s.ExecForTest(ctx, "ALTER TABLE audit_entries RENAME TO audit_entries_gone"); err != nil {
			t.Fatal(err)
		}
		lost := &store.Group{Name: "无审计组", Kind: store.GroupAgent}
		err := s.CreateGroup(store.WithAudit(ctx, &store.AuditEntry{Action: "group.create"}), lost)
		if err == nil {
			t.Fatal("a change whose audit entry cannot be written succeeded")
		}
		if err := s.ExecForTest(ctx, "ALTER TABLE audit_entries_gone RENAME TO audit_entries"); err != nil {
			t.Fatal(err)
		}
		groups, _, _ := s.ListGroups(ctx, "", store.Page{})
		for _, g := range groups {
			if g.Name == "无审计组" {
				t.Fatal("the change was kept without its audit entry")
			}
		}
	})
}

// TestSecurityHole9OversizedAuditFieldsAreCut: a 500 KB username, path and
// user agent are stored shortened (as valid UTF-8), on MariaDB too, where
// they would otherwise fail the insert.
func TestSecurityHole9OversizedAuditFieldsAreCut(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		big := strings.Repeat("用", 500<<10/3)
		e := &store.AuditEntry{Action: "auth.login", Username: big, TargetID: big, IP: big, RequestID: big, Detail: big}
		if err := s.Audit(ctx, e); err != nil {
			t.Fatalf("oversized entry: %v", err)
		}
		rows, _, err := s.ListAudit(ctx, store.AuditFilter{})
		if err != nil || len(rows) != 1 {
			t.Fatalf("%v %v", rows, err)
		}
		r := rows[0]
		if len(r.Username) > 64 || len(r.Detail) > 4000 || !strings.HasPrefix(big, r.Username) || !strings.HasPrefix(big, r.Detail) {
			t.Fatalf("stored username %d bytes, detail %d bytes", len(r.Username), len(r.Detail))
		}
		u, _ := s.Authenticate(ctx, big, "x", big)
		if u != nil {
			t.Fatal("a 500 KB username found a user")
		}
		if _, err := s.Authenticate(ctx, "nobody", "x", big); !errors.Is(err, store.ErrBadCredentials) {
			t.Fatalf("oversized source: %v", err)
		}
	})
}
