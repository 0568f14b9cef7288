package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestFinishAttemptSettles walks one call per case through claim, start and
// finish, and checks the contact and attempt rows it leaves.
func TestFinishAttemptSettles(t *testing.T) {
	type want struct {
		status      store.ContactStatus
		retryMin    time.Duration // next attempt at least this long after the finish (pending only)
		retryMax    time.Duration
		phoneStatus store.NumberStatus
		altStatus   store.NumberStatus
		next        string // the number NextPhone gives afterwards ("" = none)
	}
	cases := []struct {
		name  string
		k     int // contact number: even ones have an alt phone
		prep  map[string]any
		calls int // calls before this one (all no_answer)
		fin   store.Finish
		want  want
	}{
		{"busy retries in the busy range", 1, nil, 0, store.Finish{Class: store.ResultBusy},
			want{status: store.ContactPending, retryMin: 300 * time.Second, retryMax: 600 * time.Second, phoneStatus: store.NumberValid, next: phoneN(1)}},
		{"no answer uses the general range", 3, nil, 0, store.Finish{Class: store.ResultNoAnswer},
			want{status: store.ContactPending, retryMin: 600 * time.Second, retryMax: 3900 * time.Second, phoneStatus: store.NumberValid, next: phoneN(3)}},
		{"invalid number moves to the alt phone", 2, nil, 0, store.Finish{Class: store.ResultInvalidNumber},
			want{status: store.ContactPending, retryMin: 600 * time.Second, retryMax: 7200 * time.Second, phoneStatus: store.NumberInvalid, next: fmt.Sprintf("+86105%07d", 2)}},
		{"no valid number left: maintenance", 5, nil, 0, store.Finish{Class: store.ResultInvalidNumber},
			want{status: store.ContactMaintenance, phoneStatus: store.NumberInvalid}},
		{"agent says wrong person", 7, nil, 0, store.Finish{Class: store.ResultHuman, NumberStatus: store.NumberWrong, Retry: true},
			want{status: store.ContactMaintenance, phoneStatus: store.NumberWrong}},
		{"reached: completed", 9, nil, 0, store.Finish{Class: store.ResultHuman},
			want{status: store.ContactCompleted, phoneStatus: store.NumberValid, next: phoneN(9)}},
		{"reached but call again", 11, nil, 0, store.Finish{Class: store.ResultSuccess, Retry: true},
			want{status: store.ContactPending, retryMin: 600 * time.Second, retryMax: 7200 * time.Second, phoneStatus: store.NumberValid, next: phoneN(11)}},
		{"last try on the only number: failed", 13, nil, 2, store.Finish{Class: store.ResultNoAnswer},
			want{status: store.ContactFailed, phoneStatus: store.NumberValid}},
		{"per contact limit: failed", 4, map[string]any{"alt_attempts": 3, "attempts": 5}, 0, store.Finish{Class: store.ResultBusy},
			want{status: store.ContactFailed, phoneStatus: store.NumberValid, next: phoneN(4)}},
		{"machine", 15, nil, 0, store.Finish{Class: store.ResultMachine, AMD: store.AMDMachine},
			want{status: store.ContactPending, retryMin: 3600 * time.Second, retryMax: 3600 * time.Second, phoneStatus: store.NumberValid, next: phoneN(15)}},
		{"network failure says nothing of the number", 17, nil, 0, store.Finish{Class: store.ResultNetworkFailure},
			want{status: store.ContactPending, retryMin: 600 * time.Second, retryMax: 3900 * time.Second, next: phoneN(17)}},
	}
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 20, func(st *store.Strategy, _ *store.Campaign) {
			st.MaxAttempts, st.MaxAttemptsPerContact = 3, 6
			st.RetryIntervals = map[string]store.RetryRange{"busy": {MinS: 300, MaxS: 900}, "machine": {MinS: 3600, MaxS: 3600}}
		})
		id := byPhone(t, d)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				cid := id[c.k]
				if c.prep != nil {
					must(t, s.SetContactForTest(d.ctx, cid, c.prep))
				}
				now := d.now
				for i := 0; i <= c.calls; i++ {
					cl := claimOne(t, d, cid, now)
					uuid := fmt.Sprintf("u-%d-%d", cid, i)
					d.dial(cl, uuid, now)
					f := c.fin
					if i < c.calls {
						f = store.Finish{Class: store.ResultNoAnswer}
					}
					f.Claim, f.CallUUID, f.Now = cl, uuid, now
					d.finish(f)
					if i < c.calls {
						next := d.contact(cid).NextAttemptAt
						now = *next
						d.renewAt(now)
					}
				}
				got := d.contact(cid)
				w := c.want
				if got.Status != w.status || got.PhoneStatus != w.phoneStatus || got.AltStatus != w.altStatus || got.ClaimToken != "" ||
					got.Attempts < c.calls+1 || got.LastResult != string(c.fin.Class) {
					t.Fatalf("contact %+v, want %+v", got, w)
				}
				if w.status == store.ContactPending {
					if got.NextAttemptAt == nil {
						t.Fatal("pending without a next attempt time")
					}
					wait := got.NextAttemptAt.Sub(now)
					if wait < w.retryMin || wait > w.retryMax {
						t.Fatalf("retry in %v, want within [%v, %v]", wait, w.retryMin, w.retryMax)
					}
				}
				if next := d.rules.NextPhone(got); next != w.next {
					t.Fatalf("next phone %q, want %q", next, w.next)
				}
			})
		}
	})
}

