package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The callbacks rollup: callbacks by the hour they were booked, campaign and
// agent, by what became of them, for the workflow report (a GROUP BY over
// the callbacks took 1.32 s at 500,000 on MariaDB).
//
// Callbacks change status, agent and group hand-over in about a dozen
// places (booking, editing, cancelling, offering, dialing and closing,
// handing to a group, a contact's new callback cancelling its older one,
// deletes...), so the rollup is kept as the contact counts are
// (contact_counts.go): triggers on callbacks append +1/-1 rows to
// callback_deltas for every change of a keyed column (created_at,
// campaign_id, agent_id, status, handed_to_group_at set or not), and
// FoldCallbacks moves them into callback_hours and callback_days, deleting
// exactly the ids it moved in the same transaction. serve's scheduler folds
// every few seconds (the folder in cmd/callcenter/schedule.go), and the
// workflow report folds before it reads (see workflowReport).

// CallbackHour is one campaign's and agent's callbacks booked in one UTC
// hour, by their state now.
type CallbackHour struct {
	Hour       time.Time `gorm:"primaryKey" json:"hour"`
	CampaignID int64     `gorm:"primaryKey;autoIncrement:false" json:"campaign_id"`
	AgentID    int64     `gorm:"primaryKey;autoIncrement:false" json:"agent_id"`
	Booked     int64     `gorm:"not null;default:0" json:"booked"`
	Kept       int64     `gorm:"not null;default:0" json:"kept"` // done
	Missed     int64     `gorm:"not null;default:0" json:"missed"`
	Cancelled  int64     `gorm:"not null;default:0" json:"cancelled"`
	StillOpen  int64     `gorm:"not null;default:0" json:"still_open"` // scheduled or offered
	Handed     int64     `gorm:"not null;default:0" json:"handed"`     // handed to the group
}

// CallbackDay is CallbackHour per day of ReportZone.
type CallbackDay struct{ CallbackHour }

// TableName names the day table.
func (CallbackDay) TableName() string { return "callback_days" }

// CallbackDelta is one change of the callbacks rollup, written by the
// triggers on callbacks only: +1 for a callback entering (created_at,
// campaign, agent, status, handed), -1 for one leaving it. CreatedAt is the
// callback's, copied as stored: the fold buckets it.
type CallbackDelta struct {
	ID         int64          `gorm:"primaryKey"`
	CreatedAt  *time.Time     `gorm:"autoCreateTime:false"`
	CampaignID int64          `gorm:"not null"`
	AgentID    int64          `gorm:"not null"`
	Status     CallbackStatus `gorm:"type:varchar(16);not null"`
	Handed     bool           `gorm:"not null"`
	N          int64          `gorm:"not null"`
}

// TableName is fixed: the triggers name it.
func (CallbackDelta) TableName() string { return "callback_deltas" }

// callbackTriggers keep callback_deltas. campaign_id, agent_id (0: none)
// and status are NOT NULL on callbacks; created_at is compared null-safely.
var callbackTriggers = func() []triggerDef {
	cols := "INSERT INTO callback_deltas (created_at, campaign_id, agent_id, status, handed, n) VALUES "
	row := func(r, n string) string {
		return "(" + r + ".created_at, " + r + ".campaign_id, " + r + ".agent_id, " + r + ".status, " + r + ".handed_to_group_at IS NOT NULL, " + n + ")"
	}
	ins, del, upd := cols+row("NEW", "1"), cols+row("OLD", "-1"), cols+row("OLD", "-1")+", "+row("NEW", "1")
	return []triggerDef{
		{"callbacks_rollup_insert", "AFTER INSERT", "BEGIN " + ins + "; END", ins},
		{"callbacks_rollup_update", "AFTER UPDATE",
			"WHEN NEW.status IS NOT OLD.status OR NEW.campaign_id IS NOT OLD.campaign_id OR NEW.agent_id IS NOT OLD.agent_id " +
				"OR NEW.created_at IS NOT OLD.created_at OR (NEW.handed_to_group_at IS NULL) <> (OLD.handed_to_group_at IS NULL) BEGIN " + upd + "; END",
			"IF NOT (NEW.status <=> OLD.status AND NEW.campaign_id <=> OLD.campaign_id AND NEW.agent_id <=> OLD.agent_id " +
				"AND NEW.created_at <=> OLD.created_at AND (NEW.handed_to_group_at IS NULL) = (OLD.handed_to_group_at IS NULL)) THEN " + upd + "; END IF"},
		{"callbacks_rollup_delete", "AFTER DELETE", "BEGIN " + del + "; END", del},
	}
}()

// ensureCallbackTriggers creates the missing triggers on callbacks.
func (s *Store) ensureCallbackTriggers(ctx context.Context) (bool, error) {
	return s.ensureTriggers(ctx, "callbacks", callbackTriggers, "the workflow report's rollup")
}

// callbackFigures are a rollup row's sums: booked, kept, missed, cancelled,
// still open, handed to a group (the order of callbackColumns).
type callbackFigures [6]int64

