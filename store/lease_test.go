package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestLeaseLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		a, err := s.AcquireLease(ctx, 7, "node-a", time.Minute, t0)
		if err != nil || a.Token != 1 || !a.ExpiresAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("first acquire: %+v %v", a, err)
		}
		if _, err := s.AcquireLease(ctx, 7, "node-b", time.Minute, t0.Add(30*time.Second)); !errors.Is(err, store.ErrLeaseHeld) || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("acquire a live lease: %v, want ErrLeaseHeld", err)
		}
		if a, err = s.RenewLease(ctx, a, time.Minute, t0.Add(50*time.Second)); err != nil || !a.ExpiresAt.Equal(t0.Add(110*time.Second)) {
			t.Fatalf("renew: %+v %v", a, err)
		}
		// A renewal at the same instant changes no row on MySQL; still ours.
		if _, err = s.RenewLease(ctx, a, time.Minute, t0.Add(50*time.Second)); err != nil {
			t.Fatalf("renew again: %v", err)
		}
		// node-a stalls; after expiry node-b takes over with a larger token.
		b, err := s.AcquireLease(ctx, 7, "node-b", time.Minute, t0.Add(2*time.Minute))
		if err != nil || b.Token != 2 {
			t.Fatalf("takeover: %+v %v", b, err)
		}
		if _, err := s.RenewLease(ctx, a, time.Minute, t0.Add(2*time.Minute)); !errors.Is(err, store.ErrLeaseLost) {
			t.Fatalf("stale renew: %v, want ErrLeaseLost", err)
		}
		if err := s.ReleaseLease(ctx, a, t0.Add(2*time.Minute)); !errors.Is(err, store.ErrLeaseLost) {
			t.Fatalf("stale release: %v, want ErrLeaseLost", err)
		}
		// A clean release keeps the token, so the next holder's is larger still.
		must(t, s.ReleaseLease(ctx, b, t0.Add(3*time.Minute)))
		a2, err := s.AcquireLease(ctx, 7, "node-a", time.Minute, t0.Add(3*time.Minute))
		if err != nil || a2.Token != 3 {
			t.Fatalf("acquire after release: %+v %v", a2, err)
		}
		// Re-acquiring one's own live lease is a new epoch too.
		a3, err := s.AcquireLease(ctx, 7, "node-a", time.Minute, t0.Add(3*time.Minute))
		if err != nil || a3.Token != 4 {
			t.Fatalf("re-acquire: %+v %v", a3, err)
		}
		if _, err := s.AcquireLease(ctx, 8, "", time.Minute, t0); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("empty holder: %v", err)
		}
		ls, err := s.ListLeases(ctx)
		if err != nil || len(ls) != 1 || ls[0].Holder != "node-a" || ls[0].Token != 4 {
			t.Fatalf("list: %+v %v", ls, err)
		}
	})
}

// TestLeaseRace: holders racing for a free lease and then for an expired one;
// exactly one wins each round and tokens only grow.
func TestLeaseRace(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		var last int64
		for round := range 3 {
			now := t0.Add(time.Duration(round) * 2 * time.Minute) // the previous winner's lease has expired
			var wg sync.WaitGroup
			wins := make(chan store.Lease, 8)
			errs := make(chan error, 8)
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					l, err := s.AcquireLease(ctx, 1, fmt.Sprintf("node-%d-%d", round, i), time.Minute, now)
					if err != nil {
						errs <- err
						return
					}
					wins <- l
				}()
			}
			wg.Wait()
			close(wins)
			close(errs)
			var won []store.Lease
			for l := range wins {
				won = append(won, l)
			}
			if len(won) != 1 {
				t.Fatalf("round %d: %d winners %+v", round, len(won), won)
			}
			for err := range errs {
				if !errors.Is(err, store.ErrLeaseHeld) {
					t.Fatalf("round %d: loser got %v, want ErrLeaseHeld", round, err)
				}
			}
			if won[0].Token <= last {
				t.Fatalf("round %d: token %d after %d", round, won[0].Token, last)
			}
			last = won[0].Token
		}
	})
}

