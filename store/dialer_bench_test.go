package store_test

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// benchStores runs fn on SQLite and, when configured, on MariaDB.
func benchStores(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.New(b)) })
	b.Run("mysql", func(b *testing.B) { fn(b, storetest.MySQL(b)) })
}

// BenchmarkDialCycle is the store's share of one call: claimed in batches of
// 50, started (caller ID reserved, attempt counted) and finished (contact
// settled, figures counted). ns/op is the time one call costs the runner.
func BenchmarkDialCycle(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store) {
		d := newDialer(b, s, 0, nil)
		d.addContacts(b.N, 0)
		_, err := s.StartCampaign(d.ctx, d.camp.ID)
		if err != nil {
			b.Fatal(err)
		}
		d.reload()
		now := d.now
		b.ResetTimer()
		var cls []store.Claim
		for i := 0; i < b.N; i++ {
			if len(cls) == 0 {
				if cls, err = s.ClaimBatch(d.ctx, d.camp.ID, d.lease.Token, 50, now); err != nil || len(cls) == 0 {
					b.Fatalf("claim: %d %v", len(cls), err)
				}
			}
			cl := &cls[0]
			cls = cls[1:]
			uuid := "b-" + strconv.Itoa(i)
			if _, err := s.StartAttempt(d.ctx, d.rules, d.lease.Token, store.AttemptStart{Claim: cl, CallUUID: uuid, Phone: cl.Contact.Phone, Now: now}); err != nil {
				b.Fatal(err)
			}
			if err := s.FinishAttempt(d.ctx, d.rules, d.lease.Token, store.Finish{Claim: cl, CallUUID: uuid, Class: store.ResultNoAnswer, Now: now}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCampaignStats reads the stats of a campaign with many contacts and
// calls (CC_BENCH_ROWS, default 100,000 of each; figures for a month).
func BenchmarkCampaignStats(b *testing.B) {
	rows := 100000
	if v, err := strconv.Atoi(os.Getenv("CC_BENCH_ROWS")); err == nil && v > 0 {
		rows = v
	}
	benchStores(b, func(b *testing.B, s *store.Store) {
		d := newDialer(b, s, 2, nil)
		fillCampaign(b, s, d, rows)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := s.CampaignStats(d.ctx, d.camp, d.now); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// fillCampaign adds n contacts and n answered attempts over the last 30 days
// to d's campaign, and 4,320 figure slots (a month of 10-minute slots).
func fillCampaign(b testing.TB, s *store.Store, d *dialer, n int) {
	b.Helper()
	seq := fmt.Sprintf("WITH RECURSIVE seq(seq) AS (SELECT 1 UNION ALL SELECT seq + 1 FROM seq WHERE seq < %d) ", n)
	from := " FROM seq"
	if s.Driver() == "mysql" {
		seq, from = "", fmt.Sprintf(" FROM seq_1_to_%d", n)
	}
	start := d.now.Add(-30 * 24 * time.Hour)
	at := "strftime('%Y-%m-%d %H:%M:%S+00:00', ?, '+' || (seq * 2) || ' seconds')" // a call every 2 s
	if s.Driver() == "mysql" {
		at = "DATE_ADD(?, INTERVAL seq * 2 SECOND)"
	}
	stmts := []struct {
		sql  string
		args []any
	}{
		{seq + "INSERT INTO contacts (campaign_id, name, phone, alt_phone, id_number, customer_type, manager_email, attributes, status, block_reason, attempts, phone_attempts, alt_attempts, created_at, updated_at) " +
			fmt.Sprintf("SELECT %d, 'n', concat('+8615', seq), '', '', '', '', '', CASE WHEN seq %% 3 = 0 THEN 'completed' ELSE 'pending' END, '', 1, 1, 0, ?, ?", d.camp.ID) + from,
			[]any{start, start}},
		{seq + "INSERT INTO attempts (call_uuid, campaign_id, contact_id, destination, state, created_at, updated_at, answered_at, result, outcome) " +
			fmt.Sprintf("SELECT concat('x', seq), %d, seq, '+8615', 'ended', %s, ?, %s, 'answered', 'human'", d.camp.ID, at, at) + from,
			[]any{start, start, start}},
	}
	for _, q := range stmts {
		if err := s.ExecForTest(d.ctx, q.sql, q.args...); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < 4320; i += 432 {
		q := "INSERT INTO campaign_slots (campaign_id, slot, attempts, human, abandoned) VALUES "
		var args []any
		for j := i; j < i+432; j++ {
			if j > i {
				q += ","
			}
			q += "(?, ?, 30, 10, 0)"
			args = append(args, d.camp.ID, start.Add(time.Duration(j)*10*time.Minute).Truncate(10*time.Minute))
		}
		if err := s.ExecForTest(d.ctx, q, args...); err != nil {
			b.Fatal(err)
		}
	}
	// The contacts' count deltas are folded, as serve's scheduler does
	// within seconds of an import.
	if _, err := s.FoldContactCounts(d.ctx); err != nil {
		b.Fatal(err)
	}
	if s.Driver() == "mysql" {
		if err := s.ExecForTest(d.ctx, "ANALYZE TABLE contacts, attempts, campaign_slots"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAbandonmentEvidence reads every answered call of a campaign with
// CC_BENCH_ROWS (default 100,000) calls, as the evidence export does.
func BenchmarkAbandonmentEvidence(b *testing.B) {
	rows := 100000
	if v, err := strconv.Atoi(os.Getenv("CC_BENCH_ROWS")); err == nil && v > 0 {
		rows = v
	}
	benchStores(b, func(b *testing.B, s *store.Store) {
		d := newDialer(b, s, 2, nil)
		fillCampaign(b, s, d, rows)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			n := 0
			err := s.EachAnsweredAttempt(d.ctx, d.camp.ID, time.Time{}, time.Time{}, func(*store.Attempt) error { n++; return nil })
			if err != nil || n != rows {
				b.Fatalf("read %d of %d: %v", n, rows, err)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	})
}

// BenchmarkDialCycleCampaigns is the store's share of a call when 50
// campaigns dial at once, each as its runner does: claims of 10, the stamp
// and contact read again and the dial-time check before every start, then
// start and finish. ns/op is the store time per call across all campaigns:
// 1e9/ns is the most dials per second the store sustains (R16).
func BenchmarkDialCycleCampaigns(b *testing.B) {
	const camps = 50
	benchStores(b, func(b *testing.B, s *store.Store) {
		per := b.N/camps + 1
		ds := make([]*dialer, camps)
		for i := range ds {
			ds[i] = newDialer(b, s, per, nil)
		}
		var wg sync.WaitGroup
		errs := make(chan error, camps)
		b.ResetTimer()
		for i, d := range ds {
			wg.Go(func() {
				if err := d.cycle(per, i); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		b.StopTimer()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		b.ReportMetric(float64(camps*per)/b.Elapsed().Seconds(), "dials/s")
	})
}

// cycle dials n contacts as a runner does, one after the other.
func (d *dialer) cycle(n, k int) error {
	var cls []store.Claim
	for i := 0; i < n; i++ {
		if len(cls) == 0 {
			var err error
			if cls, err = d.s.ClaimBatch(d.ctx, d.camp.ID, d.lease.Token, 10, d.now); err != nil || len(cls) == 0 {
				return fmt.Errorf("claim: %d %v", len(cls), err)
			}
		}
		cl := &cls[0]
		cls = cls[1:]
		if _, err := d.s.CampaignStamps(d.ctx, d.camp.ID); err != nil {
			return err
		}
		c, err := d.s.GetContact(d.ctx, cl.Contact.ID)
		if err != nil {
			return err
		}
		cl.Contact = *c
		phone, why, err := d.s.CheckClaim(d.ctx, d.rules, cl, d.now)
		if err != nil || why != "" {
			return fmt.Errorf("check: %q %v", why, err)
		}
		uuid := fmt.Sprintf("c%d-%d", k, i)
		if _, err := d.s.StartAttempt(d.ctx, d.rules, d.lease.Token, store.AttemptStart{Claim: cl, CallUUID: uuid, Phone: phone, Now: d.now}); err != nil {
			return err
		}
		if err := d.s.FinishAttempt(d.ctx, d.rules, d.lease.Token, store.Finish{Claim: cl, CallUUID: uuid, Class: store.ResultBusy, Now: d.now}); err != nil {
			return err
		}
	}
	return nil
}
