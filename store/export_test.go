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
