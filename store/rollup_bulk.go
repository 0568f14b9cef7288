package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// BulkLoader loads generated traffic (bench reports) or another system's
// history fast: rows go in with multi-row inserts (bulk_insert.go) and their rollups are
// summed in memory, written by Flush, with the same functions as the live
// path and the rebuild.
type BulkLoader struct {
	s *Store
	r rollup
}

// NewBulkLoader starts a load.
func (s *Store) NewBulkLoader() *BulkLoader { return &BulkLoader{s: s, r: rollup{}} }

// Attempts inserts attempts (ids assigned by the database).
func (b *BulkLoader) Attempts(ctx context.Context, rows []Attempt) error {
	ids, err := bulkAttempts.insert(ctx, b.s, rows)
	if err != nil {
		return fmt.Errorf("store: bulk load attempts: %w", err)
	}
	for i := range rows {
		rows[i].ID = ids[i]
		attemptDial(b.r, &rows[i])
		attemptFinished(b.r, &rows[i])
	}
	return nil
}

// States inserts closed agent state rows; after-call work refers to
// attempts already loaded by call UUID.
func (b *BulkLoader) States(ctx context.Context, rows []AgentStateEvent) error {
	calls, err := acwCalls(b.s.conn(ctx), rows)
	if err != nil {
		return err
	}
	ids, err := bulkStates.insert(ctx, b.s, rows)
	if err != nil {
		return fmt.Errorf("store: bulk load agent states: %w", err)
	}
	for i := range rows {
		rows[i].ID = ids[i]
		stateClosed(b.r, &rows[i], calls[rows[i].CallUUID])
	}
	return nil
}

// QueueWaits inserts inbound callers' queue wait rows.
func (b *BulkLoader) QueueWaits(ctx context.Context, rows []QueueWait) error {
	ids, err := bulkQueueWaits.insert(ctx, b.s, rows)
	if err != nil {
		return fmt.Errorf("store: bulk load queue waits: %w", err)
	}
	for i := range rows {
		rows[i].ID = ids[i]
		queueEntered(b.r, &rows[i])
		queueLeft(b.r, &rows[i])
	}
	return nil
}

// IVRCalls inserts IVR results with their survey answers.
func (b *BulkLoader) IVRCalls(ctx context.Context, recs []IVRCallRecord) error {
	calls := make([]IVRCall, len(recs))
	for i := range recs {
		calls[i] = recs[i].IVRCall
	}
	ids, err := bulkIVRCalls.insert(ctx, b.s, calls)
	if err != nil {
		return fmt.Errorf("store: bulk load ivr calls: %w", err)
	}
	for i := range calls {
		calls[i].ID = ids[i]
	}
	var answers []IVRAnswer
	for i := range recs {
		first := len(answers)
		for _, e := range recs[i].Entries {
			answers = append(answers, IVRAnswer{IVRCallID: calls[i].ID, Var: e.Var, Digits: e.Digits})
		}
		ivrCallRolled(b.r, &calls[i], answers[first:])
	}
	if len(answers) > 0 {
		if _, err := bulkIVRAnswers.insert(ctx, b.s, answers); err != nil {
			return fmt.Errorf("store: bulk load ivr answers: %w", err)
		}
	}
	return nil
}

// Messages inserts delivery-log rows (sms, email, fax) in their final
// status.
func (b *BulkLoader) Messages(ctx context.Context, rows []OutboundMessage) error {
	ids, err := bulkMessages.insert(ctx, b.s, rows)
	if err != nil {
		return fmt.Errorf("store: bulk load messages: %w", err)
	}
	for i := range rows {
		rows[i].ID = ids[i]
		messageState(b.r, &rows[i], 1)
	}
	return nil
}

// Callbacks inserts callbacks. Their rollup is kept by the triggers on
// callbacks, as for any write: fold it (FoldCallbacks) after the load.
func (b *BulkLoader) Callbacks(ctx context.Context, rows []Callback) error {
	ids, err := bulkCallbacks.insert(ctx, b.s, rows)
	if err != nil {
		return fmt.Errorf("store: bulk load callbacks: %w", err)
	}
	for i := range rows {
		rows[i].ID = ids[i]
	}
	return nil
}

// QAScores inserts QA scores (items and comments empty; the QA report sums
// the other columns).
func (b *BulkLoader) QAScores(ctx context.Context, rows []QAScore) error {
	ids, err := bulkQAScores.insert(ctx, b.s, rows)
	if err != nil {
		return fmt.Errorf("store: bulk load qa scores: %w", err)
	}
	for i := range rows {
		rows[i].ID = ids[i]
		qaState(b.r, &rows[i], 1)
	}
	return nil
}

// Flush writes the summed rollups: multi-row inserts into the rollup
// tables that are empty, upserts that add to those that are not.
func (b *BulkLoader) Flush(ctx context.Context) error {
	err := b.s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		empty := map[string]bool{}
		for _, t := range rollupTables {
			var n int64
			if err := tx.Table(t).Limit(1).Count(&n).Error; err != nil {
				return err
			}
			empty[t] = n == 0
		}
		fresh, more := rollup{}, rollup{}
		for k, c := range b.r {
			if empty[k.table] {
				fresh[k] = c
			} else {
				more[k] = c
			}
		}
		if err := insertRollups(tx, fresh); err != nil {
			return err
		}
		return more.apply(tx)
	})
	if err != nil {
		return fmt.Errorf("store: bulk load rollups: %w", err)
	}
	b.r = rollup{}
	return nil
}

// Attendance inserts roster entries and agent sessions as they are (a
// bench's or another system's history) and ties each closed session's agent
// states to it (states already loaded with no session, inside its hours),
// as the desk does live, so the attendance report finds their breaks.
func (b *BulkLoader) Attendance(ctx context.Context, roster []RosterEntry, sessions []AgentSession) error {
	db := b.s.conn(ctx)
	if len(roster) > 0 {
		if err := db.CreateInBatches(roster, 1000).Error; err != nil {
			return fmt.Errorf("store: bulk load roster: %w", err)
		}
	}
	if len(sessions) == 0 {
		return nil
	}
	if err := db.CreateInBatches(sessions, 1000).Error; err != nil {
		return fmt.Errorf("store: bulk load agent sessions: %w", err)
	}
	return db.Transaction(func(tx *gorm.DB) error {
		for _, a := range sessions {
			if a.SignedOutAt == nil {
				continue
			}
			err := tx.Model(&AgentStateEvent{}).Where("agent_id = ? AND at >= ? AND at < ? AND session_id = 0", a.AgentID, a.SignedInAt, *a.SignedOutAt).
				Update("session_id", a.ID).Error
			if err != nil {
				return fmt.Errorf("store: bulk load: states of agent session %d: %w", a.ID, err)
			}
		}
		return nil
	})
}
