package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// FinishUnansweredCall closes an attempt the dialer does not own (an
// agent's manual dial) that reached nobody, with the hangup's class, once:
// a finished attempt is left alone.
func (s *Store) FinishUnansweredCall(ctx context.Context, callUUID string, class ResultClass, at time.Time) error {
	if !class.Valid() {
		return fmt.Errorf("store: finish call %s: %w", callUUID, &ValidationError{Fields: []FieldError{{Field: "outcome", Message: "unknown result class " + string(class)}}})
	}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var id int64
		if err := tx.Model(&Attempt{}).Select("id").Where("call_uuid = ? AND finished_at IS NULL", callUUID).Limit(1).Scan(&id).Error; err != nil || id == 0 {
			return err
		}
		res := tx.Model(&Attempt{}).Where("id = ? AND finished_at IS NULL", id).
			Updates(map[string]any{"outcome": class, "finished_at": at, "updated_at": at})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return rollFinished(tx, id) // its rollups, as a rebuild counts them
	})
	if err != nil {
		return fmt.Errorf("store: finish call %s: %w", callUUID, err)
	}
	return nil
}
