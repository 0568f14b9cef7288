package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestSaveAttemptUpserts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		created := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		a := &store.Attempt{CallUUID: "u-1", Node: "fs1", CampaignID: 3, Destination: "+8613800138000", State: "dialing", CreatedAt: created}
		if err := s.SaveAttempt(ctx, a); err != nil {
			t.Fatal(err)
		}
		answered, hung := created.Add(5*time.Second), created.Add(65*time.Second)
		b := &store.Attempt{CallUUID: "u-1", Node: "fs1", CampaignID: 3, Destination: "+8613800138000", State: "ended",
			CreatedAt: created, AnsweredAt: &answered, HungupAt: &hung, HangupCause: "NORMAL_CLEARING", BillSec: 60, Result: "answered"}
		if err := s.SaveAttempt(ctx, b); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetAttemptByUUID(ctx, "u-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.State != "ended" || got.BillSec != 60 || got.Result != "answered" || got.AnsweredAt == nil || !got.CreatedAt.Equal(created) {
			t.Fatalf("attempt = %+v", got)
		}
	})
}
