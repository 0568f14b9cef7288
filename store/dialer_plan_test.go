package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestDialerQueriesUseIndexes asks each database for the plan of the
// dialer's hot and per-campaign queries (claim candidates, the reaper, the
// evidence pages, the dial rate, the figures, due callbacks) over two
// campaigns of thousands of rows, and fails on a full table scan, on a sort
// of the matching rows (the claim and evidence queries must walk their index
// in order and stop at the page size), or on an index other than the one the
// query was built for.
func TestDialerQueriesUseIndexes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 6000, nil)
		other := newDialer(t, s, 600, nil)
		_ = other
		for _, q := range []string{
			`INSERT INTO attempts (call_uuid, campaign_id, contact_id, destination, state, created_at, updated_at, answered_at, result)
			 SELECT concat('u', id), campaign_id, id, phone, 'ended', created_at, created_at, CASE WHEN id % 3 = 0 THEN created_at END, 'busy' FROM contacts`,
		} {
			must(t, s.ExecForTest(d.ctx, q))
		}
		if s.Driver() == "mysql" {
			must(t, s.ExecForTest(d.ctx, "ANALYZE TABLE contacts, attempts, callbacks, campaign_slots"))
		} else {
			must(t, s.ExecForTest(d.ctx, "ANALYZE"))
		}
		at := "'" + d.now.Format("2006-01-02 15:04:05") + "'"
		cases := []struct {
			name, sql, table, index string
		}{
			{"claim candidates", s.ClaimSQLForTest(d.rules, d.lease.Token, 50, d.now), "contacts", "ix_contact_queue"},
			{"reaper", "SELECT * FROM contacts WHERE claimed_until IS NOT NULL AND claimed_until < " + at + " AND status = 'pending'", "contacts", "ix_contact_claim"},
			{"claims renewed with the leases", "SELECT id FROM contacts WHERE claimed_until IS NOT NULL AND claimed_by = 'runner-a' AND EXISTS " +
				"(SELECT 1 FROM campaign_leases l WHERE l.campaign_id = contacts.campaign_id AND l.token = contacts.claim_lease " +
				"AND l.holder = 'runner-a' AND l.renewed_at = " + at + " AND l.expires_at = " + at + ")", "contacts", "ix_contact_claim"},
			{"evidence page", s.EvidenceSQLForTest(d.camp.ID, d.now.Add(-time.Hour)), "attempts", "ix_attempt_campaign"},
			{"dial rate", fmt.Sprintf("SELECT count(*) FROM attempts WHERE campaign_id = %d AND created_at >= %s", d.camp.ID, at), "attempts", "ix_attempt_campaign"},
			{"figures", fmt.Sprintf("SELECT SUM(attempts) FROM campaign_slots WHERE campaign_id = %d AND slot >= %s", d.camp.ID, at), "campaign_slots", "PRIMARY"},
			{"due callbacks", fmt.Sprintf("SELECT contact_id FROM callbacks WHERE campaign_id = %d AND status = 'scheduled' AND due_at <= %s ORDER BY due_at, id LIMIT 50", d.camp.ID, at), "callbacks", "ix_callback_campaign|ix_callback_due"},
			{"contacts by status", fmt.Sprintf("SELECT status, COUNT(*) FROM contacts WHERE campaign_id = %d GROUP BY status", d.camp.ID), "contacts", "ix_contact_queue"},
		}
		for _, c := range cases {
			if s.Driver() == "mysql" {
				checkMySQLPlan(t, s, c.name, c.sql, c.table, c.index)
			} else {
				checkSQLitePlan(t, s, c.name, c.sql, c.table, c.index)
			}
		}
	})
}

func checkMySQLPlan(t *testing.T, s *store.Store, name, sql, table, index string) {
	t.Helper()
	var rows []map[string]any
	must(t, s.RawForTest(t.Context(), &rows, "EXPLAIN "+sql))
	for _, r := range rows {
		if fmt.Sprint(r["table"]) != table {
			continue
		}
		t.Logf("%s: %v", name, r)
		if fmt.Sprint(r["type"]) == "ALL" || !slices.Contains(strings.Split(index, "|"), fmt.Sprint(r["key"])) ||
			strings.Contains(fmt.Sprint(r["Extra"]), "filesort") {
			t.Errorf("%s: plan %v, want index %s on %s", name, r, index, table)
		}
		return
	}
	t.Errorf("%s: no plan row for %s: %v", name, table, rows)
}

func checkSQLitePlan(t *testing.T, s *store.Store, name, sql, table, index string) {
	t.Helper()
	var rows []struct{ Detail string }
	must(t, s.RawForTest(t.Context(), &rows, "EXPLAIN QUERY PLAN "+sql))
	var plan []string
	for _, r := range rows {
		plan = append(plan, r.Detail)
	}
	all := strings.Join(plan, "; ")
	t.Logf("%s: %s", name, all)
	found := false
	for _, ix := range strings.Split(index, "|") {
		if ix == "PRIMARY" {
			ix = "sqlite_autoindex_" + table + "_1"
		}
		found = found || strings.Contains(all, "INDEX "+ix)
	}
	if !found || strings.Contains(all, "SCAN "+table+" ") || strings.HasSuffix(all, "SCAN "+table) || strings.Contains(all, "TEMP B-TREE FOR ORDER BY") {
		t.Errorf("%s: plan %q, want %s", name, all, index)
	}
}