// renewAt renews the test runner's lease at now.
func (d *dialer) renewAt(now time.Time) {
	d.t.Helper()
	l, err := d.s.RenewLease(d.ctx, d.lease, time.Minute, now)
	must(d.t, err)
	d.lease = l
}

// claimOne claims a batch, keeps contact id's claim and gives the others back
// (the test dials one contact at a time).
func claimOne(t *testing.T, d *dialer, id int64, now time.Time) *store.Claim {
	t.Helper()
	var found *store.Claim
	for _, cl := range d.claim(store.MaxClaimBatch, now) {
		if cl.Contact.ID == id {
			c := cl
			found = &c
		}
	}
	releaseOthers(t, d, id, now)
	if found == nil {
		t.Fatalf("contact %d is not claimable at %v", id, now)
	}
	return found
}

// releaseOthers gives back every claim but id's (the test dials one at a time).
func releaseOthers(t *testing.T, d *dialer, id int64, now time.Time) {
	t.Helper()
	cs, _, err := d.s.ListContacts(d.ctx, store.ContactFilter{CampaignID: d.camp.ID, Statuses: []store.ContactStatus{store.ContactPending}, Page: store.Page{Size: 500}})
	must(t, err)
	for _, c := range cs {
		if c.ID != id && c.ClaimToken != "" {
			must(t, d.s.SetContactForTest(d.ctx, c.ID, map[string]any{"claim_token": "", "claimed_by": "", "claim_lease": 0, "claimed_until": nil}))
		}
	}
}

func TestFinishAttemptRecordsTheCall(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 2, func(_ *store.Strategy, c *store.Campaign) { c.DialMode = store.DialPredictive })
		now := d.now
		cls := d.claim(2, now)
		agent := newAgent(t, s, "agent-7")
		dl := d.dial(&cls[0], "call-1", now)
		if dl.CallerID != "02161230001" || dl.Ring != 15*time.Second || dl.AttemptID == 0 {
			t.Fatalf("dial %+v", dl)
		}
		answered, connected, hung := now.Add(8*time.Second), now.Add(8*time.Second+420*time.Millisecond), now.Add(95*time.Second)
		d.finish(store.Finish{Claim: &cls[0], CallUUID: "call-1", Class: store.ResultHuman, Cause: "NORMAL_CLEARING", SIPCode: 200,
			AnsweredAt: &answered, ConnectedAt: &connected, HungupAt: &hung, AgentID: agent, AMD: store.AMDHuman,
			Disposition: "promise_to_pay", Now: hung})
		at, err := s.GetAttemptByUUID(d.ctx, "call-1")
		must(t, err)
		if at.Outcome != store.ResultHuman || at.CallerID != "02161230001" || at.AnswerToAgentMS == nil || *at.AnswerToAgentMS != 420 ||
			at.Abandoned || at.AMD != store.AMDHuman || at.AgentID != agent || at.Disposition != "promise_to_pay" ||
			at.AnsweredAt == nil || !at.AnsweredAt.Equal(answered) || at.BridgedAt == nil || at.HungupAt == nil ||
			at.FinishedAt == nil || at.HangupCause != "NORMAL_CLEARING" || at.Destination != cls[0].Contact.Phone || at.Result != "answered" || at.Machine {
			t.Fatalf("attempt %+v", at)
		}
		// Finishing twice, or with a claim that is gone, is refused.
		err = s.FinishAttempt(d.ctx, d.rules, d.lease.Token, store.Finish{Claim: &cls[0], CallUUID: "call-1", Class: store.ResultBusy, Now: hung})
		if !errors.Is(err, store.ErrClaimLost) {
			t.Fatalf("finish twice: %v", err)
		}
		// An abandoned call: flagged, no latency, and the contact rests 72 h
		// in a predictive campaign.
		d.dial(&cls[1], "call-2", now)
		d.finish(store.Finish{Claim: &cls[1], CallUUID: "call-2", Class: store.ResultAbandoned, AnsweredAt: &answered, HungupAt: &hung, Now: hung})
		ab, err := s.GetAttemptByUUID(d.ctx, "call-2")
		must(t, err)
		if !ab.Abandoned || ab.AnswerToAgentMS != nil || ab.Outcome != store.ResultAbandoned || ab.Result != "answered" {
			t.Fatalf("abandoned attempt %+v", ab)
		}
		c := d.contact(cls[1].Contact.ID)
		if c.AbandonedAt == nil || c.Status != store.ContactPending {
			t.Fatalf("abandoned contact %+v", c)
		}
		if why := d.rules.Reason(c, *c.NextAttemptAt); why != store.ReasonAbandoned {
			t.Fatalf("at its retry time the abandoned contact is %q, want %q", why, store.ReasonAbandoned)
		}
		if bad := s.FinishAttempt(d.ctx, d.rules, d.lease.Token, store.Finish{Claim: &cls[1], CallUUID: "call-2", Class: "voicemail", Now: hung}); !errors.Is(bad, store.ErrInvalid) {
			t.Fatalf("unknown class: %v", bad)
		}
	})
}

