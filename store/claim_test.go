package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// byPhone maps contact number k (see newDialer) to its id.
func byPhone(t *testing.T, d *dialer) map[int]int64 {
	t.Helper()
	cs, _, err := d.s.ListContacts(d.ctx, store.ContactFilter{CampaignID: d.camp.ID, Page: store.Page{Size: 500}})
	must(t, err)
	out := map[int]int64{}
	for _, c := range cs {
		var k int
		fmt.Sscanf(c.Phone, "+86139%08d", &k)
		out[k] = c.ID
	}
	return out
}

// closedWindowNow returns a window (all day kinds) for customerType that is
// closed at now in Asia/Shanghai.
func closedWindowNow(now time.Time, customerType string) []store.CalendarWindow {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	h := (now.In(loc).Hour() + 3) % 23
	w := func(kind store.DayKind) store.CalendarWindow {
		return store.CalendarWindow{DayKind: kind, CustomerType: customerType, Start: fmt.Sprintf("%02d:00", h), End: fmt.Sprintf("%02d:00", h+1)}
	}
	return []store.CalendarWindow{w("workday"), w("weekend"), w("holiday")}
}

func TestClaimBatchEligibilityAndOrder(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 17, nil)
		now := d.now
		d.cal.Windows = append(d.cal.Windows, closedWindowNow(now, "VIP")...)
		must(t, s.UpdateCalendar(d.ctx, d.cal))
		d.reload()
		id := byPhone(t, d)
		set := func(k int, cols map[string]any) { must(t, s.SetContactForTest(d.ctx, id[k], cols)) }
		set(3, map[string]any{"next_attempt_at": now.Add(-time.Hour)})
		set(4, map[string]any{"next_attempt_at": now.Add(-2 * time.Hour)})
		set(5, map[string]any{"next_attempt_at": now.Add(time.Hour)})
		set(6, map[string]any{"dnd_until": now.Add(time.Hour)})
		set(7, map[string]any{"claim_token": "other", "claimed_by": "runner-a", "claim_lease": d.lease.Token, "claimed_until": now.Add(time.Minute)})
		set(8, map[string]any{"claim_token": "old", "claimed_by": "runner-z", "claim_lease": d.lease.Token - 1, "claimed_until": now.Add(time.Minute)})
		set(9, map[string]any{"status": store.ContactBlocked})
		set(10, map[string]any{"attempts": 6})
		set(11, map[string]any{"phone_status": store.NumberInvalid})
		set(14, map[string]any{"customer_type": "VIP"})
		set(16, map[string]any{"phone_attempts": 3, "attempts": 3})
		set(17, map[string]any{"phone_attempts": 3, "attempts": 3})
		agent := newAgent(t, s, "cb-agent")
		due := &store.Callback{ContactID: id[12], Phone: phoneN(12), DueAt: now.Add(time.Hour), AgentID: agent}
		must(t, s.CreateCallback(d.ctx, due))
		must(t, s.ExecForTest(d.ctx, "UPDATE callbacks SET due_at = ? WHERE id = ?", now.Add(-time.Minute), due.ID))
		set(12, map[string]any{"callback_at": now.Add(-time.Minute)})
		must(t, s.CreateCallback(d.ctx, &store.Callback{ContactID: id[13], Phone: phoneN(13), DueAt: now.Add(time.Hour), AgentID: agent}))

		got := d.claim(50, now)
		want := []int64{id[12], id[1], id[2], id[8], id[15], id[16], id[4], id[3]}
		if !slices.Equal(ids(got), want) {
			t.Fatalf("claimed %v, want %v", ids(got), want)
		}
		for _, cl := range got {
			if cl.Token == "" || cl.Contact.ClaimedBy != "runner-a" || cl.Contact.ClaimedUntil == nil {
				t.Errorf("contact %d: claim not visible: %+v", cl.Contact.ID, cl.Contact)
			}
			if (cl.Contact.ID == id[12]) != (cl.Callback != nil) {
				t.Errorf("contact %d: callback %+v", cl.Contact.ID, cl.Callback)
			}
			// The claim query and the dial-time check agree.
			if _, why, err := s.CheckClaim(d.ctx, d.rules, &cl, now); err != nil || why != "" {
				t.Errorf("contact %d claimed but CheckClaim says %q %v", cl.Contact.ID, why, err)
			}
		}
		if cl := got[0]; cl.Callback.ID != due.ID || d.rules.PhoneFor(&cl) != phoneN(12) {
			t.Errorf("callback claim %+v", cl.Callback)
		}
		if more := d.claim(50, now); len(more) != 0 {
			t.Fatalf("a second batch claimed %v", ids(more))
		}
		// The ones left out are not dialable now, each for its reason.
		reasons := map[int]store.NotDialable{5: store.ReasonRetryNotDue, 6: store.ReasonDND, 9: store.ReasonBlacklisted,
			10: store.ReasonAttemptsUsed, 11: store.ReasonNoNumber, 13: store.ReasonCallback, 14: store.ReasonOutsideHours,
			17: store.ReasonAttemptsUsed}
		for k, want := range reasons {
			if why := d.rules.Reason(d.contact(id[k]), now); why != want {
				t.Errorf("contact %d: reason %q, want %q", k, why, want)
			}
		}
	})
}

