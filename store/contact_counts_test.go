package store_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// checkContactCounts compares the counts the triggers keep with a GROUP BY
// over the contacts, for every campaign and through both readers.
func checkContactCounts(t *testing.T, s *store.Store, what string) map[int64]map[store.ContactStatus]int64 {
	t.Helper()
	ctx := context.Background()
	raw, err := s.RawContactCountsForTest(ctx)
	must(t, err)
	got, err := s.ContactCounts(ctx)
	must(t, err)
	if !maps.EqualFunc(got, raw, maps.Equal) {
		t.Fatalf("%s: contact counts\n got %v\nwant %v", what, got, raw)
	}
	for id, want := range raw {
		one, err := s.CountContactsByStatus(ctx, id)
		must(t, err)
		if !maps.Equal(one, want) {
			t.Fatalf("%s: campaign %d by status %v, want %v", what, id, one, want)
		}
	}
	// The campaigns report, every campaign: its contacts_* columns.
	now := time.Now().UTC().Truncate(time.Hour)
	rep, err := s.RunReport(ctx, store.ReportCampaigns, store.ReportQuery{From: now.Add(-time.Hour), To: now.Add(time.Hour), Loc: time.UTC})
	must(t, err)
	for _, row := range rep.Rows {
		id := row["campaign_id"].(int64)
		var total int64
		for _, st := range store.ContactStatuses {
			if got := row["contacts_"+string(st)].(int64); got != raw[id][st] {
				t.Fatalf("%s: campaigns report, campaign %d contacts_%s = %d, want %d", what, id, st, got, raw[id][st])
			}
			total += raw[id][st]
		}
		if row["contacts_total"].(int64) != total {
			t.Fatalf("%s: campaigns report, campaign %d contacts_total = %v, want %d", what, id, row["contacts_total"], total)
		}
	}
	return raw
}

// TestContactCountsFollowEveryWrite drives contacts through the store's
// own paths (imports, dials and finishes, the lost-call sweep, a blacklist
// entry blocking contacts of two campaigns and its removal, a recycle, a
// campaign's deletion) and checks the counts against the contacts after
// each step, folded and not.
func TestContactCountsFollowEveryWrite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := genTraffic(t, s, 20) // imports, dials, finishes, callbacks, a lost call
		checkContactCounts(t, s, "after traffic")
		b := newDialer(t, s, 10, nil) // the same phones in a second campaign
		checkContactCounts(t, s, "after a second import")
		cls := b.claim(3, b.now)
		for i := range cls {
			b.dial(&cls[i], fmt.Sprintf("cc-%d", i), b.now)
		}
		raw := checkContactCounts(t, s, "after dials")
		if raw[b.camp.ID][store.ContactInProgress] != 3 {
			t.Fatalf("in progress %v, want 3", raw[b.camp.ID])
		}
		n, err := s.FoldContactCounts(ctx)
		must(t, err)
		if n == 0 {
			t.Fatal("fold moved no deltas")
		}
		checkContactCounts(t, s, "after a fold")

		// phoneN(10): pending in b and b2 (and in the traffic's campaign
		// whatever its calls left: blocked there too if pending or failed).
		b2 := newDialer(t, s, 10, nil)
		e := &store.DNCEntry{Kind: store.DNCPhone, Value: phoneN(10), Reason: "客户投诉", Source: store.DNCManual}
		res, err := s.AddDNC(ctx, e, store.DNCRefuse)
		must(t, err)
		raw = checkContactCounts(t, s, "after a blacklist entry")
		if raw[b.camp.ID][store.ContactBlocked] != 1 || raw[b2.camp.ID][store.ContactBlocked] != 1 || res.Blocked < 2 {
			t.Fatalf("blocked %d: campaign b %v, b2 %v", res.Blocked, raw[b.camp.ID], raw[b2.camp.ID])
		}
		_, err = s.ApplyResultAction(ctx, tr.d.camp.ID, store.ResultActionRequest{Action: store.ActionRecycle,
			Statuses: []store.ContactStatus{store.ContactCompleted, store.ContactFailed, store.ContactMaintenance}})
		must(t, err)
		checkContactCounts(t, s, "after a recycle")
		_, _, err = s.DeleteDNC(ctx, e.ID)
		must(t, err)
		checkContactCounts(t, s, "after the entry's removal")
		_, err = s.FoldContactCounts(ctx)
		must(t, err)

		_, err = s.StopCampaign(ctx, tr.d.camp.ID)
		must(t, err)
		must(t, s.DeleteCampaign(ctx, tr.d.camp.ID))
		raw = checkContactCounts(t, s, "after deleting a campaign")
		if _, ok := raw[tr.d.camp.ID]; ok {
			t.Fatalf("deleted campaign still has contacts %v", raw[tr.d.camp.ID])
		}
		_, err = s.FoldContactCounts(ctx)
		must(t, err)
		checkContactCounts(t, s, "after folding the deletion")
		left, err := s.ContactCountsBacklog(ctx)
		must(t, err)
		if left != 0 {
			t.Fatalf("%d deltas left after a fold", left)
		}
	})
}

