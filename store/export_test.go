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
