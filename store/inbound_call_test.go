package store_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestFindGroupByIDOrName(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		g := &store.Group{Name: "催收一组", Kind: store.GroupAgent}
		if err := s.CreateGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			ref     string
			found   bool
			wantErr error
		}{
			{strconv.FormatInt(g.ID, 10), true, nil},
			{"催收一组", true, nil},
			{" 催收一组 ", true, nil},
			{"nobody", false, store.ErrNotFound},
			{"999999", false, store.ErrNotFound},
		} {
			got, err := s.FindGroup(ctx, c.ref)
			if c.found && (err != nil || got.ID != g.ID) || !c.found && !errors.Is(err, c.wantErr) {
				t.Errorf("FindGroup(%q) = %+v, %v", c.ref, got, err)
			}
		}
	})
}

func TestCloseInboundCallOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		if err := s.SaveAttempt(ctx, &store.Attempt{CallUUID: "in-1", Destination: "13912345678", State: "answered", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, false} {
			ok, err := s.CloseInboundCall(ctx, "in-1", 7, "answered_question", now.Add(time.Minute))
			if err != nil || ok != want {
				t.Fatalf("close %d: %v %v, want %v", i, ok, err, want)
			}
		}
		a, err := s.GetAttemptByUUID(ctx, "in-1")
		if err != nil {
			t.Fatal(err)
		}
		if a.AgentID != 7 || a.Disposition != "answered_question" || a.Outcome != store.ResultHuman || a.FinishedAt == nil {
			t.Fatalf("attempt %+v", a)
		}
	})
}
