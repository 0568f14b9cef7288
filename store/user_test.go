package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func newUser(t *testing.T, s *store.Store, name string, role store.Role) *store.User {
	t.Helper()
	u := &store.User{Username: name, Role: role, DisplayName: name}
	if err := u.SetPassword("Good-Pass-2026", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(context.Background(), u, nil); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return u
}

func TestUsersAndGroups(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		g := &store.Group{Name: "催收一组", Kind: store.GroupAgent}
		if err := s.CreateGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
		ext := "1001"
		u := &store.User{Username: "agent1", Role: store.RoleAgent, Extension: &ext, Level: 2}
		if err := u.SetPassword("Good-Pass-2026", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, u, []int64{g.ID}); err != nil {
			t.Fatal(err)
		}
		dup := &store.User{Username: "agent1", Role: store.RoleAgent, PasswordHash: "x"}
		if err := s.CreateUser(ctx, dup, nil); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate username: got %v, want ErrConflict", err)
		}
		bad := &store.User{Username: "agent2", Role: store.RoleAgent, PasswordHash: "x"}
		if err := s.CreateUser(ctx, bad, []int64{g.ID + 99}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("unknown group: got %v, want ErrInvalid", err)
		}
		if _, err := s.UserByUsername(ctx, "agent2"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("failed create left a row behind: %v", err)
		}
		got, err := s.UserByExtension(ctx, "1001")
		if err != nil || got.ID != u.ID || len(got.Groups) != 1 || got.Groups[0].Name != "催收一组" {
			t.Fatalf("UserByExtension = %+v, %v", got, err)
		}
		list, total, err := s.ListUsers(ctx, store.UserFilter{GroupID: g.ID})
		if err != nil || total != 1 || list[0].Username != "agent1" {
			t.Fatalf("ListUsers by group = %v %d %v", list, total, err)
		}
		if err := s.DeleteUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		if err := s.DeleteGroup(ctx, g.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSessionsExpireAndRevoke(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	storetest.RunWith(t, storetest.Options{Now: clock}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "qa1", store.RoleQA)
		p := store.SessionPolicy{Idle: 30 * time.Minute, Absolute: 2 * time.Hour}
		tok, _, err := s.CreateSession(ctx, u.ID, "127.0.0.1", "test", p)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ { // used every 20 minutes: idle never hit
			now = now.Add(20 * time.Minute)
			if _, _, err := s.TouchSession(ctx, tok, p); err != nil {
				t.Fatalf("touch %d: %v", i, err)
			}
		}
		now = now.Add(21 * time.Minute) // past 2h: absolute expiry
		if _, _, err := s.TouchSession(ctx, tok, p); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("absolute expiry: %v", err)
		}
		tok2, sess, _ := s.CreateSession(ctx, u.ID, "", "", p)
		now = now.Add(31 * time.Minute)
		if _, _, err := s.TouchSession(ctx, tok2, p); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("idle expiry: %v", err)
		}
		tok3, sess, _ := s.CreateSession(ctx, u.ID, "", "", p)
		if err := s.RevokeSession(ctx, sess.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.TouchSession(ctx, tok3, p); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoked: %v", err)
		}
	})
}

func TestAuditFilter(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		base := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		rows := []store.AuditEntry{
			{At: base, Username: "admin", UserID: 1, Action: "user.create", TargetType: "user", TargetID: "2", Result: "ok"},
			{At: base.Add(time.Hour), Username: "sup", UserID: 2, Action: "export.create", Result: "denied"},
			{At: base.Add(2 * time.Hour), Username: "admin", UserID: 1, Action: "user.delete", TargetType: "user", TargetID: "2", Result: "ok"},
		}
		for i := range rows {
			if err := s.Audit(ctx, &rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			f    store.AuditFilter
			want []string
		}{
			{store.AuditFilter{Username: "admin"}, []string{"user.delete", "user.create"}},
			{store.AuditFilter{Action: "user."}, []string{"user.delete", "user.create"}},
			{store.AuditFilter{From: base.Add(30 * time.Minute), To: base.Add(90 * time.Minute)}, []string{"export.create"}},
			{store.AuditFilter{TargetType: "user", TargetID: "2", Page: store.Page{Size: 1}}, []string{"user.delete"}},
		}
		for _, c := range cases {
			got, _, err := s.ListAudit(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range got {
				names = append(names, e.Action)
			}
			if len(names) != len(c.want) || (len(names) > 0 && names[0] != c.want[0]) {
				t.Errorf("filter %+v = %v, want %v", c.f, names, c.want)
			}
		}
	})
}
