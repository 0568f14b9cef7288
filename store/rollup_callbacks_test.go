package store_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// workflowQueries are report requests around now: whole days of
// ReportZone (the day table), hours, a period with edge hours, days of
// another zone (hours bucketed in SQL), filters.
func workflowQueries(agent, campaign int64) []store.ReportQuery {
	now := time.Now()
	day := time.Date(now.In(store.ReportZone).Year(), now.In(store.ReportZone).Month(), now.In(store.ReportZone).Day(), 0, 0, 0, 0, store.ReportZone)
	utc := now.UTC().Truncate(24 * time.Hour)
	hour := now.UTC().Truncate(time.Hour)
	g := func(d ...store.Dimension) []store.Dimension { return d }
	z := store.ReportZone
	return []store.ReportQuery{
		{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 2), Loc: z},
		{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 2), Loc: z, GroupBy: g(store.DimAgent)},
		{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 2), Loc: z, GroupBy: g(store.DimCampaign, store.DimAgent, store.DimDay)},
		{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 2), Loc: z, GroupBy: g(store.DimHour)},
		{From: day.AddDate(0, 0, -1).Add(9 * time.Hour), To: day.AddDate(0, 0, 1).Add(22 * time.Hour), Loc: z, GroupBy: g(store.DimAgent, store.DimDay)},
		{From: hour.Add(-2 * time.Hour), To: hour.Add(3 * time.Hour), Loc: z, GroupBy: g(store.DimAgent, store.DimHour)},
		{From: utc.AddDate(0, 0, -1), To: utc.AddDate(0, 0, 2), Loc: time.UTC, GroupBy: g(store.DimDay, store.DimCampaign)},
		{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 2), Loc: z, GroupBy: g(store.DimAgent), AgentIDs: []int64{agent}},
		{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 2), Loc: z, GroupBy: g(store.DimAgent), CampaignIDs: []int64{campaign}},
	}
}

// checkWorkflow checks the callbacks rollup against the callbacks: first
// unfolded (rollup plus the deltas the write left), then the workflow
// report (which folds) against the report summed over the callbacks for
// every query, then the rollup alone.
func checkWorkflow(t *testing.T, s *store.Store, agent, campaign int64, what string) {
	t.Helper()
	ctx := context.Background()
	if err := s.CheckCallbackRollupForTest(ctx, true); err != nil {
		t.Fatalf("%s, not folded: %v", what, err)
	}
	for _, q := range workflowQueries(agent, campaign) {
		want, err := s.RawWorkflowForTest(ctx, q)
		must(t, err)
		got, err := s.RunReport(ctx, store.ReportWorkflow, q)
		must(t, err)
		if !reflect.DeepEqual(got.Rows, want.Rows) || !maps.Equal(got.Totals, want.Totals) {
			t.Fatalf("%s: workflow %v..%v by %v\n got %v %v\nwant %v %v", what, q.From, q.To, q.GroupBy, got.Rows, got.Totals, want.Rows, want.Totals)
		}
	}
	if n, err := s.CallbacksBacklog(ctx); err != nil || n != 0 {
		t.Fatalf("%s: %d deltas left after the report (%v)", what, n, err)
	}
	if err := s.CheckCallbackRollupForTest(ctx, false); err != nil {
		t.Fatalf("%s, folded: %v", what, err)
	}
}

