package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestHistoryScriptRunsAndIVR: the customer's history carries the script
// runs of their calls with the answers given, and the IVR flows of their
// attempts with the survey keys, tied to the attempt.
func TestHistoryScriptRunsAndIVR(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, camp := sessionFixture(t, s, "other-call")
		// The fixture's call is contact 1's; the customer here is the second.
		ct := importContacts(t, s, camp.ID, store.Contact{Name: "李四", Phone: "13900139000"}, store.Contact{Name: "张三", Phone: "13800138000"})[1]
		if err := s.SaveAttempt(ctx, &store.Attempt{CallUUID: "hist-call", CampaignID: camp.ID, ContactID: ct.ID, Destination: "+8613800138000", State: "answered"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartScriptSession(ctx, store.ScriptSessionStart{CallUUID: "hist-call", AgentID: 7}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AnswerScript(ctx, "hist-call", 7, "q1", "yes"); err != nil {
			t.Fatal(err)
		}
		for _, uuid := range []string{"hist-call", "other-call"} {
			if _, err := s.RecordIVRCall(ctx, store.IVRCallRecord{IVRCall: store.IVRCall{CallUUID: uuid, Flow: "survey", CampaignID: camp.ID, Outcome: "completed", StartedAt: time.Now()},
				Entries: []store.IVRAnswer{{Var: "satisfaction", Digits: "4"}}}); err != nil {
				t.Fatal(err)
			}
		}
		h, err := s.FindCustomerHistory(ctx, store.HistoryQuery{ContactID: ct.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Attempts) != 1 {
			t.Fatalf("attempts %+v", h.Attempts)
		}
		if len(h.Scripts) != 1 || h.Scripts[0].CallUUID != "hist-call" || len(h.Scripts[0].Answers) != 1 || h.Scripts[0].Answers[0].NodeID != "q1" || h.Scripts[0].Answers[0].Value != "yes" {
			t.Errorf("script runs %+v", h.Scripts)
		}
		if len(h.IVR) != 1 || h.IVR[0].AttemptID != h.Attempts[0].ID || len(h.IVR[0].Answers) != 1 || h.IVR[0].Answers[0].Digits != "4" {
			t.Errorf("IVR of the attempt %+v", h.IVR)
		}
	})
}
