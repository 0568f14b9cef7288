package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// RewindForTest makes a database look as a build at the given schema
// version left it, for upgrade tests. It only knows how to undo migration 2
// (the holiday seed).
func (s *Store) RewindForTest(ctx context.Context, version int) error {
	if err := s.conn(ctx).Where("version > ?", version).Delete(&SchemaMigration{}).Error; err != nil {
		return err
	}
	if version < 2 {
		return s.conn(ctx).Where("1 = 1").Delete(&Holiday{}).Error
	}
	return nil
}

// ExecForTest runs a statement as it is, for tests that need rows the store's
// own methods would refuse (usernames differing only in case, written by an
// older build).
func (s *Store) ExecForTest(ctx context.Context, sql string, args ...any) error {
	return s.conn(ctx).Exec(sql, args...).Error
}

// RawContactCountsForTest counts the contacts by campaign and status the
// slow way, for comparing with the counts the triggers keep.
func (s *Store) RawContactCountsForTest(ctx context.Context) (map[int64]map[ContactStatus]int64, error) {
	var rows []campaignStatusCount
	if err := s.conn(ctx).Raw("SELECT campaign_id, status, COUNT(*) AS n FROM contacts GROUP BY campaign_id, status").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64]map[ContactStatus]int64{}
	for _, r := range rows {
		if out[r.CampaignID] == nil {
			out[r.CampaignID] = map[ContactStatus]int64{}
		}
		out[r.CampaignID][r.Status] = r.N
	}
	return out, nil
}

// ContactCountTriggersForTest names the triggers on contacts.
func (s *Store) ContactCountTriggersForTest(ctx context.Context) (map[string]bool, error) {
	return s.contactCountTriggers(ctx)
}

// SetFoldBatchForTest makes each fold transaction move at most n deltas
// (tests run folds of many transactions without writing thousands of rows);
// it returns the function restoring the size.
func SetFoldBatchForTest(n int) func() {
	old := foldBatch
	foldBatch = n
	return func() { foldBatch = old }
}

// CheckCallbackRollupForTest compares callback_hours and callback_days (and
// with deltas, the deltas not yet folded added to them) with the callbacks
// counted the slow way, row by row; nil when they agree.
func (s *Store) CheckCallbackRollupForTest(ctx context.Context, deltas bool) error {
	type cbRow struct {
		CreatedAt  *time.Time
		CampaignID int64
		AgentID    int64
		Status     CallbackStatus
		Handed     bool
	}
	var raw []cbRow
	err := s.conn(ctx).Raw("SELECT created_at, campaign_id, agent_id, status, handed_to_group_at IS NOT NULL AS handed FROM callbacks").Scan(&raw).Error
	if err != nil {
		return err
	}
	want := callbackSums{}
	for _, r := range raw {
		want.add(*r.CreatedAt, r.CampaignID, r.AgentID, r.Status, r.Handed, 1)
	}
	got := callbackSums{}
	for _, day := range []bool{false, true} {
		table := "callback_hours"
		if day {
			table = "callback_days"
		}
		var rows []CallbackHour
		if err := s.conn(ctx).Table(table).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			got[callbackKey{day, r.Hour.UTC(), r.CampaignID, r.AgentID}] = &callbackFigures{r.Booked, r.Kept, r.Missed, r.Cancelled, r.StillOpen, r.Handed}
		}
	}
	if deltas {
		var rows []CallbackDelta
		if err := s.conn(ctx).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			got.add(*r.CreatedAt, r.CampaignID, r.AgentID, r.Status, r.Handed, r.N)
		}
	}
	for _, m := range []callbackSums{want, got} {
		for k, f := range m {
			if *f == (callbackFigures{}) {
				delete(m, k)
			}
		}
	}
	for k, f := range want {
		if g := got[k]; g == nil || *g != *f {
			return fmt.Errorf("callback rollup %+v: %v, want %v", k, g, *f)
		}
	}
	for k, g := range got {
		if want[k] == nil {
			return fmt.Errorf("callback rollup %+v: %v, want none", k, *g)
		}
	}
	return nil
}