// TestContactCountsExactUnderConcurrentWriters has writers change contacts
// in several campaigns at once (blacklist entries added and removed across
// two campaigns, result actions moving a campaign's contacts back and forth,
// imports) while folds of a few deltas each run in a loop and a reader
// watches the imported campaign: at the end the counts equal the contacts',
// so no delta was lost or counted twice, including those of writers a fold
// had to wait for or leave behind.
func TestContactCountsExactUnderConcurrentWriters(t *testing.T) {
	defer store.SetFoldBatchForTest(7)()
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newDialer(t, s, 40, nil)
		newDialer(t, s, 40, nil)     // a second campaign with the same phones
		c := newDialer(t, s, 0, nil) // imported into meanwhile
		const rounds = 40
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		// run starts a writer; deadlocks between the writers are MySQL's
		// answer to their own lock orders, and a rolled-back transaction
		// must leave no delta behind, so they are tolerated.
		run := func(name string, fn func(i int) error) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < rounds; i++ {
					if err := fn(i); err != nil && !strings.Contains(err.Error(), "Deadlock") {
						errs <- fmt.Errorf("%s round %d: %w", name, i, err)
						return
					}
				}
			}()
		}
		for w := 0; w < 2; w++ {
			run(fmt.Sprintf("blacklist %d", w), func(i int) error {
				e := &store.DNCEntry{Kind: store.DNCPhone, Value: phoneN(1 + w*20 + i%20), Reason: "测试", Source: store.DNCManual}
				if _, err := s.AddDNC(ctx, e, store.DNCRefuse); err != nil {
					return err
				}
				for { // the entry must go, or the next round on the phone is refused
					_, _, err := s.DeleteDNC(ctx, e.ID)
					if err == nil || !strings.Contains(err.Error(), "Deadlock") {
						return err
					}
				}
			})
		}
		run("result actions", func(i int) error {
			req := store.ResultActionRequest{Action: store.ActionMaintenance, Statuses: []store.ContactStatus{store.ContactPending}}
			if i%2 == 1 {
				req = store.ResultActionRequest{Action: store.ActionRecycle, Statuses: []store.ContactStatus{store.ContactMaintenance}}
			}
			_, err := s.ApplyResultAction(ctx, a.camp.ID, req)
			return err
		})
		run("imports", func(i int) error {
			job := &store.ImportJob{CampaignID: c.camp.ID, Source: "api", Format: "json"}
			if err := s.CreateImportJob(ctx, job); err != nil {
				return err
			}
			batch := make([]store.Contact, 10)
			for k := range batch {
				batch[k] = store.Contact{CampaignID: c.camp.ID, Name: "新客户", Phone: phoneN(1000 + i*10 + k), Status: store.ContactPending}
			}
			_, err := s.ImportBatch(ctx, job.ID, c.camp.ID, batch, 0, 0)
			return err
		})
		done := make(chan struct{})
		folded := make(chan int64)
		go func() {
			var total int64
			for {
				select {
				case <-done:
					folded <- total
					return
				default:
				}
				n, err := s.FoldContactCounts(ctx)
				total += n
				if err != nil {
					errs <- fmt.Errorf("fold: %w", err)
					<-done
					folded <- total
					return
				}
			}
		}()
		// A reader meanwhile: the imported campaign only grows, so its count
		// never goes down nor past what was imported; a fold seen half done
		// (counts raised, deltas not yet deleted, or the reverse) would.
		read := make(chan struct{})
		go func() {
			defer close(read)
			var last int64
			for {
				select {
				case <-done:
					return
				default:
				}
				got, err := s.ContactCounts(ctx, c.camp.ID)
				if err != nil {
					errs <- fmt.Errorf("read: %w", err)
					return
				}
				n := got[c.camp.ID][store.ContactPending]
				if n < last || n > 10*rounds {
					errs <- fmt.Errorf("imported campaign read %d pending after %d (at most %d imported)", n, last, 10*rounds)
					return
				}
				last = n
			}
		}()
		wg.Wait()
		close(done)
		total := <-folded
		<-read
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if total == 0 {
			t.Error("the folds moved no deltas while the writers ran")
		}
		raw := checkContactCounts(t, s, "after the writers, before the last fold")
		if raw[c.camp.ID][store.ContactPending] != 10*rounds {
			t.Errorf("imported campaign %v, want %d pending", raw[c.camp.ID], 10*rounds)
		}
		_, err := s.FoldContactCounts(ctx)
		must(t, err)
		checkContactCounts(t, s, "after the last fold")
	})
}

