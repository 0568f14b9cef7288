package store

import (
	"context"
	"fmt"
)

// CheckSession tells whether a session is still good (not revoked, not
// expired, its user enabled) without counting as use: an open event stream
// polls it, and a stream alone must not keep an idle session alive.
func (s *Store) CheckSession(ctx context.Context, id int64, p SessionPolicy) error {
	var sess Session
	if err := s.conn(ctx).Where("id = ? AND revoked_at IS NULL", id).Limit(1).Find(&sess).Error; err != nil {
		return fmt.Errorf("store: session %d: %w", id, err)
	}
	now := s.now()
	if sess.ID == 0 || now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > p.Idle {
		return ErrSessionExpired
	}
	var u User
	if err := s.conn(ctx).Select("id", "disabled").Where("id = ?", sess.UserID).Limit(1).Find(&u).Error; err != nil {
		return fmt.Errorf("store: session %d user: %w", id, err)
	}
	if u.ID == 0 || u.Disabled {
		return ErrSessionExpired
	}
	return nil
}
