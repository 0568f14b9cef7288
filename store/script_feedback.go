package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// FeedbackStatus is where an agent's feedback on a script node stands.
type FeedbackStatus string

// Feedback statuses (R31): new, answered by a manager, resolved.
const (
	FeedbackOpen     FeedbackStatus = "open"
	FeedbackAnswered FeedbackStatus = "answered"
	FeedbackResolved FeedbackStatus = "resolved"
)

// FeedbackStatuses lists every FeedbackStatus.
var FeedbackStatuses = []FeedbackStatus{FeedbackOpen, FeedbackAnswered, FeedbackResolved}

// EnumValues lists the feedback statuses.
func (FeedbackStatus) EnumValues() []string { return enumStrings(FeedbackStatuses) }

// ScriptFeedback is an agent's flag on a node of a script version, with a
// manager's answer.
type ScriptFeedback struct {
	ID         int64          `gorm:"primaryKey" json:"id"`
	ScriptID   int64          `gorm:"index;not null" json:"script_id"`
	Version    int            `gorm:"not null" json:"version"`
	NodeID     string         `gorm:"type:varchar(64);not null" json:"node_id"`
	AgentID    int64          `gorm:"index;not null" json:"agent_id"`
	Comment    string         `gorm:"type:text" json:"comment"`
	Status     FeedbackStatus `gorm:"type:varchar(16);index;not null" json:"status"`
	Answer     string         `gorm:"type:text" json:"answer,omitempty"`
	AnsweredBy int64          `json:"answered_by,omitempty"`
	AnsweredAt *time.Time     `json:"answered_at,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
}

// CreateScriptFeedback stores an agent's flag on a node; version 0 means
// the published one (else the newest).
func (s *Store) CreateScriptFeedback(ctx context.Context, f *ScriptFeedback) error {
	f.Comment = strings.TrimSpace(f.Comment)
	if f.Comment == "" || len([]rune(f.Comment)) > 2000 {
		return Invalid("comment", "is required (at most 2000 characters)")
	}
	sc, err := s.GetScript(ctx, f.ScriptID, 0)
	if err != nil {
		return err
	}
	if f.Version == 0 {
		f.Version = max(sc.PublishedVersion, 1)
		if sc.PublishedVersion == 0 {
			f.Version = sc.Version
		}
	}
	v, err := s.ScriptVersionOf(ctx, f.ScriptID, f.Version)
	if err != nil {
		return Invalid("version", fmt.Sprintf("script %d has no version %d", f.ScriptID, f.Version))
	}
	if v.Flow().Node(f.NodeID) == nil {
		return Invalid("node_id", fmt.Sprintf("node %q is not in script %d version %d", f.NodeID, f.ScriptID, f.Version))
	}
	f.Status = FeedbackOpen
	if err := s.conn(ctx).Create(f).Error; err != nil {
		return fmt.Errorf("store: script feedback: %w", err)
	}
	return nil
}

// FeedbackFilter narrows ListScriptFeedback.
type FeedbackFilter struct {
	ScriptID int64
	AgentID  int64
	Status   FeedbackStatus
	Page     Page
}

// ListScriptFeedback lists feedback, newest first.
func (s *Store) ListScriptFeedback(ctx context.Context, f FeedbackFilter) ([]ScriptFeedback, int64, error) {
	q := s.conn(ctx).Model(&ScriptFeedback{})
	if f.ScriptID != 0 {
		q = q.Where("script_id = ?", f.ScriptID)
	}
	if f.AgentID != 0 {
		q = q.Where("agent_id = ?", f.AgentID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count script feedback: %w", err)
	}
	var out []ScriptFeedback
	if err := f.Page.apply(q).Order("id DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list script feedback: %w", err)
	}
	return out, total, nil
}

// AnswerScriptFeedback lets a manager answer feedback and set its status
// (answered when only an answer is given).
func (s *Store) AnswerScriptFeedback(ctx context.Context, id, by int64, answer string, status FeedbackStatus) (*ScriptFeedback, error) {
	answer = strings.TrimSpace(answer)
	if status == "" {
		status = FeedbackAnswered
	}
	if !OneOf(status) {
		return nil, &ValidationError{Fields: []FieldError{EnumError("status", status)}}
	}
	if len([]rune(answer)) > 2000 {
		return nil, Invalid("answer", "is at most 2000 characters")
	}
	var f ScriptFeedback
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&f, id).Error; err != nil {
			return fmt.Errorf("store: script feedback %d: %w", id, translate(err))
		}
		if answer != "" {
			now := s.now()
			f.Answer, f.AnsweredBy, f.AnsweredAt = answer, by, &now
		}
		f.Status = status
		return tx.Save(&f).Error
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}