// TestContactCountTriggersIdempotentAndRebuildExact migrates again (the
// triggers are kept, not doubled), loses the counts and rebuilds them.
func TestContactCountTriggersIdempotentAndRebuildExact(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDialer(t, s, 12, nil)
		want := map[string]bool{"contacts_count_insert": true, "contacts_count_update": true, "contacts_count_delete": true}
		for i := 0; i < 2; i++ {
			must(t, s.Migrate(ctx))
			got, err := s.ContactCountTriggersForTest(ctx)
			must(t, err)
			if !maps.Equal(got, want) {
				t.Fatalf("migration %d: triggers %v, want %v", i+2, got, want)
			}
			checkContactCounts(t, s, fmt.Sprintf("after migration %d", i+2))
		}
		// Counts gone wrong (a restore of contacts alone, a manual fix with
		// the triggers off): the rebuild recounts from the contacts.
		must(t, s.ExecForTest(ctx, "INSERT INTO contact_count_deltas (campaign_id, status, n) VALUES (?, ?, 5)", d.camp.ID, store.ContactCompleted))
		must(t, s.ExecForTest(ctx, "INSERT INTO contact_counts (campaign_id, status, n) VALUES (999, 'pending', 3)"))
		got, err := s.ContactCounts(ctx)
		must(t, err)
		if got[d.camp.ID][store.ContactCompleted] != 5 {
			t.Fatalf("planted counts not read: %v", got)
		}
		n, err := s.RebuildContactCounts(ctx)
		must(t, err)
		if n != 12 {
			t.Fatalf("rebuild counted %d contacts, want 12", n)
		}
		checkContactCounts(t, s, "after the rebuild")
		left, err := s.ContactCountsBacklog(ctx)
		must(t, err)
		if left != 0 {
			t.Fatalf("%d deltas left after a rebuild", left)
		}
		// The rollup rebuild (`callcenter rollups rebuild`) recounts too.
		must(t, s.ExecForTest(ctx, "DELETE FROM contact_counts"))
		rc, err := s.RebuildRollups(ctx)
		must(t, err)
		if rc.Contacts != 12 {
			t.Fatalf("rollup rebuild counted %d contacts, want 12", rc.Contacts)
		}
		checkContactCounts(t, s, "after the rollup rebuild")
	})
}

// TestContactCountTriggersCountExistingContacts: a database whose contacts
// predate the triggers (an upgrade, or one whose start stopped between
// creating them and migration 8), or lost a trigger, gets exact counts on
// the next start.
func TestContactCountTriggersCountExistingContacts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		newDialer(t, s, 8, nil)
		total := func() int64 {
			var n int64
			for _, m := range checkContactCounts(t, s, "after the start") {
				for _, k := range m {
					n += k
				}
			}
			return n
		}
		forget := func() {
			must(t, s.ExecForTest(ctx, "DELETE FROM contact_counts"))
			must(t, s.ExecForTest(ctx, "DELETE FROM contact_count_deltas"))
		}
		// An upgrade: neither triggers nor migration 8.
		for _, tr := range []string{"contacts_count_insert", "contacts_count_update", "contacts_count_delete"} {
			must(t, s.ExecForTest(ctx, "DROP TRIGGER "+tr))
		}
		must(t, s.RewindForTest(ctx, 7))
		forget()
		newDialer(t, s, 5, nil) // written while no trigger counted
		must(t, s.Migrate(ctx))
		if n := total(); n != 13 {
			t.Fatalf("upgrade: %d contacts counted, want 13", n)
		}
		// Stopped after creating the triggers, before migration 8.
		must(t, s.RewindForTest(ctx, 7))
		forget()
		must(t, s.Migrate(ctx))
		if n := total(); n != 13 {
			t.Fatalf("after a stop before migration 8: %d contacts counted, want 13", n)
		}
		// A trigger lost on a counted database.
		must(t, s.ExecForTest(ctx, "DROP TRIGGER contacts_count_insert"))
		newDialer(t, s, 4, nil)
		must(t, s.Migrate(ctx))
		if n := total(); n != 17 {
			t.Fatalf("after a lost trigger: %d contacts counted, want 17", n)
		}
	})
}
