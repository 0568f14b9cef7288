package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// A manual dial nobody answered is closed once with its class; a late
// second close (or a switch record) changes nothing.
func TestFinishUnansweredCallOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		if err := s.SaveAttempt(ctx, &store.Attempt{CallUUID: "m-1", Destination: "13800138000", CallerID: "02161234567", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishUnansweredCall(ctx, "m-1", "napping", now); err == nil {
			t.Fatal("an unknown class was accepted")
		}
		if err := s.FinishUnansweredCall(ctx, "m-1", store.ResultNoAnswer, now); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishUnansweredCall(ctx, "m-1", store.ResultBusy, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAttempt(ctx, &store.Attempt{CallUUID: "m-1", State: "ended", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		a, err := s.GetAttemptByUUID(ctx, "m-1")
		if err != nil {
			t.Fatal(err)
		}
		if a.Outcome != store.ResultNoAnswer || a.FinishedAt == nil || !a.FinishedAt.Equal(now) || a.CallerID != "02161234567" {
			t.Fatalf("attempt %+v", a)
		}
	})
}
