package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// report sends rep with token the way the API does: resolve, then record.
func report(s *store.Store, token string, rep store.WorkstationReport) (*store.Workstation, store.LockState, error) {
	w, err := s.WorkstationByToken(context.Background(), token)
	if err != nil {
		return nil, store.LockUnknown, err
	}
	prev := w.State
	return w, prev, s.RecordWorkstationReport(context.Background(), w, rep)
}

func TestWorkstationTokenAndReport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := &store.Workstation{Name: " PC-Agent-01 ", Note: "2F east"}
		token, err := s.CreateWorkstation(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(token, "ws_") || w.Name != "pc-agent-01" || w.State != store.LockUnknown {
			t.Fatalf("token %q name %q state %q", token, w.Name, w.State)
		}
		if _, err := s.CreateWorkstation(ctx, &store.Workstation{Name: "pc-AGENT-01"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("same name in other case: %v, want conflict", err)
		}
		rep := store.WorkstationReport{State: store.LockLocked, Platform: "linux", Address: "10.0.0.5", Details: map[string]string{"udev_rule": "present"}}
		got, prev, err := report(s, token, rep)
		if err != nil {
			t.Fatal(err)
		}
		if prev != store.LockUnknown || got.State != store.LockLocked || got.ReportedAt == nil || got.Details["udev_rule"] != "present" {
			t.Fatalf("after report: prev %q, %+v", prev, got)
		}
		if _, _, err := report(s, "ws_wrong", rep); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown token: %v, want not found", err)
		}
		_, fresh, err := s.RotateWorkstationToken(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := report(s, token, rep); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old token after rotation: %v, want not found", err)
		}
		rep.State = store.LockPartial
		if _, prev, err = report(s, fresh, rep); err != nil || prev != store.LockLocked {
			t.Fatalf("new token: prev %q err %v", prev, err)
		}
		if err := s.NoteWorkstationAgent(ctx, w.ID, 7); err != nil {
			t.Fatal(err)
		}
		locked := store.LockPartial
		list, total, err := s.ListWorkstations(ctx, store.WorkstationFilter{State: &locked, Q: "PC-"})
		if err != nil || total != 1 || *list[0].LastAgentID != 7 || list[0].Address != "10.0.0.5" {
			t.Fatalf("list: %d %+v %v", total, list, err)
		}
		if err := s.DeleteWorkstation(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := report(s, fresh, rep); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("token of a deleted workstation: %v", err)
		}
		if err := s.RecordWorkstationReport(ctx, w, rep); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("report for a workstation deleted after its token was checked: %v", err)
		}
	})
}

func TestWorkstationReportValidation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := &store.Workstation{Name: "pc-2"}
		token, err := s.CreateWorkstation(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		many := map[string]string{}
		for i := 0; i < 40; i++ {
			many[strings.Repeat("k", i+1)] = "v"
		}
		bad := []struct {
			field string
			rep   store.WorkstationReport
		}{
			{"state", store.WorkstationReport{State: "open"}},
			{"state", store.WorkstationReport{}},
			{"details", store.WorkstationReport{State: store.LockLocked, Details: many}},
			{"details", store.WorkstationReport{State: store.LockLocked, Details: map[string]string{"k": strings.Repeat("x", 300)}}},
			{"platform", store.WorkstationReport{State: store.LockLocked, Platform: strings.Repeat("p", 20)}},
		}
		for _, b := range bad {
			var ve *store.ValidationError
			_, _, err := report(s, token, b.rep)
			if !errors.As(err, &ve) || ve.Fields[0].Field != b.field {
				t.Errorf("report %+v: %v, want an error on %s", b.rep, err, b.field)
			}
		}
		got, err := s.GetWorkstation(ctx, w.ID)
		if err != nil || got.ReportedAt != nil || got.State != store.LockUnknown {
			t.Fatalf("a refused report changed the row: %+v %v", got, err)
		}
		for _, name := range []string{"", "-pc", "pc 1", "pc/1", strings.Repeat("a", 65)} {
			if _, err := s.CreateWorkstation(ctx, &store.Workstation{Name: name}); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("name %q: %v, want invalid", name, err)
			}
		}
	})
}

func TestWorkstationCheckDesk(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	tests := []struct {
		name string
		w    store.Workstation
		addr string
		want string // "" = allowed, else a part of the reason
	}{
		{"locked, fresh, same address", store.Workstation{State: store.LockLocked, ReportedAt: ago(time.Minute), Address: "10.0.0.5"}, "10.0.0.5", ""},
		{"never reported", store.Workstation{}, "10.0.0.5", "never reported"},
		{"stale report", store.Workstation{State: store.LockLocked, ReportedAt: ago(16 * time.Minute), Address: "10.0.0.5"}, "10.0.0.5", "last reported 16m0s ago"},
		{"unlocked", store.Workstation{State: store.LockUnlocked, ReportedAt: ago(time.Minute), Address: "10.0.0.5"}, "10.0.0.5", "unlocked, not locked"},
		{"partial", store.Workstation{State: store.LockPartial, ReportedAt: ago(time.Minute), Address: "10.0.0.5"}, "10.0.0.5", "partial"},
		{"other address", store.Workstation{State: store.LockLocked, ReportedAt: ago(time.Minute), Address: "10.0.0.5"}, "10.0.0.9", "comes from 10.0.0.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.w.Name = "pc-1"
			err := tt.w.CheckDesk(tt.addr, now, 15*time.Minute)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !errors.Is(err, store.ErrWorkstationRefused) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want a refusal containing %q", err, tt.want)
			}
		})
	}
}

func TestWorkstationLocked(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	storetest.RunWith(t, storetest.Options{Now: clock}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		token, err := s.CreateWorkstation(ctx, &store.Workstation{Name: "pc-3"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.WorkstationLocked(ctx, "", "10.0.0.5", 15*time.Minute); !errors.Is(err, store.ErrWorkstationRefused) {
			t.Fatalf("no name: %v", err)
		}
		if _, err := s.WorkstationLocked(ctx, "pc-9", "10.0.0.5", 15*time.Minute); err == nil || !strings.Contains(err.Error(), "not registered") {
			t.Fatalf("unknown name: %v", err)
		}
		if _, _, err := report(s, token, store.WorkstationReport{State: store.LockLocked, Address: "10.0.0.5"}); err != nil {
			t.Fatal(err)
		}
		if w, err := s.WorkstationLocked(ctx, "PC-3", "10.0.0.5", 15*time.Minute); err != nil || w.Name != "pc-3" {
			t.Fatalf("locked workstation refused: %v", err)
		}
	})
}

func TestScreenLock(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "locker", store.RoleAgent)
		token, sess, err := s.CreateSession(ctx, u.ID, "", "", store.DefaultSessionPolicy)
		if err != nil {
			t.Fatal(err)
		}
		for _, locked := range []bool{true, false} {
			if err := s.SetScreenLock(ctx, sess.ID, locked); err != nil {
				t.Fatal(err)
			}
			got, _, err := s.TouchSession(ctx, token, store.DefaultSessionPolicy)
			if err != nil {
				t.Fatal(err)
			}
			if (got.ScreenLockedAt != nil) != locked {
				t.Fatalf("after SetScreenLock(%v): locked at %v", locked, got.ScreenLockedAt)
			}
		}
	})
}
