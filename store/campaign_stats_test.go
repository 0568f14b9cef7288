package store_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestCampaignStats dials ten calls at three ages and checks every figure,
// the rolling windows and the latency percentiles exactly.
func TestCampaignStats(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 10, func(st *store.Strategy, c *store.Campaign) {
			c.DialMode = store.DialPredictive
			st.RetryIntervals = map[string]store.RetryRange{"abandoned": {MinS: 600, MaxS: 600}}
		})
		now := d.now
		ago2d, ago40d := now.Add(-48*time.Hour), now.Add(-40*24*time.Hour)
		ms := func(at time.Time, n int) *time.Time { return ptrTime(at.Add(time.Duration(n) * time.Millisecond)) }
		calls := []struct {
			class     store.ResultClass
			at        time.Time
			latencyMS int // -1: not connected
		}{
			{store.ResultHuman, now, 420}, {store.ResultHuman, now, 1100}, {store.ResultSuccess, now, 1900},
			{store.ResultAbandoned, now, -1}, {store.ResultBusy, now, -1}, {store.ResultNoAnswer, now, -1},
			{store.ResultInvalidNumber, now, -1},
			{store.ResultMachine, ago2d, -1}, {store.ResultAbandoned, ago2d, -1}, {store.ResultHuman, ago40d, -1},
		}
		cls := d.claim(10, now)
		for i, c := range calls {
			cl := &cls[i]
			if c.class == store.ResultInvalidNumber && cl.Contact.AltPhone != "" {
				t.Fatalf("the invalid-number call needs a contact with one number (claim %d)", i)
			}
			uuid := fmt.Sprintf("s-%d", i)
			d.dial(cl, uuid, c.at)
			f := store.Finish{Claim: cl, CallUUID: uuid, Class: c.class, Now: c.at.Add(time.Minute)}
			if c.class.Answered() {
				f.AnsweredAt = ms(c.at, 8000)
			}
			if c.latencyMS >= 0 {
				f.ConnectedAt = ms(c.at, 8000+c.latencyMS)
			}
			d.finish(f)
		}
		st, err := s.CampaignStats(d.ctx, d.camp, now.Add(2*time.Minute))
		must(t, err)
		want := map[string]int64{"attempts": st.Attempts, "answered": st.Answered, "answered_human": st.AnsweredHuman,
			"abandoned": st.Abandoned, "connected": st.Connected, "machine": st.Machine, "busy": st.Busy, "no_answer": st.NoAnswer,
			"invalid_numbers": st.InvalidNumbers, "answered_human_24h": st.AnsweredHuman24h, "abandoned_24h": st.Abandoned24h,
			"answered_human_30d": st.AnsweredHuman30d, "abandoned_30d": st.Abandoned30d, "completed": st.Contacts[store.ContactCompleted],
			"pending": st.Contacts[store.ContactPending], "maintenance": st.Contacts[store.ContactMaintenance], "total": st.ContactsTotal,
			"p50": st.AnswerToAgentMS.P50, "p99": st.AnswerToAgentMS.P99, "latency_n": st.AnswerToAgentMS.N, "callbacks_due": st.CallbacksDue}
		exp := map[string]int64{"attempts": 10, "answered": 7, "answered_human": 6, "abandoned": 2, "connected": 3, "machine": 1,
			"busy": 1, "no_answer": 1, "invalid_numbers": 1, "answered_human_24h": 4, "abandoned_24h": 1, "answered_human_30d": 5,
			"abandoned_30d": 2, "completed": 4, "pending": 5, "maintenance": 1, "total": 10, "p50": 1150, "p99": 1950, "latency_n": 3,
			"callbacks_due": 0}
		for k, v := range exp {
			if want[k] != v {
				t.Errorf("%s = %d, want %d", k, want[k], v)
			}
		}
		rates := []struct {
			name      string
			got, want float64
		}{{"24h", st.AbandonRate24h, 0.25}, {"30d", st.AbandonRate30d, 0.4}, {"campaign", st.AbandonRateCampaign, 2.0 / 6}, {"dial rate", st.DialRatePerMin, 7.0 / 5}}
		for _, r := range rates {
			if math.Abs(r.got-r.want) > 1e-9 {
				t.Errorf("%s = %v, want %v", r.name, r.got, r.want)
			}
		}
		// The live feed's figures of several campaigns at once agree.
		idle := newDialer(t, s, 1, nil)
		figs, err := s.CampaignLiveFigures(d.ctx, []int64{d.camp.ID, idle.camp.ID}, now.Add(2*time.Minute), 5*time.Minute)
		must(t, err)
		if f := figs[d.camp.ID]; f != (store.LiveFigures{Dials: 7, Human24h: 4, Abandoned24h: 1, MaxAbandonRate: 0.03}) {
			t.Errorf("live figures %+v", f)
		}
		if f, ok := figs[idle.camp.ID]; !ok || f != (store.LiveFigures{MaxAbandonRate: 0.03}) {
			t.Errorf("live figures of a campaign without calls %+v %v", f, ok)
		}
		today := 0
		for _, n := range st.CallerIDsToday {
			today += n
		}
		if today != 7 {
			t.Errorf("caller IDs today %v, want 7 calls", st.CallerIDsToday)
		}
		// The evidence: every answered call, in dial order, filtered by time.
		var all []string
		must(t, s.EachAnsweredAttempt(d.ctx, d.camp.ID, time.Time{}, time.Time{}, func(a *store.Attempt) error {
			all = append(all, a.CallUUID)
			return nil
		}))
		if strings.Join(all, ",") != "s-9,s-7,s-8,s-0,s-1,s-2,s-3" {
			t.Errorf("answered calls %v", all)
		}
		var recent int
		must(t, s.EachAnsweredAttempt(d.ctx, d.camp.ID, now.Add(-time.Hour), now.Add(time.Hour), func(a *store.Attempt) error {
			recent++
			return nil
		}))
		if recent != 4 {
			t.Errorf("answered in the last hour: %d, want 4", recent)
		}
	})
}
