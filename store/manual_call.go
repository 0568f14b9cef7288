package store

import (
	"context"
	"fmt"
	"time"
)

// FinishUnansweredCall closes an attempt the dialer does not own (an
// agent's manual dial) that reached nobody, with the hangup's class, once:
// a finished attempt is left alone.
func (s *Store) FinishUnansweredCall(ctx context.Context, callUUID string, class ResultClass, at time.Time) error {
	if !class.Valid() {
		return fmt.Errorf("store: finish call %s: %w", callUUID, &ValidationError{Fields: []FieldError{{Field: "outcome", Message: "unknown result class " + string(class)}}})
	}
	err := s.conn(ctx).Model(&Attempt{}).Where("call_uuid = ? AND finished_at IS NULL", callUUID).
		Updates(map[string]any{"outcome": class, "finished_at": at, "updated_at": at}).Error
	if err != nil {
		return fmt.Errorf("store: finish call %s: %w", callUUID, err)
	}
	return nil
}