// TestWorkflowRollupFollowsEveryWrite drives callbacks through every path
// that changes their status, agent, campaign or hand-over and checks the
// rollup and the workflow report against the callbacks after each.
func TestWorkflowRollupFollowsEveryWrite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDialer(t, s, 8, nil)
		other := newDialer(t, s, 1, nil)
		id := byPhone(t, d)
		a1, a2 := newAgent(t, s, "wf-one"), newAgent(t, s, "wf-two")
		now := time.Now().UTC().Truncate(time.Millisecond)
		check := func(what string) { t.Helper(); checkWorkflow(t, s, a1, d.camp.ID, what) }
		book := func(k int, agent int64, due time.Time, group *int64) *store.Callback {
			t.Helper()
			cb := &store.Callback{ContactID: id[k], Phone: phoneN(k), DueAt: due, AgentID: agent, GroupID: group}
			must(t, s.CreateCallback(ctx, cb))
			return cb
		}
		check("no callback")
		c1 := book(1, a1, now.Add(time.Hour), nil)
		c2 := book(2, a2, now.Add(time.Hour), nil)
		c3 := book(3, a1, now.Add(2*time.Hour), nil)
		c4 := book(4, a1, now.Add(5*time.Minute), d.camp.GroupID)
		check("booked")
		c1b := book(1, a2, now.Add(3*time.Hour), nil)
		if got, _ := s.GetCallback(ctx, c1.ID); got.Status != store.CallbackCancelled {
			t.Fatalf("older callback %s, want cancelled", got.Status)
		}
		check("booked again: the older one cancelled")
		_, err := s.UpdateCallback(ctx, c3.ID, store.CallbackChange{AgentID: &a2})
		must(t, err)
		check("edited: another agent")
		_, err = s.CancelCallback(ctx, c2.ID)
		must(t, err)
		check("cancelled")
		if ok, err := s.MarkCallbackOffered(ctx, c4.ID, now.Add(5*time.Minute)); !ok || err != nil {
			t.Fatalf("offer: %v %v", ok, err)
		}
		check("offered")
		if n, err := s.HandCallbacksToGroup(ctx, now.Add(8*time.Minute), 2*time.Minute); err != nil || n != 1 {
			t.Fatalf("handed %d (%v), want 1", n, err)
		}
		check("handed to the group")
		must(t, s.MarkCallbackDone(ctx, c4.ID, nil))
		check("done")
		must(t, s.MarkCallbackMissed(ctx, c3.ID))
		check("missed")
		later := now.Add(4 * time.Hour)
		_, err = s.UpdateCallback(ctx, c3.ID, store.CallbackChange{DueAt: &later})
		must(t, err)
		check("a missed one rescheduled")
		// An unkeyed change (the reminder) writes no delta.
		if ok, err := s.MarkCallbackReminded(ctx, c3.ID, now); !ok || err != nil {
			t.Fatalf("remind: %v %v", ok, err)
		}
		if n, err := s.CallbacksBacklog(ctx); err != nil || n != 0 {
			t.Fatalf("a reminder wrote %d deltas (%v)", n, err)
		}
		// Dialed: offered by the attempt's start, back to scheduled by the
		// lost-call sweep, then done and missed by finishes.
		makeDue(t, d, c1b, d.now.Add(-2*time.Minute))
		makeDue(t, d, c3, d.now.Add(-time.Minute))
		cls := d.claim(2, d.now)
		if len(cls) != 2 || cls[0].Callback == nil || cls[1].Callback == nil {
			t.Fatalf("claims %v", ids(cls))
		}
		d.dial(&cls[0], "wf-lost", d.now)
		d.dial(&cls[1], "wf-miss", d.now)
		check("offered by a dial")
		d.finish(store.Finish{Claim: &cls[1], CallUUID: "wf-miss", Class: store.ResultNoAnswer, Now: d.now})
		check("missed by a finish")
		if _, err := s.ReleaseExpiredClaims(ctx, d.now.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetCallback(ctx, c1b.ID); got.Status != store.CallbackScheduled {
			t.Fatalf("callback of a lost call is %s, want scheduled", got.Status)
		}
		check("reopened by the lost-call sweep")
		d.renewAt(d.now.Add(time.Hour))
		cls = d.claim(1, d.now.Add(time.Hour))
		if len(cls) != 1 || cls[0].Callback == nil || cls[0].Callback.ID != c1b.ID {
			t.Fatalf("claims %v", ids(cls))
		}
		d.dial(&cls[0], "wf-hit", d.now.Add(time.Hour))
		d.finish(store.Finish{Claim: &cls[0], CallUUID: "wf-hit", Class: store.ResultHuman, AgentID: a2, Now: d.now.Add(time.Hour)})
		if got, _ := s.GetCallback(ctx, c1b.ID); got.Status != store.CallbackDone {
			t.Fatalf("reached callback is %s", got.Status)
		}
		check("done by a finish")
		// Rows changed or removed by hand (a fix, a purge).
		must(t, s.ExecForTest(ctx, "UPDATE callbacks SET campaign_id = ? WHERE id = ?", other.camp.ID, c3.ID))
		check("moved to another campaign")
		must(t, s.ExecForTest(ctx, "UPDATE callbacks SET created_at = ? WHERE id = ?", now.Add(-25*time.Hour), c2.ID))
		check("booked a day earlier")
		must(t, s.ExecForTest(ctx, "DELETE FROM callbacks WHERE id IN ?", []int64{c2.ID, c4.ID}))
		check("deleted")
	})
}

