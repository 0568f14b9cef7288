package store

import (
	"context"
	"fmt"
	"time"
)

// AuditEntry records one operator action. Entries are only ever inserted: the
// store offers no update or delete for them.
type AuditEntry struct {
	ID         int64     `gorm:"primaryKey" json:"id"`
	At         time.Time `gorm:"index;not null" json:"at"`
	UserID     int64     `gorm:"index" json:"user_id"`
	Username   string    `gorm:"type:varchar(64);index" json:"username"`
	Role       string    `gorm:"type:varchar(16)" json:"role"`
	Action     string    `gorm:"type:varchar(64);index" json:"action"`
	TargetType string    `gorm:"type:varchar(32);index" json:"target_type"`
	TargetID   string    `gorm:"type:varchar(64)" json:"target_id"`
	RequestID  string    `gorm:"type:varchar(64)" json:"request_id"`
	IP         string    `gorm:"type:varchar(64)" json:"ip"`
	Result     string    `gorm:"type:varchar(16)" json:"result"` // ok, denied, failed
	Status     int       `json:"status"`
	Detail     string    `gorm:"type:text" json:"detail"`
}

// AuditFilter narrows ListAudit.
type AuditFilter struct {
	UserID     int64
	Username   string
	Action     string
	TargetType string
	TargetID   string
	From, To   time.Time
	Page       Page
}

// Audit appends an entry.
func (s *Store) Audit(ctx context.Context, e *AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.Detail = truncate(e.Detail, 4000)
	if err := s.conn(ctx).Create(e).Error; err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	return nil
}

// ListAudit pages through the audit log, newest first.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int64, error) {
	q := s.conn(ctx).Model(&AuditEntry{})
	if f.UserID != 0 {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.Username != "" {
		q = q.Where("username = ?", f.Username)
	}
	if f.Action != "" {
		q = q.Where("action LIKE ? ESCAPE '!'", likeEscape(f.Action)+"%")
	}
	if f.TargetType != "" {
		q = q.Where("target_type = ?", f.TargetType)
	}
	if f.TargetID != "" {
		q = q.Where("target_id = ?", f.TargetID)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count audit: %w", err)
	}
	var out []AuditEntry
	if err := f.Page.apply(q).Order("at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list audit: %w", err)
	}
	return out, total, nil
}