func TestClaimBatchAbandonedAndNotRunning(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 2, func(_ *store.Strategy, c *store.Campaign) { c.DialMode = store.DialPredictive })
		now := d.now
		id := byPhone(t, d)
		must(t, s.SetContactForTest(d.ctx, id[1], map[string]any{"abandoned_at": now.Add(-time.Hour)}))
		if got := d.claim(10, now); !slices.Equal(ids(got), []int64{id[2]}) {
			t.Fatalf("predictive claimed %v: an abandoned contact is left alone for 72 h", ids(got))
		}
		var err error
		d.lease, err = s.RenewLease(d.ctx, d.lease, time.Minute, now.Add(72*time.Hour))
		must(t, err)
		if got := d.claim(10, now.Add(72*time.Hour)); !slices.Equal(ids(got), []int64{id[1]}) {
			t.Fatalf("after 72 h claimed %v", ids(got))
		}
		_, err = s.PauseCampaign(d.ctx, d.camp.ID)
		must(t, err)
		if _, err := s.ClaimBatch(d.ctx, d.camp.ID, d.lease.Token, 10, now); !errors.Is(err, store.ErrNotRunning) {
			t.Fatalf("claim in a paused campaign: %v", err)
		}
	})
}

// TestClaimBatchConcurrent: workers of one runner claim at once; every
// contact goes to exactly one of them.
func TestClaimBatchConcurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 300, nil)
		var mu sync.Mutex
		owner := map[int64]int{}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					cls, err := s.ClaimBatch(context.Background(), d.camp.ID, d.lease.Token, 7, d.now)
					if err != nil {
						errs <- err
						return
					}
					if len(cls) == 0 {
						return
					}
					mu.Lock()
					for _, c := range cls {
						if prev, dup := owner[c.Contact.ID]; dup {
							mu.Unlock()
							errs <- fmt.Errorf("contact %d claimed by worker %d and %d", c.Contact.ID, prev, w)
							return
						}
						owner[c.Contact.ID] = w
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(owner) != 300 {
			t.Fatalf("%d contacts claimed, want 300", len(owner))
		}
	})
}

