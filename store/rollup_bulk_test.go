package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestBulkLoaderRowsReadBack: rows the bulk loader's multi-row inserts wrote
// read back field for field as gorm writes them, ids included, and its
// rollups equal a rebuild from those rows.
func TestBulkLoaderRowsReadBack(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 3, 2, 9, 30, 15, 123000000, time.UTC) // MariaDB keeps milliseconds
		ans, con, end := at.Add(7*time.Second), at.Add(9*time.Second), at.Add(70*time.Second)
		wait, cb := int64(2000), int64(77)
		full := store.Attempt{CallUUID: "bulk-1", JobUUID: "job-1", Node: "fs1", CampaignID: 3, ContactID: 4, AgentID: 5,
			Destination: "+8613900000001", OtherUUIDs: []string{"leg-a", "leg-b"}, State: "ended", Bridged: true, CreatedAt: at,
			AnsweredAt: &ans, BridgedAt: &con, HungupAt: &end, HangupCause: "NORMAL_CLEARING", SIPCode: 200, BillSec: 63,
			Result: "success", Reason: "r", Delivery: "delivered", DeliveryCode: "0", DeliveredAt: &end, UpdatedAt: end,
			Outcome: store.ResultSuccess, CallerID: "01088880000", AMD: store.AMDHuman, AnswerToAgentMS: &wait,
			Disposition: "promise_to_pay", CallbackID: &cb, FinishedAt: &end, AttemptNo: 2, Connected: true, TalkMS: 61000}
		bare := store.Attempt{CallUUID: "bulk-2", CampaignID: 3, CreatedAt: at, UpdatedAt: at, OtherUUIDs: []string{},
			Outcome: store.ResultBusy, Result: "busy"}
		l := s.NewBulkLoader()
		rows := []store.Attempt{full, bare}
		must(t, l.Attempts(ctx, rows))
		states := []store.AgentStateEvent{{AgentID: 5, State: store.AgentBreak, Reason: "meal", At: at, EndedAt: &end, DurationMS: 70000}}
		must(t, l.States(ctx, states))
		waits := []store.QueueWait{{CallUUID: "in-1", GroupID: 2, EnteredAt: at, LeftAt: &ans, Outcome: store.QueueAnswered, AgentID: 5, WaitMS: 7000}}
		must(t, l.QueueWaits(ctx, waits))
		ivr := []store.IVRCallRecord{{IVRCall: store.IVRCall{CallUUID: "ivr-1", Flow: "survey", CampaignID: 3, Outcome: "completed",
			Answers: 2, StartedAt: at, DurationMS: 30000}, Entries: []store.IVRAnswer{{Var: "q1", Digits: "1"}, {Var: "q2", Digits: "5"}}},
			{IVRCall: store.IVRCall{CallUUID: "ivr-2", Flow: "verify_id", Outcome: "handback", VerifyN: 1, Verified: true, StartedAt: at}}}
		must(t, l.IVRCalls(ctx, ivr))
		must(t, l.Flush(ctx))

		for i, want := range rows {
			got, err := s.GetAttemptByUUID(ctx, want.CallUUID)
			must(t, err)
			if want.ID == 0 || got.ID != want.ID {
				t.Errorf("attempt %d: id %d, loader said %d", i, got.ID, want.ID)
			}
			normAttempt(got)
			normAttempt(&want)
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("attempt %d read back\n got %+v\nwant %+v", i, *got, want)
			}
		}
		gotWaits, err := s.QueueWaits(ctx, at.Truncate(time.Hour), at.Add(time.Hour))
		must(t, err)
		if len(gotWaits) != 1 || gotWaits[0].ID != waits[0].ID || gotWaits[0].WaitMS != 7000 || gotWaits[0].Outcome != store.QueueAnswered ||
			!gotWaits[0].LeftAt.Equal(ans) {
			t.Errorf("queue waits read back %+v, want %+v", gotWaits, waits)
		}
		calls, answers, err := s.IVRCalls(ctx, at.Truncate(time.Hour), at.Add(time.Hour))
		must(t, err)
		if len(calls) != 2 || len(answers) != 2 || answers[0].IVRCallID != calls[0].ID || answers[1].Digits != "5" ||
			calls[1].Flow != "verify_id" || !calls[1].Verified || calls[0].Answers != 2 {
			t.Errorf("ivr read back %+v %+v", calls, answers)
		}
		loaded, err := s.Rollups(ctx)
		must(t, err)
		_, err = s.RebuildRollups(ctx)
		must(t, err)
		rebuilt, err := s.Rollups(ctx)
		must(t, err)
		if len(loaded.StateDays) != 1 || len(loaded.AnswerDays) != 2 || !reflect.DeepEqual(loaded, rebuilt) {
			t.Errorf("bulk-loaded rollups differ from a rebuild:\n%+v\n%+v", loaded, rebuilt)
		}
	})
}

// normAttempt puts an attempt's times in UTC for comparison.
func normAttempt(a *store.Attempt) {
	utc := func(p **time.Time) {
		if *p != nil {
			u := (*p).UTC()
			*p = &u
		}
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	utc(&a.AnsweredAt)
	utc(&a.BridgedAt)
	utc(&a.HungupAt)
	utc(&a.DeliveredAt)
	utc(&a.FinishedAt)
}