// RawWorkflowForTest is the workflow report summed over the callbacks
// themselves, as it was before the callbacks rollup.
func (s *Store) RawWorkflowForTest(ctx context.Context, q ReportQuery) (*Report, error) {
	dims := s.dims(&q, "created_at", map[Dimension]string{DimCampaign: "campaign_id", DimAgent: "agent_id"})
	db := s.conn(ctx).Model(&Callback{}).Where("created_at >= ? AND created_at < ?", q.From.UTC(), q.To.UTC())
	db = s.agentFilter(ctx, db, "agent_id", &q)
	if len(q.CampaignIDs) > 0 {
		db = db.Where("campaign_id IN ?", q.CampaignIDs)
	}
	when := func(st ...CallbackStatus) string {
		vals := make([]string, len(st))
		for i, v := range st {
			vals[i] = "'" + string(v) + "'"
		}
		return "CASE WHEN status IN (" + strings.Join(vals, ", ") + ") THEN 1 ELSE 0 END"
	}
	sums := []sumCol{{"callbacks_booked", "1"}, {"callbacks_kept", when(CallbackDone)}, {"callbacks_missed", when(CallbackMissed)},
		{"callbacks_cancelled", when(CallbackCancelled)}, {"callbacks_open", when(CallbackScheduled, CallbackOffered)},
		{"callbacks_handed_to_group", "CASE WHEN handed_to_group_at IS NULL THEN 0 ELSE 1 END"}}
	rows, err := sumQuery(db, dims, sums)
	if err != nil {
		return nil, err
	}
	sortRows(rows, dims)
	rep := &Report{Rows: rows, Totals: totals(rows, sumKeys(sums))}
	for _, r := range append(rows, rep.Totals) {
		kept, _ := r["callbacks_kept"].(int64)
		missed, _ := r["callbacks_missed"].(int64)
		r["kept_rate"] = rate(kept, kept+missed)
	}
	if rep.Rows == nil {
		rep.Rows = []map[string]any{}
	}
	return rep, nil
}

// CallbackTriggersForTest names the triggers on callbacks.
func (s *Store) CallbackTriggersForTest(ctx context.Context) (map[string]bool, error) {
	return s.triggersOn(ctx, "callbacks")
}

// RawQAForTest is the QA report summed over the scores themselves, as it
// was before the QA rollup.
func (s *Store) RawQAForTest(ctx context.Context, q ReportQuery) (*Report, error) {
	dims := s.dims(&q, "created_at", map[Dimension]string{DimCampaign: "campaign_id", DimAgent: "agent_id", DimScorer: "scorer_id"})
	db := s.conn(ctx).Model(&QAScore{}).Where("created_at >= ? AND created_at < ?", q.From.UTC(), q.To.UTC())
	db = s.agentFilter(ctx, db, "agent_id", &q)
	if len(q.CampaignIDs) > 0 {
		db = db.Where("campaign_id IN ?", q.CampaignIDs)
	}
	sums := []sumCol{{"scores", "1"}, {"total_x100", "total_x100"}, {"critical_failures", "CASE WHEN critical_failed THEN 1 ELSE 0 END"},
		{"appeals", "CASE WHEN appeal <> '' THEN 1 ELSE 0 END"}, {"appeals_upheld", "CASE WHEN appeal = 'upheld' THEN 1 ELSE 0 END"}}
	rows, err := sumQuery(db, dims, sums)
	if err != nil {
		return nil, err
	}
	sortRows(rows, dims)
	rep := &Report{Rows: rows, Totals: totals(rows, sumKeys(sums))}
	for _, r := range append(rows, rep.Totals) {
		r["avg_total"] = rate(r["total_x100"], r["scores"]) / 100
		delete(r, "total_x100")
	}
	if rep.Rows == nil {
		rep.Rows = []map[string]any{}
	}
	return rep, nil
}

// StateIndexForTest says whether agent_state_events has the named index.
func (s *Store) StateIndexForTest(ctx context.Context, name string) bool {
	return s.conn(ctx).Migrator().HasIndex(&AgentStateEvent{}, name)
}