// TestTwoRunnersNeverDialTwice: two runners (different lease holders and
// tokens) work one campaign at once; the second takes the lease over while
// the first is dialing. No contact is ever dialed by both, none more often
// than its limit, and after the reaper none is stuck.
func TestTwoRunnersNeverDialTwice(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		const n = 120
		d := newDialer(t, s, n, func(st *store.Strategy, _ *store.Campaign) {
			st.MaxAttempts, st.MaxAttemptsPerContact, st.PhoneOrder = 1, 1, []string{"phone"}
		})
		ctx := d.ctx
		takeover := d.now.Add(2 * time.Minute) // runner-a's lease has expired by then
		var dialed sync.Map                    // contact id -> runner
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		aStarted := make(chan struct{})
		run := func(name string, l store.Lease, now time.Time) {
			defer wg.Done()
			for i := 0; ; i++ {
				cls, err := s.ClaimBatch(ctx, d.camp.ID, l.Token, 3, now)
				if errors.Is(err, store.ErrLeaseLost) {
					return
				}
				if err != nil {
					errs <- fmt.Errorf("%s claim: %w", name, err)
					return
				}
				if len(cls) == 0 {
					return
				}
				for _, cl := range cls {
					uuid := fmt.Sprintf("%s-%d-%d", name, i, cl.Contact.ID)
					_, err := s.StartAttempt(ctx, d.rules, l.Token, store.AttemptStart{Claim: &cl, CallUUID: uuid, Phone: cl.Contact.Phone, Now: now})
					if errors.Is(err, store.ErrLeaseLost) {
						return
					}
					if err != nil {
						errs <- fmt.Errorf("%s start: %w", name, err)
						return
					}
					if prev, dup := dialed.LoadOrStore(cl.Contact.ID, name); dup {
						errs <- fmt.Errorf("contact %d dialed by %s and %s", cl.Contact.ID, prev, name)
					}
					if name == "a" && i == 2 {
						select {
						case <-aStarted:
						default:
							close(aStarted)
						}
					}
					err = s.FinishAttempt(ctx, d.rules, l.Token, store.Finish{Claim: &cl, CallUUID: uuid, Class: store.ResultNoAnswer, Now: now})
					if errors.Is(err, store.ErrLeaseLost) {
						return
					}
					if err != nil {
						errs <- fmt.Errorf("%s finish: %w", name, err)
						return
					}
				}
			}
		}
		wg.Add(1)
		go run("a", d.lease, d.now)
		<-aStarted
		b, err := s.AcquireLease(ctx, d.camp.ID, "runner-b", time.Minute, takeover)
		must(t, err)
		wg.Add(1)
		go run("b", b, takeover)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// Contacts runner-a left in a call are freed by the reaper once their
		// claim is over, settled as lost (their attempt counted: limit reached).
		_, err = s.ReleaseExpiredClaims(ctx, takeover.Add(time.Hour))
		must(t, err)
		cs, _, err := s.ListContacts(ctx, store.ContactFilter{CampaignID: d.camp.ID, Page: store.Page{Size: 500}})
		must(t, err)
		var attempts int64
		must(t, s.RawForTest(ctx, &attempts, "SELECT COUNT(*) FROM attempts WHERE campaign_id = ?", d.camp.ID))
		if attempts != n {
			t.Fatalf("%d attempts for %d contacts with one try each", attempts, n)
		}
		for _, c := range cs {
			if c.Attempts != 1 || c.Status != store.ContactFailed || c.ClaimToken != "" {
				t.Errorf("contact %d: status %s attempts %d claim %q, want failed after exactly one try", c.ID, c.Status, c.Attempts, c.ClaimToken)
			}
		}
	})
}

func TestReleaseClaimAndReaper(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 4, nil)
		now := d.now
		cls := d.claim(4, now)
		// Released for reasons the claim query could not see.
		must(t, s.ReleaseClaim(d.ctx, d.rules, d.lease.Token, &cls[0], store.ReasonBlacklisted, now))
		must(t, s.ReleaseClaim(d.ctx, d.rules, d.lease.Token, &cls[1], "", now))
		if c := d.contact(cls[0].Contact.ID); c.Status != store.ContactBlocked || c.ClaimToken != "" {
			t.Fatalf("released as blacklisted: %+v", c)
		}
		if got := d.claim(4, now); !slices.Equal(ids(got), []int64{cls[1].Contact.ID}) {
			t.Fatalf("after release claimed %v", ids(got))
		}
		// cls[2] is in a call when the runner dies; cls[3] only claimed.
		d.dial(&cls[2], "call-lost", now)
		if n, err := s.ReleaseExpiredClaims(d.ctx, now.Add(time.Minute)); err != nil || n != 0 {
			t.Fatalf("reaper before expiry freed %d (%v)", n, err)
		}
		later := now.Add(time.Hour)
		n, err := s.ReleaseExpiredClaims(d.ctx, later)
		if err != nil || n != 3 {
			t.Fatalf("reaper freed %d (%v), want 3", n, err)
		}
		lost := d.contact(cls[2].Contact.ID)
		if lost.Status != store.ContactPending || lost.Attempts != 1 || lost.NextAttemptAt == nil || !lost.NextAttemptAt.After(later) ||
			lost.LastResult != string(store.ResultLost) {
			t.Fatalf("lost call's contact: %+v", lost)
		}
		at, err := s.GetAttemptByUUID(d.ctx, "call-lost")
		if err != nil || at.Outcome != store.ResultLost || at.FinishedAt == nil {
			t.Fatalf("lost attempt: %+v %v", at, err)
		}
	})
}