// TestWorkflowRollupFoldsInBatches: a backlog larger than a fold's batch is
// folded by several transactions, exactly.
func TestWorkflowRollupFoldsInBatches(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		defer store.SetFoldBatchForTest(3)()
		ctx := context.Background()
		d := newDialer(t, s, 10, nil)
		agent := newAgent(t, s, "wf-batch")
		id := byPhone(t, d)
		for k := 1; k <= 10; k++ {
			cb := &store.Callback{ContactID: id[k], Phone: phoneN(k), DueAt: time.Now().Add(time.Hour), AgentID: agent}
			must(t, s.CreateCallback(ctx, cb))
			if k%2 == 0 {
				_, err := s.CancelCallback(ctx, cb.ID)
				must(t, err)
			}
		}
		n, err := s.FoldCallbacks(ctx)
		must(t, err)
		if n != 20 {
			t.Fatalf("folded %d deltas, want 20", n)
		}
		checkWorkflow(t, s, agent, d.camp.ID, "after folds of 3")
	})
}

// TestWorkflowRollupRebuildAndUpgrade: the rebuild recomputes the rollup
// exactly; a database whose callbacks predate the triggers (an upgrade) is
// counted by migration 10; a lost trigger is noticed (the rollup no longer
// agrees) and the next start creates it again and rebuilds.
func TestWorkflowRollupRebuildAndUpgrade(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDialer(t, s, 9, nil)
		agent := newAgent(t, s, "wf-up")
		id := byPhone(t, d)
		k := 0
		book := func(n int) []*store.Callback {
			t.Helper()
			var out []*store.Callback
			for range n {
				k++
				cb := &store.Callback{ContactID: id[k], Phone: phoneN(k), DueAt: time.Now().Add(time.Hour), AgentID: agent}
				must(t, s.CreateCallback(ctx, cb))
				out = append(out, cb)
			}
			return out
		}
		cbs := book(3)
		must(t, s.MarkCallbackMissed(ctx, cbs[0].ID))
		checkWorkflow(t, s, agent, d.camp.ID, "live")
		want := map[string]bool{"callbacks_rollup_insert": true, "callbacks_rollup_update": true, "callbacks_rollup_delete": true}
		for i := range 2 {
			must(t, s.Migrate(ctx))
			got, err := s.CallbackTriggersForTest(ctx)
			must(t, err)
			if !maps.Equal(got, want) {
				t.Fatalf("migration %d: triggers %v, want %v", i+2, got, want)
			}
		}
		// A rollup gone wrong: the rebuild recomputes it.
		must(t, s.ExecForTest(ctx, "DELETE FROM callback_days"))
		must(t, s.ExecForTest(ctx, "UPDATE callback_hours SET booked = booked + 7"))
		if err := s.CheckCallbackRollupForTest(ctx, true); err == nil {
			t.Fatal("a damaged rollup passed the check")
		}
		rc, err := s.RebuildRollups(ctx)
		must(t, err)
		if rc.Callbacks != 3 {
			t.Fatalf("rebuild counted %d callbacks, want 3", rc.Callbacks)
		}
		checkWorkflow(t, s, agent, d.camp.ID, "after the rollup rebuild")
		// An upgrade: neither triggers nor migration 10, callbacks stored
		// meanwhile.
		for tr := range want {
			must(t, s.ExecForTest(ctx, "DROP TRIGGER "+tr))
		}
		must(t, s.RewindForTest(ctx, 9))
		for _, tbl := range []string{"callback_hours", "callback_days", "callback_deltas"} {
			must(t, s.ExecForTest(ctx, "DELETE FROM "+tbl))
		}
		more := book(3)
		must(t, s.MarkCallbackDone(ctx, more[0].ID, nil))
		if err := s.CheckCallbackRollupForTest(ctx, true); err == nil {
			t.Fatal("callbacks of no rollup passed the check")
		}
		must(t, s.Migrate(ctx))
		checkWorkflow(t, s, agent, d.camp.ID, "after the upgrade")
		// A trigger lost on a counted database: changes go uncounted, the
		// next start creates it again and rebuilds.
		must(t, s.ExecForTest(ctx, "DROP TRIGGER callbacks_rollup_update"))
		must(t, s.MarkCallbackMissed(ctx, more[1].ID))
		if err := s.CheckCallbackRollupForTest(ctx, true); err == nil {
			t.Fatal("a change made without the trigger passed the check")
		}
		must(t, s.Migrate(ctx))
		checkWorkflow(t, s, agent, d.camp.ID, fmt.Sprintf("after a lost trigger (%d callbacks)", k))
	})
}