// TestStaleHolderCannotWrite: a runner that paused past its lease and
// resumes after another took over is refused every write, and its refused
// writes change nothing.
func TestStaleHolderCannotWrite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 4, nil)
		now := d.now
		cls := d.claim(2, now)
		if len(cls) != 2 {
			t.Fatalf("claimed %d", len(cls))
		}
		d.dial(&cls[0], "call-a-1", now)
		before := d.contact(cls[0].Contact.ID)

		// runner-a pauses; its lease expires; runner-b takes over.
		later := now.Add(2 * time.Minute)
		b, err := s.AcquireLease(d.ctx, d.camp.ID, "runner-b", time.Minute, later)
		if err != nil || b.Token != d.lease.Token+1 {
			t.Fatalf("takeover: %+v %v", b, err)
		}
		stale := d.lease.Token
		checks := map[string]error{}
		_, checks["claim"] = s.ClaimBatch(d.ctx, d.camp.ID, stale, 2, later)
		_, checks["start"] = s.StartAttempt(d.ctx, d.rules, stale, store.AttemptStart{Claim: &cls[1], CallUUID: "call-a-2", Phone: cls[1].Contact.Phone, Now: later})
		checks["finish"] = s.FinishAttempt(d.ctx, d.rules, stale, store.Finish{Claim: &cls[0], CallUUID: "call-a-1", Class: store.ResultBusy, Now: later})
		checks["release"] = s.ReleaseClaim(d.ctx, d.rules, stale, &cls[1], "", later)
		_, checks["renew"] = s.RenewLease(d.ctx, d.lease, time.Minute, later)
		_, checks["complete"] = s.CompleteIfDone(d.ctx, d.rules, stale, later)
		for op, err := range checks {
			if !errors.Is(err, store.ErrLeaseLost) {
				t.Errorf("%s with a stale token: %v, want ErrLeaseLost", op, err)
			}
		}
		after := d.contact(cls[0].Contact.ID)
		if after.Status != store.ContactInProgress || after.Attempts != before.Attempts || after.ClaimedBy != "runner-a" || after.LastResult != "" {
			t.Fatalf("a refused finish changed the contact: %+v", after)
		}
		if _, err := s.GetAttemptByUUID(d.ctx, "call-a-2"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a refused start recorded an attempt: %v", err)
		}
		// runner-b may claim runner-a's contact that was claimed but never
		// dialed (a fenced runner can no longer dial it), but not the one in a call.
		got, err := s.ClaimBatch(d.ctx, d.camp.ID, b.Token, 10, later)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range got {
			if c.Contact.ID == cls[0].Contact.ID {
				t.Fatalf("runner-b claimed the contact runner-a is calling")
			}
		}
		if len(got) != 3 {
			t.Fatalf("runner-b claimed %v, want the 3 contacts not in a call", ids(got))
		}
	})
}

// TestRenewLeases: one call renews every lease of an instance and the claims
// under them; a lease whose token is stale (taken over) is left out of the
// answer and its claims keep their time. Five leases: the statement is
// padded to eight.
func TestRenewLeases(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		var ds []*dialer
		var ls []store.Lease
		for range 5 {
			d := newDialer(t, s, 2, nil)
			if len(d.claim(1, d.now)) != 1 {
				t.Fatal("claim: none")
			}
			ds = append(ds, d)
			ls = append(ls, d.lease)
		}
		stale := ls[3]
		stale.Token-- // as if another instance had taken the campaign over since
		ls[3] = stale
		at := ds[4].now.Add(30 * time.Second)
		got, err := s.RenewLeases(context.Background(), "runner-a", ls, time.Minute, at)
		must(t, err)
		if len(got) != 4 {
			t.Fatalf("renewed %d leases, want 4 (not the stale one): %+v", len(got), got)
		}
		for _, l := range got {
			if l.CampaignID == stale.CampaignID || !l.ExpiresAt.Equal(at.Add(time.Minute)) {
				t.Errorf("renewed %+v, want expiry %s and not campaign %d", l, at.Add(time.Minute), stale.CampaignID)
			}
		}
		for i, d := range ds {
			var claimed []store.Contact
			for _, id := range byPhone(t, d) {
				if c := d.contact(id); c.ClaimedUntil != nil {
					claimed = append(claimed, *c)
				}
			}
			if len(claimed) != 1 {
				t.Fatalf("campaign %d: %d claimed contacts, want 1", i, len(claimed))
			}
			want := at.Add(time.Minute + store.ClaimGrace)
			if i == 3 {
				want = d.now.Add(time.Minute + store.ClaimGrace) // as claimed
			}
			if !claimed[0].ClaimedUntil.Equal(want) {
				t.Errorf("campaign %d: claim until %s, want %s", i, claimed[0].ClaimedUntil, want)
			}
		}
		// Another holder renews nothing of runner-a's.
		if got, err := s.RenewLeases(context.Background(), "runner-b", ls, time.Minute, at); err != nil || len(got) != 0 {
			t.Fatalf("another holder renewed %+v %v", got, err)
		}
	})
}