// TestFinishAttemptDNC: the agent's "do not call" blacklists the number (and
// the ID number when asked) in the same transaction, blocking the contact and
// every other contact with that number or ID.
func TestFinishAttemptDNC(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 3, nil)
		now := d.now
		id := byPhone(t, d)
		must(t, s.SetContactForTest(d.ctx, id[1], map[string]any{"id_number": "110101199003071234"}))
		must(t, s.SetContactForTest(d.ctx, id[3], map[string]any{"id_number": "110101199003071234"}))
		// Another campaign has the same number.
		other := newDialer(t, s, 1, nil)
		cl := claimOne(t, d, id[1], now)
		d.dial(cl, "dnc-call", now)
		d.finish(store.Finish{Claim: cl, CallUUID: "dnc-call", Class: store.ResultHuman, DNC: &store.DNCRequest{IDNumber: true, Reason: "客户要求不再来电"}, Now: now})
		if c := d.contact(id[1]); c.Status != store.ContactBlocked || c.BlockReason != "dnc" {
			t.Fatalf("contact after DNC: %+v", c)
		}
		if c := d.contact(id[3]); c.Status != store.ContactBlocked {
			t.Fatalf("contact with the same ID number: %s", c.Status)
		}
		if c := d.contact(byPhone(t, other)[1]); c.Status != store.ContactBlocked {
			t.Fatalf("other campaign's contact with the number: %s", c.Status)
		}
		entries, total, err := s.ListDNC(d.ctx, store.DNCFilter{})
		must(t, err)
		if total != 2 || entries[0].Source != store.DNCAgent || entries[0].Reason != "客户要求不再来电" {
			t.Fatalf("blacklist %+v", entries)
		}
	})
}

// TestFinishSeesBlacklistAddedDuringCall: an entry added while the call was
// up (blocking skips contacts in a call) still blocks the contact at finish.
func TestFinishSeesBlacklistAddedDuringCall(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 1, nil)
		cls := d.claim(1, d.now)
		d.dial(&cls[0], "c1", d.now)
		_, err := s.AddDNC(d.ctx, &store.DNCEntry{Kind: store.DNCPhone, Value: cls[0].Contact.Phone, Source: store.DNCManual}, store.DNCRefuse)
		must(t, err)
		d.finish(store.Finish{Claim: &cls[0], CallUUID: "c1", Class: store.ResultNoAnswer, Now: d.now})
		if c := d.contact(cls[0].Contact.ID); c.Status != store.ContactBlocked {
			t.Fatalf("status %s, want blocked", c.Status)
		}
	})
}

// TestCheckedStart: a start with Check makes the dial-time check in its own
// transaction and picks the number; a stamp older than the campaign's is
// ErrStaleRules with nothing changed; a contact blacklisted since the claim
// is not dialed.
func TestCheckedStart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 3, nil)
		stamps, err := s.CampaignStamps(d.ctx, d.camp.ID)
		must(t, err)
		stamp := stamps[d.camp.ID]
		cls := d.claim(3, d.now)
		start := func(cl *store.Claim, uuid string, st store.CampaignStamp) (*store.Dial, error) {
			return s.StartAttempt(d.ctx, d.rules, d.lease.Token, store.AttemptStart{Claim: cl, CallUUID: uuid, Now: d.now,
				Check: true, Stamp: &st})
		}
		dl, err := start(&cls[0], "k1", stamp)
		if err != nil || dl.Phone != cls[0].Contact.Phone || dl.AttemptID == 0 {
			t.Fatalf("checked start: %+v %v", dl, err)
		}
		old := stamp
		old.StrategyVersion--
		if _, err := start(&cls[1], "k2", old); !errors.Is(err, store.ErrStaleRules) {
			t.Fatalf("stale stamp: %v, want ErrStaleRules", err)
		}
		if c := d.contact(cls[1].Contact.ID); c.Status != store.ContactPending || c.Attempts != 0 {
			t.Fatalf("stale start changed the contact: %s, %d attempts", c.Status, c.Attempts)
		}
		if _, err := start(&cls[1], "k2", stamp); err != nil {
			t.Fatalf("start with the current stamp: %v", err)
		}
		_, err = s.AddDNC(d.ctx, &store.DNCEntry{Kind: store.DNCPhone, Value: cls[2].Contact.Phone, Source: store.DNCManual}, store.DNCRefuse)
		must(t, err)
		if _, err := start(&cls[2], "k3", stamp); !errors.Is(err, store.ErrNotDialable) {
			t.Fatalf("blacklisted since the claim: %v, want ErrNotDialable", err)
		}
	})
}
