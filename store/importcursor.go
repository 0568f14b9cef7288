package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// ImportCursor remembers how far an incremental database pull has read
// (the last id or update time seen), per configured source.
type ImportCursor struct {
	Source    string `gorm:"type:varchar(64);primaryKey"`
	Value     string `gorm:"type:varchar(255)"`
	UpdatedAt time.Time
}

// ImportCursor returns the source's cursor, "" before the first pull.
func (s *Store) ImportCursor(ctx context.Context, source string) (string, error) {
	var c ImportCursor
	err := s.conn(ctx).Where("source = ?", source).First(&c).Error
	if err != nil {
		if errors.Is(translate(err), ErrNotFound) {
			return "", nil
		}
		return "", fmt.Errorf("store: import cursor %s: %w", source, err)
	}
	return c.Value, nil
}

// SetImportCursor records the source's cursor after a successful pull.
func (s *Store) SetImportCursor(ctx context.Context, source, value string) error {
	c := ImportCursor{Source: source, Value: value, UpdatedAt: s.now()}
	err := s.conn(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&c).Error
	if err != nil {
		return fmt.Errorf("store: set import cursor %s: %w", source, err)
	}
	return nil
}
