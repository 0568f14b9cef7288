package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Recording is one call's audio file (R32): written by the switch while the
// customer is bridged, registered when the call ends with the file's size
// and SHA-256 so a played file can be shown to be the one recorded. Path is
// relative to the configured recordings folder. A recording past the
// retention period is deleted from disk and kept as a row (DeletedAt), so
// history still says a recording existed and when it was removed.
type Recording struct {
	ID         int64      `gorm:"primaryKey" json:"id"`
	AttemptID  int64      `gorm:"not null;index" json:"attempt_id"`
	CallUUID   string     `gorm:"column:call_uuid;type:varchar(64);not null;index" json:"call_uuid"`
	CampaignID int64      `gorm:"not null;index" json:"campaign_id,omitempty"`
	AgentID    int64      `gorm:"not null;index" json:"agent_id,omitempty"`
	Path       string     `gorm:"type:varchar(512);not null" json:"-"`
	Format     string     `gorm:"type:varchar(8);not null;default:'wav'" json:"format"`
	Bytes      int64      `gorm:"not null" json:"bytes"`
	SHA256     string     `gorm:"column:sha256;type:varchar(64);not null" json:"sha256"`
	StartedAt  time.Time  `gorm:"not null;index" json:"started_at"`
	EndedAt    time.Time  `gorm:"not null" json:"ended_at"`
	DeletedAt  *time.Time `json:"deleted_at,omitempty"` // removed by retention
	CreatedAt  time.Time  `json:"created_at"`
}

// DurationMS is how long the recording runs.
func (r *Recording) DurationMS() int64 { return r.EndedAt.Sub(r.StartedAt).Milliseconds() }

// SaveRecording registers a finished recording. Its attempt must exist.
func (s *Store) SaveRecording(ctx context.Context, r *Recording) error {
	switch {
	case r.AttemptID == 0 || r.CallUUID == "":
		return Invalid("attempt_id", "a recording belongs to a call attempt")
	case r.Path == "":
		return Invalid("path", "is required")
	case len(r.SHA256) != 64:
		return Invalid("sha256", "must be 64 hex digits")
	case r.EndedAt.Before(r.StartedAt):
		return Invalid("ended_at", "is before started_at")
	}
	if err := s.conn(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("store: save recording of attempt %d: %w", r.AttemptID, err)
	}
	return nil
}

// RecordingsOf lists an attempt's recordings in order (a call recorded in
// parts, e.g. around a verification in the IVR, has several).
func (s *Store) RecordingsOf(ctx context.Context, attemptID int64) ([]Recording, error) {
	var out []Recording
	if err := s.conn(ctx).Where("attempt_id = ?", attemptID).Order("started_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: recordings of attempt %d: %w", attemptID, err)
	}
	return out, nil
}

// GetRecording returns one recording, deleted or not.
func (s *Store) GetRecording(ctx context.Context, id int64) (*Recording, error) {
	var r Recording
	err := s.conn(ctx).First(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: recording %d: %w", id, err)
	}
	return &r, nil
}

// ExpiredRecordings returns up to limit recordings that ended before
// cutoff and are still on disk, oldest first.
func (s *Store) ExpiredRecordings(ctx context.Context, cutoff time.Time, limit int) ([]Recording, error) {
	var out []Recording
	err := s.conn(ctx).Where("deleted_at IS NULL AND ended_at < ?", ts(cutoff)).Order("ended_at, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: expired recordings: %w", err)
	}
	return out, nil
}

// MarkRecordingDeleted records that retention removed the file, with the
// audit entry saying so in the same transaction.
func (s *Store) MarkRecordingDeleted(ctx context.Context, id int64, at time.Time, audit *AuditEntry) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Recording{}).Where("id = ? AND deleted_at IS NULL", id).Update("deleted_at", ts(at))
		if res.Error != nil {
			return fmt.Errorf("store: mark recording %d deleted: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // already marked by another instance
		}
		if err := tx.Create(audit).Error; err != nil {
			return fmt.Errorf("store: audit recording %d deletion: %w", id, err)
		}
		return nil
	})
}
