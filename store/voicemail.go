package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Voicemail is a message a waiting customer left for a group (R34): after
// the group's maximum wait, or with nobody of the group signed in. Path is
// relative to the recordings folder; Bytes and SHA256 show a played file is
// the one recorded. An agent of the group or a supervisor marks it handled
// once the customer has been called back.
type Voicemail struct {
	ID         int64  `gorm:"primaryKey" json:"id"`
	GroupID    int64  `gorm:"not null;index:idx_voicemails_group_created,priority:1" json:"group_id"`
	CallUUID   string `gorm:"column:call_uuid;type:varchar(64);not null;index" json:"call_uuid"`
	Caller     string `gorm:"type:varchar(32);not null;index" json:"caller"`
	CampaignID int64  `gorm:"not null;default:0" json:"campaign_id,omitempty"`
	AttemptID  int64  `gorm:"not null;default:0" json:"attempt_id,omitempty"`
	ContactID  int64  `gorm:"not null;default:0" json:"contact_id,omitempty"`
	// Reason is why voicemail was offered: max_wait or no_agent.
	Reason     VoicemailReason `gorm:"type:varchar(16);not null" json:"reason"`
	Path       string          `gorm:"type:varchar(512);not null" json:"-"`
	Format     string          `gorm:"type:varchar(8);not null;default:'wav'" json:"format"`
	Bytes      int64           `gorm:"not null" json:"bytes"`
	SHA256     string          `gorm:"column:sha256;type:varchar(64);not null" json:"sha256"`
	DurationMS int64           `gorm:"not null" json:"duration_ms"`
	CreatedAt  time.Time       `gorm:"not null;index:idx_voicemails_group_created,priority:2;index" json:"created_at"`
	HandledAt  *time.Time      `json:"handled_at,omitempty"`
	HandledBy  int64           `gorm:"not null;default:0" json:"handled_by,omitempty"`
}

// VoicemailReason is why a customer was offered voicemail.
type VoicemailReason string

// Voicemail reasons.
const (
	VoicemailMaxWait VoicemailReason = "max_wait"
	VoicemailNoAgent VoicemailReason = "no_agent"
)

// VoicemailReasons lists the reasons.
var VoicemailReasons = []VoicemailReason{VoicemailMaxWait, VoicemailNoAgent}

// EnumValues lists the reasons (store.Enum).
func (VoicemailReason) EnumValues() []string { return enumStrings(VoicemailReasons) }

// SaveVoicemail stores a recorded voicemail.
func (s *Store) SaveVoicemail(ctx context.Context, v *Voicemail) error {
	switch {
	case v.GroupID == 0:
		return Invalid("group_id", "a voicemail is left for a group")
	case v.CallUUID == "":
		return Invalid("call_uuid", "is required")
	case v.Path == "":
		return Invalid("path", "is required")
	case len(v.SHA256) != 64:
		return Invalid("sha256", "must be 64 hex digits")
	case !OneOf(v.Reason):
		return &ValidationError{Fields: []FieldError{EnumError("reason", v.Reason)}}
	}
	if v.CreatedAt.IsZero() {
		v.CreatedAt = s.now()
	}
	if err := s.conn(ctx).Create(v).Error; err != nil {
		return fmt.Errorf("store: save voicemail of call %s: %w", v.CallUUID, translate(err))
	}
	return nil
}

// GetVoicemail loads one voicemail.
func (s *Store) GetVoicemail(ctx context.Context, id int64) (*Voicemail, error) {
	var v Voicemail
	if err := s.conn(ctx).First(&v, id).Error; err != nil {
		return nil, fmt.Errorf("store: voicemail %d: %w", id, translate(err))
	}
	return &v, nil
}

// VoicemailFilter narrows ListVoicemails.
type VoicemailFilter struct {
	From, To time.Time // left in [From, To)
	// GroupIDs limits to these groups (nil: every group).
	GroupIDs []int64
	Caller   string // the whole number
	Handled  *bool
	Page     Page
}

// ListVoicemails pages through voicemails, newest first.
func (s *Store) ListVoicemails(ctx context.Context, f VoicemailFilter) ([]Voicemail, int64, error) {
	q := s.conn(ctx).Model(&Voicemail{})
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To)
	}
	if f.GroupIDs != nil {
		if len(f.GroupIDs) == 0 {
			return nil, 0, nil
		}
		q = q.Where("group_id IN ?", f.GroupIDs)
	}
	if f.Caller != "" {
		q = q.Where("caller = ?", f.Caller)
	}
	if f.Handled != nil {
		if *f.Handled {
			q = q.Where("handled_at IS NOT NULL")
		} else {
			q = q.Where("handled_at IS NULL")
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count voicemails: %w", err)
	}
	var out []Voicemail
	if err := f.Page.apply(q).Order("created_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list voicemails: %w", err)
	}
	return out, total, nil
}

// MarkVoicemailHandled records who handled a voicemail; one already
// handled is ErrConflict (the first handler stays).
func (s *Store) MarkVoicemailHandled(ctx context.Context, id, by int64, at time.Time) (*Voicemail, error) {
	var v Voicemail
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Voicemail{}).Where("id = ? AND handled_at IS NULL", id).
			Updates(map[string]any{"handled_at": at, "handled_by": by})
		if res.Error != nil {
			return fmt.Errorf("store: mark voicemail %d handled: %w", id, res.Error)
		}
		if err := tx.First(&v, id).Error; err != nil {
			return fmt.Errorf("store: voicemail %d: %w", id, translate(err))
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: voicemail %d was handled already: %w", id, ErrConflict)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}
