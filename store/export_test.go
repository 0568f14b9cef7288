package store

import "context"

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