// TestWorkflowRollupExactUnderConcurrentWriters has writers book, cancel,
// miss and reschedule callbacks and move them between agents in bulk while
// folds of a few deltas each and workflow reports (which fold too) run in a
// loop: at the end the rollup equals the callbacks, so no delta was lost or
// folded twice.
func TestWorkflowRollupExactUnderConcurrentWriters(t *testing.T) {
	defer store.SetFoldBatchForTest(7)()
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDialer(t, s, 30, nil)
		id := byPhone(t, d)
		a1, a2 := newAgent(t, s, "wf-c1"), newAgent(t, s, "wf-c2")
		const rounds = 25
		var wg sync.WaitGroup
		errs := make(chan error, 100)
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
		due := time.Now().Add(time.Hour)
		for w := 0; w < 2; w++ {
			run(fmt.Sprintf("booker %d", w), func(i int) error {
				k := 1 + w*10 + i%10
				cb := &store.Callback{ContactID: id[k], Phone: phoneN(k), DueAt: due, AgentID: a1}
				if err := s.CreateCallback(ctx, cb); err != nil {
					return err
				}
				switch i % 3 {
				case 0:
					_, err := s.CancelCallback(ctx, cb.ID)
					return err
				case 1:
					if err := s.MarkCallbackMissed(ctx, cb.ID); err != nil {
						return err
					}
					later := due.Add(time.Hour)
					_, err := s.UpdateCallback(ctx, cb.ID, store.CallbackChange{DueAt: &later})
					return err
				}
				return nil
			})
		}
		run("agent moves", func(i int) error {
			to := []int64{a1, a2}[i%2]
			return s.ExecForTest(ctx, "UPDATE callbacks SET agent_id = ? WHERE campaign_id = ?", to, d.camp.ID)
		})
		done := make(chan struct{})
		var folders sync.WaitGroup
		for f := 0; f < 2; f++ {
			folders.Add(1)
			go func() {
				defer folders.Done()
				for {
					select {
					case <-done:
						return
					default:
					}
					var err error
					if f == 0 {
						_, err = s.FoldCallbacks(ctx)
					} else {
						_, err = s.RunReport(ctx, store.ReportWorkflow, workflowQueries(a1, d.camp.ID)[1])
					}
					if err != nil {
						errs <- fmt.Errorf("folder %d: %w", f, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(done)
		folders.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if err := s.CheckCallbackRollupForTest(ctx, true); err != nil {
			t.Fatalf("after the writers, not folded: %v", err)
		}
		checkWorkflow(t, s, a1, d.camp.ID, "after the writers")
	})
}