var callbackColumns = []string{"booked", "kept", "missed", "cancelled", "still_open", "handed"}

// callbackKey is one row of callback_hours (day false) or callback_days.
type callbackKey struct {
	day        bool
	hour       time.Time
	campaignID int64
	agentID    int64
}

// callbackSums are increments of the callbacks rollup.
type callbackSums map[callbackKey]*callbackFigures

// add adds n callbacks created at t of a campaign, agent, status and
// hand-over to both the hour's and the day's row.
func (c callbackSums) add(t time.Time, campaignID, agentID int64, status CallbackStatus, handed bool, n int64) {
	var f callbackFigures
	f[0] = n
	switch status {
	case CallbackDone:
		f[1] = n
	case CallbackMissed:
		f[2] = n
	case CallbackCancelled:
		f[3] = n
	case CallbackScheduled, CallbackOffered:
		f[4] = n
	}
	if handed {
		f[5] = n
	}
	for _, k := range []callbackKey{{false, hourOf(t), campaignID, agentID}, {true, dayOf(t), campaignID, agentID}} {
		cur := c[k]
		if cur == nil {
			cur = &callbackFigures{}
			c[k] = cur
		}
		for i := range f {
			cur[i] += f[i]
		}
	}
}

// write adds the increments to the tables in key order (two folds lock the
// rows in one order, never crosswise) and drops the rows that reach zero
// (every figure of a row is zero once its booked count is).
func (c callbackSums) write(tx *gorm.DB) error {
	keys := slices.SortedFunc(maps.Keys(c), func(a, b callbackKey) int {
		if a.day != b.day {
			if a.day {
				return 1
			}
			return -1
		}
		return cmp.Or(a.hour.Compare(b.hour), cmp.Compare(a.campaignID, b.campaignID), cmp.Compare(a.agentID, b.agentID))
	})
	mysql := tx.Dialector.Name() == "mysql"
	var zero []callbackKey
	for _, day := range []bool{false, true} {
		table := "callback_hours"
		if day {
			table = "callback_days"
		}
		set := make([]string, len(callbackColumns))
		for i, col := range callbackColumns {
			if mysql {
				set[i] = col + " = " + col + " + VALUES(" + col + ")"
			} else {
				set[i] = col + " = " + table + "." + col + " + excluded." + col
			}
		}
		upsert := " ON CONFLICT (hour, campaign_id, agent_id) DO UPDATE SET " + strings.Join(set, ", ")
		if mysql {
			upsert = " ON DUPLICATE KEY UPDATE " + strings.Join(set, ", ")
		}
		var vals []string
		var args []any
		flush := func() error {
			if len(vals) == 0 {
				return nil
			}
			err := tx.Exec("INSERT INTO "+table+" (hour, campaign_id, agent_id, "+strings.Join(callbackColumns, ", ")+") VALUES "+
				strings.Join(vals, ", ")+upsert, args...).Error
			vals, args = vals[:0], args[:0]
			if err != nil {
				return fmt.Errorf("store: add to %s: %w", table, err)
			}
			return nil
		}
		for _, k := range keys {
			f := c[k]
			if k.day != day || *f == (callbackFigures{}) {
				continue
			}
			vals = append(vals, "(?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, k.hour, k.campaignID, k.agentID, f[0], f[1], f[2], f[3], f[4], f[5])
			if f[0] < 0 {
				zero = append(zero, k)
			}
			if len(vals) == 1000 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
	}
	for _, k := range zero { // only a row whose count went down can have reached zero
		table := "callback_hours"
		if k.day {
			table = "callback_days"
		}
		err := tx.Exec("DELETE FROM "+table+" WHERE hour = ? AND campaign_id = ? AND agent_id = ? AND booked = 0", k.hour, k.campaignID, k.agentID).Error
		if err != nil {
			return fmt.Errorf("store: drop empty %s row: %w", table, err)
		}
	}
	return nil
}

// FoldCallbacks moves the callback deltas written so far into the rollup
// and returns how many it moved. It is safe beside any number of writers
// and other folds, as FoldContactCounts is; with no delta waiting it is one
// index lookup and takes no write lock (SQLite's writers' turn included).
func (s *Store) FoldCallbacks(ctx context.Context) (int64, error) {
	var total int64
	for {
		n, err := s.foldCallbacksOnce(ctx)
		total += n
		if err != nil {
			return total, err
		}
		if n < int64(foldBatch) {
			return total, nil
		}
	}
}

// foldCallbacksOnce folds up to foldBatch deltas in one transaction, the
// way foldContactCountsOnce does and for the same reasons: a locking read
// up to the highest id committed when it began, under READ COMMITTED on
// MySQL, and exactly the ids read deleted with the rollup rows they moved
// into.
func (s *Store) foldCallbacksOnce(ctx context.Context) (int64, error) {
	var maxID *int64
	if err := s.conn(ctx).Raw("SELECT MAX(id) FROM callback_deltas").Scan(&maxID).Error; err != nil {
		return 0, fmt.Errorf("store: newest callback delta: %w", err)
	}
	if maxID == nil {
		return 0, nil
	}
	var opts []*sql.TxOptions
	if s.driver == "mysql" {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	}
	var n int64
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		q := "SELECT id, created_at, campaign_id, agent_id, status, handed, n FROM callback_deltas WHERE id <= ? ORDER BY id LIMIT ?"
		if s.driver == "mysql" {
			q += " FOR UPDATE"
		}
		var rows []CallbackDelta
		if err := tx.Raw(q, *maxID, foldBatch).Scan(&rows).Error; err != nil {
			return fmt.Errorf("store: read callback deltas: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		sums := callbackSums{}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			if r.CreatedAt != nil { // a callback without one is in no period
				sums.add(*r.CreatedAt, r.CampaignID, r.AgentID, r.Status, r.Handed, r.N)
			}
			ids[i] = r.ID
		}
		if err := sums.write(tx); err != nil {
			return err
		}
		for start := 0; start < len(ids); start += 1000 {
			chunk := ids[start:min(start+1000, len(ids))]
			if err := tx.Exec("DELETE FROM callback_deltas WHERE id IN ?", chunk).Error; err != nil {
				return fmt.Errorf("store: delete folded callback deltas: %w", err)
			}
		}
		n = int64(len(rows))
		return nil
	}, opts...)
	if err != nil {
		return 0, fmt.Errorf("store: fold callbacks: %w", err)
	}
	return n, nil
}

