package store_test

import (
	"context"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestResultAnalysis checks the funnel, outcomes and dispositions against
// the raw attempts, the number statuses and contacts left against the
// contacts, and the handling actions.
func TestResultAnalysis(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := genTraffic(t, s, 30)
		id := tr.d.camp.ID
		res, err := s.CampaignResultAnalysis(ctx, id)
		must(t, err)
		atts, err := s.Attempts(ctx, store.AttemptFilter{CampaignID: id})
		must(t, err)
		funnel := map[int]*store.FunnelStep{}
		outcomes, disp := map[string]int64{}, map[string]int64{}
		for _, a := range atts {
			f := funnel[a.AttemptNo]
			if f == nil {
				f = &store.FunnelStep{AttemptNo: a.AttemptNo}
				funnel[a.AttemptNo] = f
			}
			f.Dials++
			if a.Outcome.Reached() {
				f.Reached++
			}
			if a.Outcome == store.ResultSuccess {
				f.Success++
			}
			if a.Outcome.Answered() || a.Connected {
				f.Answered++
			}
			if a.Outcome == store.ResultHuman || a.Outcome == store.ResultSuccess || a.Outcome == store.ResultAbandoned || a.Outcome == store.ResultAnswered && a.AMD == store.AMDHuman {
				f.Human++
			}
			outcomes[string(a.Outcome)]++
			if a.Disposition != "" {
				disp[a.Disposition]++
			}
		}
		if len(res.Funnel) != 2 || len(funnel) != 2 {
			t.Fatalf("funnel %+v, want attempts 1 and 2", res.Funnel)
		}
		for _, f := range res.Funnel {
			if *funnel[f.AttemptNo] != f {
				t.Errorf("funnel step %+v, want %+v", f, *funnel[f.AttemptNo])
			}
		}
		for _, c := range res.Outcomes {
			if outcomes[c.Value] != c.N {
				t.Errorf("outcome %s: %d, want %d", c.Value, c.N, outcomes[c.Value])
			}
		}
		for _, c := range res.Dispositions {
			if disp[c.Value] != c.N {
				t.Errorf("disposition %s: %d, want %d", c.Value, c.N, disp[c.Value])
			}
		}
		if len(res.Dispositions) != 4 || len(res.Outcomes) != len(outcomes) {
			t.Errorf("dispositions %+v outcomes %+v", res.Dispositions, res.Outcomes)
		}
		cs, _, err := s.ListContacts(ctx, store.ContactFilter{CampaignID: id, Page: store.Page{Size: 500}})
		must(t, err)
		invalid, failed, left := map[string]bool{}, int64(0), int64(0)
		numbers := map[string]int64{}
		for _, c := range cs {
			for _, n := range []struct {
				phone  string
				status store.NumberStatus
			}{{c.Phone, c.PhoneStatus}, {c.AltPhone, c.AltStatus}} {
				if n.phone == "" {
					continue
				}
				v := string(n.status)
				if v == "" {
					v = "unknown"
				}
				numbers[v]++
				if n.status == store.NumberInvalid {
					invalid[n.phone] = true
				}
			}
			if c.Status == store.ContactFailed {
				failed++
			}
			if c.Status != store.ContactCompleted {
				left++
			}
		}
		for _, c := range res.NumberStatuses {
			if numbers[c.Value] != c.N {
				t.Errorf("number status %s: %d, want %d", c.Value, c.N, numbers[c.Value])
			}
		}
		var gotLeft int64
		for _, l := range res.Left {
			gotLeft += l.N
		}
		if gotLeft != left || len(invalid) == 0 {
			t.Errorf("left %d, want %d (invalid numbers %d)", gotLeft, left, len(invalid))
		}
		done, err := s.ApplyResultAction(ctx, id, store.ResultActionRequest{Action: store.ActionRecycle, Statuses: []store.ContactStatus{store.ContactFailed}})
		must(t, err)
		if done.Contacts != failed {
			t.Errorf("recycled %d, want the %d failed", done.Contacts, failed)
		}
		done, err = s.ApplyResultAction(ctx, id, store.ResultActionRequest{Action: store.ActionBlacklistInvalid})
		must(t, err)
		if done.Listed != int64(len(invalid)) {
			t.Errorf("blacklisted %d, want %d invalid numbers", done.Listed, len(invalid))
		}
		if _, err := s.ApplyResultAction(ctx, id, store.ResultActionRequest{Action: store.ActionRecycle, Statuses: []store.ContactStatus{store.ContactBlocked}}); err == nil {
			t.Error("recycling blocked contacts was accepted")
		}
	})
}
