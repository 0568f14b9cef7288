package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"gorm.io/gorm"
)

// RollupCounts says what a rebuild read and wrote.
type RollupCounts struct {
	Attempts     int64 `json:"attempts"`
	StateRows    int64 `json:"state_rows"`
	QueueWaits   int64 `json:"queue_waits"`
	IVRCalls     int64 `json:"ivr_calls"`
	Messages     int64 `json:"messages"` // outbound messages (sms, email, fax)
	QAScores     int64 `json:"qa_scores"`
	RollupRows   int64 `json:"rollup_rows"`
	Contacts     int64 `json:"contacts"`  // counted into contact_counts
	Callbacks    int64 `json:"callbacks"` // counted into callback_hours and callback_days
	ElapsedMilli int64 `json:"elapsed_ms"`
}

// rebuildBatch is how many raw rows a rebuild reads at a time.
const rebuildBatch = 20000

// RebuildRollups recomputes every rollup from the raw attempts and agent
// state rows, in one transaction (run it with dialing paused: calls finishing
// meanwhile wait for it), then the contact counts from the contacts and the
// callbacks rollup from the callbacks, each in a transaction of its own
// (RebuildContactCounts, RebuildCallbackRollups) so that contacts and
// callbacks are held only for their count.
func (s *Store) RebuildRollups(ctx context.Context) (RollupCounts, error) {
	start := time.Now()
	var out RollupCounts
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = rebuildRollups(tx)
		return err
	})
	if err == nil {
		out.Contacts, err = s.RebuildContactCounts(ctx)
	}
	if err == nil {
		out.Callbacks, err = s.RebuildCallbackRollups(ctx)
	}
	out.ElapsedMilli = time.Since(start).Milliseconds()
	if err != nil {
		return out, fmt.Errorf("store: rebuild rollups: %w", err)
	}
	return out, nil
}

// rebuildRollupsTx is the migration that fills the rollups from the rows
// stored before they existed.
func rebuildRollupsTx(tx *gorm.DB) error {
	_, err := rebuildRollups(tx)
	return err
}

func rebuildRollups(tx *gorm.DB) (RollupCounts, error) {
	var out RollupCounts
	for _, t := range rollupTables {
		if err := tx.Exec("DELETE FROM " + t).Error; err != nil {
			return out, fmt.Errorf("store: clear %s: %w", t, err)
		}
	}
	r := rollup{}
	var err error
	if out.Attempts, err = rebuildAttempts(tx, r); err != nil {
		return out, err
	}
	if out.StateRows, err = rebuildStates(tx, r); err != nil {
		return out, err
	}
	if out.QueueWaits, err = rebuildQueues(tx, r); err != nil {
		return out, err
	}
	if out.IVRCalls, err = rebuildIVR(tx, r); err != nil {
		return out, err
	}
	if out.Messages, err = rebuildMessages(tx, r); err != nil {
		return out, err
	}
	if out.QAScores, err = rebuildQA(tx, r); err != nil {
		return out, err
	}
	out.RollupRows = int64(len(r))
	return out, insertRollups(tx, r)
}

func rebuildAttempts(tx *gorm.DB, r rollup) (int64, error) {
	var n, last int64
	for {
		var rows []Attempt
		err := tx.Select("id, campaign_id, agent_id, created_at, outcome, amd, connected, talk_ms, answer_to_agent_ms, inbound").
			Where("id > ?", last).Order("id").Limit(rebuildBatch).Find(&rows).Error
		if err != nil {
			return n, fmt.Errorf("store: read attempts after %d: %w", last, err)
		}
		for i := range rows {
			attemptDial(r, &rows[i])
			attemptFinished(r, &rows[i])
		}
		n += int64(len(rows))
		if len(rows) < rebuildBatch {
			return n, nil
		}
		last = rows[len(rows)-1].ID
	}
}

func rebuildStates(tx *gorm.DB, r rollup) (int64, error) {
	var n, last int64
	for {
		var rows []AgentStateEvent
		err := tx.Where("id > ? AND ended_at IS NOT NULL", last).Order("id").Limit(rebuildBatch).Find(&rows).Error
		if err != nil {
			return n, fmt.Errorf("store: read agent states after %d: %w", last, err)
		}
		calls, err := acwCalls(tx, rows)
		if err != nil {
			return n, err
		}
		for i := range rows {
			stateClosed(r, &rows[i], calls[rows[i].CallUUID])
		}
		n += int64(len(rows))
		if len(rows) < rebuildBatch {
			return n, nil
		}
		last = rows[len(rows)-1].ID
	}
}

// insertRollups writes fresh rollup rows in bulk (the rows must not exist).
func insertRollups(tx *gorm.DB, r rollup) error {
	byTable := map[string][]map[string]any{}
	for _, k := range r.keys() {
		row, _ := k.row()
		for col, n := range r[k] {
			row[col] = n
		}
		byTable[k.table] = append(byTable[k.table], row)
	}
	for _, rows := range byTable {
		cols := map[string]bool{}
		for _, row := range rows {
			for c := range row {
				cols[c] = true
			}
		}
		for _, row := range rows { // one shape per table: one multi-row insert
			for c := range cols {
				if _, ok := row[c]; !ok {
					row[c] = int64(0)
				}
			}
		}
	}
	for t, rows := range byTable {
		for _, group := range byShape(rows) {
			if err := tx.Table(t).CreateInBatches(group, 500).Error; err != nil {
				return fmt.Errorf("store: write %s: %w", t, err)
			}
		}
	}
	return nil
}

// byShape groups rows by their set of columns (a multi-row insert needs one).
func byShape(rows []map[string]any) [][]map[string]any {
	idx := map[string]int{}
	var out [][]map[string]any
	for _, row := range rows {
		cols := slices.Sorted(maps.Keys(row))
		key := fmt.Sprint(cols)
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], row)
	}
	return out
}