// CallbacksBacklog is about how many callback deltas wait to be folded
// (the id span of the log).
func (s *Store) CallbacksBacklog(ctx context.Context) (int64, error) {
	var span *int64
	if err := s.conn(ctx).Raw("SELECT MAX(id) - MIN(id) + 1 FROM callback_deltas").Scan(&span).Error; err != nil {
		return 0, fmt.Errorf("store: callback backlog: %w", err)
	}
	if span == nil {
		return 0, nil
	}
	return *span, nil
}

// DeltaBacklog is the longer of the two delta logs' backlogs (contact
// counts, callbacks): serve's folder folds both when it reaches its
// threshold.
func (s *Store) DeltaBacklog(ctx context.Context) (int64, error) {
	a, err := s.ContactCountsBacklog(ctx)
	if err != nil {
		return 0, err
	}
	b, err := s.CallbacksBacklog(ctx)
	return max(a, b), err
}

// FoldDeltas folds both delta logs and returns how many deltas it moved.
func (s *Store) FoldDeltas(ctx context.Context) (int64, error) {
	a, err := s.FoldContactCounts(ctx)
	if err != nil {
		return a, err
	}
	b, err := s.FoldCallbacks(ctx)
	return a + b, err
}

// RebuildCallbackRollups recomputes callback_hours and callback_days from
// the callbacks and empties the delta log, in one transaction, and returns
// how many callbacks it counted. On MySQL the callbacks are read with
// locking reads (LOCK IN SHARE MODE), as RebuildContactCounts reads the
// contacts: every delta deleted is one of a change the rebuild saw.
func (s *Store) RebuildCallbackRollups(ctx context.Context) (int64, error) {
	var total int64
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		total, err = rebuildCallbackRollups(tx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: rebuild callback rollups: %w", err)
	}
	return total, nil
}

// rebuildCallbackRollupsTx is migration 10: the callbacks stored before the
// triggers existed are counted.
func rebuildCallbackRollupsTx(tx *gorm.DB) error {
	_, err := rebuildCallbackRollups(tx)
	return err
}

func rebuildCallbackRollups(tx *gorm.DB) (int64, error) {
	lock := ""
	if tx.Dialector.Name() == "mysql" {
		lock = " LOCK IN SHARE MODE"
	}
	type cbRow struct {
		ID         int64
		CreatedAt  *time.Time
		CampaignID int64
		AgentID    int64
		Status     CallbackStatus
		Handed     bool
	}
	sums := callbackSums{}
	var n, last int64
	for {
		var rows []cbRow
		err := tx.Raw("SELECT id, created_at, campaign_id, agent_id, status, handed_to_group_at IS NOT NULL AS handed FROM callbacks "+
			"WHERE id > ? ORDER BY id LIMIT ?"+lock, last, rebuildBatch).Scan(&rows).Error
		if err != nil {
			return n, fmt.Errorf("store: read callbacks after %d: %w", last, err)
		}
		for _, r := range rows {
			if r.CreatedAt != nil {
				sums.add(*r.CreatedAt, r.CampaignID, r.AgentID, r.Status, r.Handed, 1)
			}
		}
		n += int64(len(rows))
		if len(rows) < rebuildBatch {
			break
		}
		last = rows[len(rows)-1].ID
	}
	for _, t := range []string{"callback_deltas", "callback_hours", "callback_days"} {
		if err := tx.Exec("DELETE FROM " + t).Error; err != nil {
			return n, fmt.Errorf("store: clear %s: %w", t, err)
		}
	}
	return n, sums.write(tx)
}
