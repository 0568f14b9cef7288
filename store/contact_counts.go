package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// Contacts by campaign and status, kept by the database itself.
//
// Contacts change status in a great many places (dialing, finishing,
// callbacks, blacklist entries across campaigns, assignments, imports by
// LOAD DATA and by multi-row INSERT, deleting a campaign...). Rather than
// chase each one in Go, triggers on contacts record every change, and the
// reports read the result in milliseconds instead of a GROUP BY over
// millions of contacts (1.75 s at 3 M contacts on MariaDB).
//
// The triggers never update a shared counter row: two transactions adding to
// the same campaign and status would wait on each other, and deadlock when
// they touch two counters in opposite orders. They append rows to
// contact_count_deltas instead (an insert takes no lock another insert waits
// on). The count is contact_counts plus the deltas not yet folded into it;
// FoldContactCounts moves the deltas into contact_counts now and then so
// that the log stays small.

// ContactCount is the number of contacts of a campaign in a status, as of
// the last fold (add the deltas for the count now).
type ContactCount struct {
	CampaignID int64         `gorm:"primaryKey;autoIncrement:false"`
	Status     ContactStatus `gorm:"primaryKey;type:varchar(16)"`
	N          int64         `gorm:"not null;default:0"`
}

// TableName is fixed: the triggers name it.
func (ContactCount) TableName() string { return "contact_counts" }

// ContactCountDelta is one change of a count, written by the triggers on
// contacts only: +1 for a contact entering (campaign, status), -1 for one
// leaving it.
type ContactCountDelta struct {
	ID         int64         `gorm:"primaryKey"`
	CampaignID int64         `gorm:"not null"`
	Status     ContactStatus `gorm:"type:varchar(16);not null"`
	N          int64         `gorm:"not null"`
}

// TableName is fixed: the triggers name it (gorm would not pluralise "delta" so).
func (ContactCountDelta) TableName() string { return "contact_count_deltas" }

// triggerDef is one trigger: its name, event and body after the ON clause,
// per driver. MySQL fires AFTER UPDATE for every updated row, so an update
// trigger's body tests for a change; SQLite can say so in the trigger's head.
type triggerDef struct {
	name, event, sqlite, mysql string
}

// contactCountTriggers are the triggers on contacts.
var contactCountTriggers = []triggerDef{
	{"contacts_count_insert", "AFTER INSERT",
		"BEGIN INSERT INTO contact_count_deltas (campaign_id, status, n) VALUES (NEW.campaign_id, NEW.status, 1); END",
		"INSERT INTO contact_count_deltas (campaign_id, status, n) VALUES (NEW.campaign_id, NEW.status, 1)"},
	{"contacts_count_update", "AFTER UPDATE",
		"WHEN NEW.status IS NOT OLD.status OR NEW.campaign_id IS NOT OLD.campaign_id BEGIN " +
			"INSERT INTO contact_count_deltas (campaign_id, status, n) VALUES (OLD.campaign_id, OLD.status, -1), (NEW.campaign_id, NEW.status, 1); END",
		"IF NOT (NEW.status <=> OLD.status AND NEW.campaign_id <=> OLD.campaign_id) THEN " +
			"INSERT INTO contact_count_deltas (campaign_id, status, n) VALUES (OLD.campaign_id, OLD.status, -1), (NEW.campaign_id, NEW.status, 1); END IF"},
	{"contacts_count_delete", "AFTER DELETE",
		"BEGIN INSERT INTO contact_count_deltas (campaign_id, status, n) VALUES (OLD.campaign_id, OLD.status, -1); END",
		"INSERT INTO contact_count_deltas (campaign_id, status, n) VALUES (OLD.campaign_id, OLD.status, -1)"},
}

// ensureContactCountTriggers creates the missing triggers on contacts.
func (s *Store) ensureContactCountTriggers(ctx context.Context) (created bool, err error) {
	return s.ensureTriggers(ctx, "contacts", contactCountTriggers, "the contact counts")
}

// ensureTriggers creates the missing triggers of a table, never replacing
// one (DROP then CREATE would let another instance's writes through
// uncounted), and says whether it created any: the rows' changes made
// without it were not counted, so Migrate rebuilds what they keep. need
// names what needs them, for the error.
func (s *Store) ensureTriggers(ctx context.Context, table string, defs []triggerDef, need string) (created bool, err error) {
	have, err := s.triggersOn(ctx, table)
	if err != nil {
		return false, err
	}
	for _, tr := range defs {
		if have[tr.name] {
			continue
		}
		body := tr.sqlite
		if s.driver == "mysql" {
			body = "FOR EACH ROW " + tr.mysql
		}
		err := s.conn(ctx).Exec("CREATE TRIGGER " + tr.name + " " + tr.event + " ON " + table + " " + body).Error
		if err != nil {
			// Another instance starting at the same moment may have created it.
			if now, err2 := s.triggersOn(ctx, table); err2 == nil && now[tr.name] {
				continue
			}
			if s.driver == "mysql" {
				return created, fmt.Errorf("store: create trigger %s on %s (%s need it): the database user needs the TRIGGER privilege, "+
					"and while binary logging is on MySQL/MariaDB also wants SUPER or the server variable log_bin_trust_function_creators=1: %w", tr.name, table, need, err)
			}
			return created, fmt.Errorf("store: create trigger %s on %s: %w", tr.name, table, err)
		}
		created = true
	}
	return created, nil
}

