package store

import (
	"context"
	"fmt"
	"time"
)

// Recording is the audio of one connected call (R32): the file FreeSWITCH
// wrote (uuid_record) under the configured folder, its SHA-256 taken when
// the call ended, and what it belongs to.
type Recording struct {
	ID         int64     `gorm:"primaryKey" json:"id"`
	CallUUID   string    `gorm:"type:varchar(64);uniqueIndex;not null" json:"call_uuid"` // the customer's leg
	AgentID    int64     `gorm:"index;not null" json:"agent_id"`                         // the agent who took the call
	CampaignID int64     `gorm:"index;not null" json:"campaign_id"`
	ContactID  int64     `gorm:"not null" json:"contact_id"`
	AttemptID  int64     `gorm:"index;not null" json:"attempt_id"`
	Path       string    `gorm:"type:varchar(512);not null" json:"-"`
	SHA256     string    `gorm:"column:sha256;type:varchar(64);not null" json:"sha256"`
	Bytes      int64     `gorm:"not null" json:"bytes"`
	StartedAt  time.Time `gorm:"index;not null" json:"started_at"`
	EndedAt    time.Time `gorm:"not null" json:"ended_at"`
	CreatedAt  time.Time `json:"created_at"`
}

func (r *Recording) validate() error {
	switch {
	case r.CallUUID == "" || len(r.CallUUID) > 64:
		return Invalid("call_uuid", "is required, at most 64 bytes")
	case r.Path == "" || len(r.Path) > 512:
		return Invalid("path", "is required, at most 512 bytes")
	case len(r.SHA256) != 64:
		return Invalid("sha256", "must be 64 hex digits")
	case r.StartedAt.IsZero():
		return Invalid("started_at", "is required")
	}
	return nil
}

// CreateRecording stores a finished recording.
func (s *Store) CreateRecording(ctx context.Context, r *Recording) error {
	if err := r.validate(); err != nil {
		return err
	}
	r.StartedAt, r.EndedAt = r.StartedAt.UTC(), r.EndedAt.UTC()
	if err := s.conn(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("store: create recording %s: %w", r.CallUUID, translate(err))
	}
	return nil
}

// RecordingByCall loads the recording of a call (the customer's leg uuid).
func (s *Store) RecordingByCall(ctx context.Context, callUUID string) (*Recording, error) {
	var r Recording
	if err := s.conn(ctx).Where("call_uuid = ?", callUUID).First(&r).Error; err != nil {
		return nil, fmt.Errorf("store: recording of %s: %w", callUUID, translate(err))
	}
	return &r, nil
}

// GetAttempt loads one attempt by id.
func (s *Store) GetAttempt(ctx context.Context, id int64) (*Attempt, error) {
	var a Attempt
	if err := s.conn(ctx).First(&a, id).Error; err != nil {
		return nil, fmt.Errorf("store: attempt %d: %w", id, translate(err))
	}
	return &a, nil
}
