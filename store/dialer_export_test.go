package store

import "context"

// SetContactForTest writes columns of a contact directly, to put it in a
// state the dialer tests need.
func (s *Store) SetContactForTest(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Contact{}).Where("id = ?", id).Updates(cols).Error
}

// RawForTest runs a query and scans its rows into out (EXPLAIN, counts).
func (s *Store) RawForTest(ctx context.Context, out any, sql string, args ...any) error {
	return s.conn(ctx).Raw(sql, args...).Scan(out).Error
}

// ExecForTest runs a statement.
func (s *Store) ExecForTest(ctx context.Context, sql string, args ...any) error {
	return s.conn(ctx).Exec(sql, args...).Error
}