// contactCountTriggers reads which of the triggers on contacts exist.
func (s *Store) contactCountTriggers(ctx context.Context) (map[string]bool, error) {
	return s.triggersOn(ctx, "contacts")
}

// triggersOn reads which triggers a table has.
func (s *Store) triggersOn(ctx context.Context, table string) (map[string]bool, error) {
	q := "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?"
	if s.driver == "mysql" {
		q = "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ?"
	}
	var names []string
	if err := s.conn(ctx).Raw(q, table).Scan(&names).Error; err != nil {
		return nil, fmt.Errorf("store: read triggers on %s: %w", table, err)
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out, nil
}

// campaignStatusCount is one (campaign, status) count as read.
type campaignStatusCount struct {
	CampaignID int64
	Status     ContactStatus
	N          int64
}

// ContactCounts returns the contacts of the given campaigns (all when none)
// by status, exact as of now: the folded counts plus the deltas not yet
// folded, read in one statement so that a fold committing meanwhile is seen
// either whole or not at all. Statuses without contacts are left out.
func (s *Store) ContactCounts(ctx context.Context, campaignIDs ...int64) (map[int64]map[ContactStatus]int64, error) {
	where, args := "", []any{}
	if len(campaignIDs) > 0 {
		where, args = " WHERE campaign_id IN ?", []any{campaignIDs, campaignIDs}
	}
	var rows []campaignStatusCount
	err := s.conn(ctx).Raw("SELECT campaign_id, status, SUM(n) AS n FROM ("+
		"SELECT campaign_id, status, n FROM contact_counts"+where+
		" UNION ALL SELECT campaign_id, status, n FROM contact_count_deltas"+where+
		") c GROUP BY campaign_id, status", args...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: contact counts: %w", err)
	}
	out := map[int64]map[ContactStatus]int64{}
	for _, r := range rows {
		if r.N == 0 {
			continue
		}
		if out[r.CampaignID] == nil {
			out[r.CampaignID] = map[ContactStatus]int64{}
		}
		out[r.CampaignID][r.Status] = r.N
	}
	return out, nil
}

// foldBatch is how many deltas one fold transaction moves: its locks and
// the ids it deletes stay bounded when a big import or a campaign's
// deletion left hundreds of thousands. A variable for the tests.
var foldBatch = 5000

// FoldThreshold is how many deltas make the scheduler fold before its
// regular time (see ContactCountsBacklog).
const FoldThreshold = 5000

// FoldContactCounts moves the deltas written so far into contact_counts and
// returns how many it moved. It is safe beside any number of writers and
// other folds (a second instance): see foldContactCountsOnce.
func (s *Store) FoldContactCounts(ctx context.Context) (int64, error) {
	var total int64
	for {
		n, err := s.foldContactCountsOnce(ctx)
		total += n
		if err != nil {
			return total, err
		}
		if n < int64(foldBatch) {
			return total, nil
		}
	}
}

// foldContactCountsOnce folds up to foldBatch deltas in one transaction.
//
// On MySQL the deltas are read with a locking read up to the highest id
// committed when the fold began: a row that a still-open transaction
// inserted below that id is waited for (then counted, or gone if that
// transaction rolled back), and a row whose id was handed out but not yet
// written is not read, so it is left for the next fold. Exactly the ids read
// are deleted (never a range, which could take such a late row without
// having counted it), in the same transaction as the counts they moved
// into, so a reader sees the delta or the count, never both nor neither.
// READ COMMITTED keeps the locking read from taking gap locks: the writers'
// trigger inserts above the range never wait for a fold (nor deadlock with
// it, as a writer adding a second delta behind a gap lock while the fold
// waits for its first would). It needs binlog_format ROW or MIXED, the
// defaults. SQLite's write transaction excludes every writer for its
// duration.
func (s *Store) foldContactCountsOnce(ctx context.Context) (int64, error) {
	var opts []*sql.TxOptions
	if s.driver == "mysql" {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	}
	var n int64
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var maxID *int64
		if err := tx.Raw("SELECT MAX(id) FROM contact_count_deltas").Scan(&maxID).Error; err != nil {
			return fmt.Errorf("store: newest contact count delta: %w", err)
		}
		if maxID == nil {
			return nil
		}
		q := "SELECT id, campaign_id, status, n FROM contact_count_deltas WHERE id <= ? ORDER BY id LIMIT ?"
		if s.driver == "mysql" {
			q += " FOR UPDATE"
		}
		var rows []ContactCountDelta
		if err := tx.Raw(q, *maxID, foldBatch).Scan(&rows).Error; err != nil {
			return fmt.Errorf("store: read contact count deltas: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		sums := map[campaignStatusKey]int64{}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			sums[campaignStatusKey{r.CampaignID, r.Status}] += r.N
			ids[i] = r.ID
		}
		if err := addContactCounts(tx, sums); err != nil {
			return err
		}
		for start := 0; start < len(ids); start += 1000 {
			chunk := ids[start:min(start+1000, len(ids))]
			if err := tx.Exec("DELETE FROM contact_count_deltas WHERE id IN ?", chunk).Error; err != nil {
				return fmt.Errorf("store: delete folded contact count deltas: %w", err)
			}
		}
		n = int64(len(rows))
		return nil
	}, opts...)
	if err != nil {
		return 0, fmt.Errorf("store: fold contact counts: %w", err)
	}
	return n, nil
}

