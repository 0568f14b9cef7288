package store

import (
	"context"
	"fmt"
)

// SetScreenLock turns a session's idle screen lock on or off. Locking is
// recorded server-side so that reloading the page does not unlock it.
func (s *Store) SetScreenLock(ctx context.Context, sessionID int64, locked bool) error {
	var at any // NULL unlocks
	if locked {
		at = s.now()
	}
	err := s.conn(ctx).Model(&Session{}).Where("id = ? AND revoked_at IS NULL", sessionID).Update("screen_locked_at", at).Error
	if err != nil {
		return fmt.Errorf("store: session %d screen lock: %w", sessionID, err)
	}
	return nil
}
