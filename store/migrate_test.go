package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestUpgradeFromVersion1 opens a database as version 1 left it (no holiday
// seed, one migration recorded) and checks that opening it again upgrades it
// and keeps its data.
func TestUpgradeFromVersion1(t *testing.T) {
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
	if err := s.RewindForTest(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.SchemaVersion(ctx); v != 1 {
		t.Fatalf("rewound to %d", v)
	}
	hs, _, _ := s.ListHolidays(ctx, store.HolidayFilter{Year: 2026})
	if len(hs) != 0 {
		t.Fatalf("version 1 has %d holidays", len(hs))
	}
	s.Close()

	s, err = store.Open(ctx, store.Config{DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.SchemaVersion(ctx); v < 2 {
		t.Fatalf("not upgraded: version %d", v)
	}
	hs, _, _ = s.ListHolidays(ctx, store.HolidayFilter{Year: 2026})
	if len(hs) == 0 {
		t.Fatal("the upgrade did not seed the holidays")
	}
	if _, err := s.Authenticate(ctx, "admin", "Old-Boss-Pass-1", "127.0.0.1"); err != nil {
		t.Fatalf("data lost in the upgrade: %v", err)
	}
}

// Migration 12 drops the index on agent_state_events.session_id alone that
// earlier versions created; the (session_id, state) index serves its
// queries. On a database without it, it changes nothing.
func TestSessionOnlyIndexDropped(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.ExecForTest(ctx, "CREATE INDEX idx_agent_state_events_session_id ON agent_state_events (session_id)"); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second time without the old index
			if err := s.RewindForTest(ctx, 11); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if s.StateIndexForTest(ctx, "idx_agent_state_events_session_id") || !s.StateIndexForTest(ctx, "idx_agent_state_breaks") {
				t.Fatal("want idx_agent_state_breaks only")
			}
		}
	})
}
