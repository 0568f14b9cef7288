package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// SetContactForTest writes columns of a contact directly, to put it in a
// state the dialer tests need.
func (s *Store) SetContactForTest(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Contact{}).Where("id = ?", id).Updates(cols).Error
}

// RawForTest runs a query and scans its rows into out (EXPLAIN, counts).
func (s *Store) RawForTest(ctx context.Context, out any, sql string, args ...any) error {
	return s.conn(ctx).Raw(sql, args...).Scan(out).Error
}

// ClaimSQLForTest is the candidate query ClaimBatch runs, with its values.
func (s *Store) ClaimSQLForTest(r *DialRules, leaseToken int64, n int, now time.Time) string {
	return s.db.ToSQL(func(tx *gorm.DB) *gorm.DB {
		var ids []int64
		return r.queue(tx, leaseToken, ts(now)).Limit(n).Pluck("id", &ids)
	})
}

// EvidenceSQLForTest is the page query of EachAnsweredAttempt.
func (s *Store) EvidenceSQLForTest(campaignID int64, from time.Time) string {
	return s.db.ToSQL(func(tx *gorm.DB) *gorm.DB {
		var rows []Attempt
		return answeredQuery(tx, campaignID, from, time.Time{}).Limit(2000).Find(&rows)
	})
}
