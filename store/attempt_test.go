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

// TestSaveAttemptKeepsWhatTheDialerWrote: the switch's record of a leg,
// arriving after the dialer finished the attempt, does not erase the agent,
// the result or the machine flag it does not know.
func TestSaveAttemptKeepsWhatTheDialerWrote(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 1, nil)
		cls := d.claim(1, d.now)
		d.dial(&cls[0], "late-1", d.now)
		agent := newAgent(t, s, "agent-late")
		d.finish(store.Finish{Claim: &cls[0], CallUUID: "late-1", Class: store.ResultMachine, AMD: store.AMDMachine, AgentID: agent, Now: d.now})
		hung := d.now.Add(time.Minute)
		must(t, s.SaveAttempt(d.ctx, &store.Attempt{CallUUID: "late-1", Node: "fs1", State: "ended", HungupAt: &hung,
			HangupCause: "NORMAL_CLEARING", CreatedAt: d.now}))
		got, err := s.GetAttemptByUUID(d.ctx, "late-1")
		must(t, err)
		if got.AgentID != agent || got.Result != "answered" || !got.Machine || got.CampaignID != d.camp.ID ||
			got.Destination != cls[0].Contact.Phone || got.Outcome != store.ResultMachine || got.Node != "fs1" || got.HungupAt == nil {
			t.Fatalf("after a late switch record: %+v", got)
		}
	})
}