type campaignStatusKey struct {
	campaignID int64
	status     ContactStatus
}

// addContactCounts adds sums to contact_counts in key order (two folds
// lock the rows in one order, never crosswise) and drops the rows that
// reach zero (a deleted campaign's).
func addContactCounts(tx *gorm.DB, sums map[campaignStatusKey]int64) error {
	keys := slices.SortedFunc(maps.Keys(sums), func(a, b campaignStatusKey) int {
		return cmp.Or(cmp.Compare(a.campaignID, b.campaignID), cmp.Compare(a.status, b.status))
	})
	upsert := " ON CONFLICT (campaign_id, status) DO UPDATE SET n = contact_counts.n + excluded.n"
	if tx.Dialector.Name() == "mysql" {
		upsert = " ON DUPLICATE KEY UPDATE n = n + VALUES(n)"
	}
	var zero []campaignStatusKey
	for start := 0; start < len(keys); start += 1000 {
		chunk := keys[start:min(start+1000, len(keys))]
		vals := make([]string, 0, len(chunk))
		args := make([]any, 0, 3*len(chunk))
		for _, k := range chunk {
			if sums[k] == 0 {
				continue
			}
			vals = append(vals, "(?, ?, ?)")
			args = append(args, k.campaignID, k.status, sums[k])
			if sums[k] < 0 {
				zero = append(zero, k)
			}
		}
		if len(vals) == 0 {
			continue
		}
		err := tx.Exec("INSERT INTO contact_counts (campaign_id, status, n) VALUES "+strings.Join(vals, ", ")+upsert, args...).Error
		if err != nil {
			return fmt.Errorf("store: add to contact counts: %w", err)
		}
	}
	for _, k := range zero { // only a count that went down can have reached zero
		if err := tx.Exec("DELETE FROM contact_counts WHERE campaign_id = ? AND status = ? AND n = 0", k.campaignID, k.status).Error; err != nil {
			return fmt.Errorf("store: drop empty contact count: %w", err)
		}
	}
	return nil
}

// ContactCountsBacklog is about how many deltas wait to be folded (the id
// span of the log: two index lookups, however long it is).
func (s *Store) ContactCountsBacklog(ctx context.Context) (int64, error) {
	var span *int64
	if err := s.conn(ctx).Raw("SELECT MAX(id) - MIN(id) + 1 FROM contact_count_deltas").Scan(&span).Error; err != nil {
		return 0, fmt.Errorf("store: contact count backlog: %w", err)
	}
	if span == nil {
		return 0, nil
	}
	return *span, nil
}

// RebuildContactCounts recomputes contact_counts from the contacts and
// empties the delta log, in one transaction, and returns how many contacts
// it counted. On MySQL the count is a locking read (LOCK IN SHARE MODE):
// it waits for every transaction that has changed a contact to commit, and
// holds writers of contacts off until the rebuild commits, so every delta
// it deletes is one the count reflects and no delta of a change it did not
// see is deleted. SQLite's write transaction excludes writers likewise.
// Writers wait for it (about 2 s at 3 M contacts): run it from the rollup
// rebuild or the first start, not on a schedule.
func (s *Store) RebuildContactCounts(ctx context.Context) (int64, error) {
	var total int64
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		total, err = rebuildContactCounts(tx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: rebuild contact counts: %w", err)
	}
	return total, nil
}

// rebuildContactCountsTx is migration 8: the contacts stored before the
// triggers existed are counted.
func rebuildContactCountsTx(tx *gorm.DB) error {
	_, err := rebuildContactCounts(tx)
	return err
}

func rebuildContactCounts(tx *gorm.DB) (int64, error) {
	lock := ""
	if tx.Dialector.Name() == "mysql" {
		lock = " LOCK IN SHARE MODE"
	}
	var rows []campaignStatusCount
	if err := tx.Raw("SELECT campaign_id, status, COUNT(*) AS n FROM contacts GROUP BY campaign_id, status" + lock).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("store: count contacts: %w", err)
	}
	for _, t := range []string{"contact_count_deltas", "contact_counts"} {
		if err := tx.Exec("DELETE FROM " + t).Error; err != nil {
			return 0, fmt.Errorf("store: clear %s: %w", t, err)
		}
	}
	var total int64
	sums := map[campaignStatusKey]int64{}
	for _, r := range rows {
		sums[campaignStatusKey{r.CampaignID, r.Status}] = r.N
		total += r.N
	}
	return total, addContactCounts(tx, sums)
}
