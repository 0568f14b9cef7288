package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
)

// BreakReason is one reason an agent may give for a break (R38); the list is
// editable, seeded with lunch, meal, restroom, meeting, training and other.
type BreakReason struct {
	ID        int64     `gorm:"primaryKey" json:"id"`
	Code      string    `gorm:"type:varchar(32);uniqueIndex;not null" json:"code"`
	LabelZH   string    `gorm:"column:label_zh;type:varchar(64);not null" json:"label_zh"`
	LabelEN   string    `gorm:"column:label_en;type:varchar(64);not null" json:"label_en"`
	SortOrder int       `gorm:"not null" json:"sort_order"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var breakCodeRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// defaultBreakReasons are the reasons of R38, in the order agents see them.
var defaultBreakReasons = []BreakReason{
	{Code: "lunch", LabelZH: "午餐", LabelEN: "Lunch", SortOrder: 10},
	{Code: "meal", LabelZH: "用餐", LabelEN: "Meal", SortOrder: 20},
	{Code: "restroom", LabelZH: "洗手间", LabelEN: "Restroom", SortOrder: 30},
	{Code: "meeting", LabelZH: "会议", LabelEN: "Meeting", SortOrder: 40},
	{Code: "training", LabelZH: "培训", LabelEN: "Training", SortOrder: 50},
	{Code: "other", LabelZH: "其他", LabelEN: "Other", SortOrder: 90},
}

func seedBreakReasons(tx *gorm.DB) error {
	for _, r := range defaultBreakReasons {
		r := r
		if err := tx.Where("code = ?", r.Code).FirstOrCreate(&r).Error; err != nil {
			return fmt.Errorf("seed break reason %s: %w", r.Code, err)
		}
	}
	return nil
}

// Validate checks a reason's code and labels.
func (r *BreakReason) Validate() error {
	var errs []FieldError
	r.Code = strings.TrimSpace(r.Code)
	if !breakCodeRe.MatchString(r.Code) {
		errs = append(errs, FieldError{Field: "code", Message: "must be 1-32 lower-case letters, digits or _, starting with a letter"})
	}
	var fe *FieldError
	if r.LabelZH, fe = cleanText("label_zh", r.LabelZH, 32, false); fe != nil {
		errs = append(errs, *fe)
	}
	if r.LabelEN, fe = cleanText("label_en", r.LabelEN, 32, false); fe != nil {
		errs = append(errs, *fe)
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// ListBreakReasons returns the reasons in display order.
func (s *Store) ListBreakReasons(ctx context.Context) ([]BreakReason, error) {
	var out []BreakReason
	if err := s.conn(ctx).Order("sort_order, code").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: break reasons: %w", err)
	}
	return out, nil
}

// GetBreakReason loads a reason by code (ErrNotFound if unknown).
func (s *Store) GetBreakReason(ctx context.Context, code string) (*BreakReason, error) {
	var r BreakReason
	if err := s.conn(ctx).Where("code = ?", code).First(&r).Error; err != nil {
		return nil, fmt.Errorf("store: break reason %q: %w", code, translate(err))
	}
	return &r, nil
}

// checkBreakReason refuses a break without a known reason.
func checkBreakReason(tx *gorm.DB, code string) error {
	if code == "" {
		return Invalid("reason", "a break needs a reason")
	}
	var n int64
	if err := tx.Model(&BreakReason{}).Where("code = ?", code).Count(&n).Error; err != nil {
		return fmt.Errorf("break reason: %w", err)
	}
	if n == 0 {
		return Invalid("reason", fmt.Sprintf("unknown break reason %q", code))
	}
	return nil
}

// CreateBreakReason adds a reason; an existing code is ErrConflict.
func (s *Store) CreateBreakReason(ctx context.Context, r *BreakReason) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if err := s.conn(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("store: create break reason %q: %w", r.Code, translate(err))
	}
	return nil
}

// UpdateBreakReason saves a reason's labels and order (the code is its key).
func (s *Store) UpdateBreakReason(ctx context.Context, r *BreakReason) error {
	if err := r.Validate(); err != nil {
		return err
	}
	err := s.conn(ctx).Model(&BreakReason{}).Where("id = ?", r.ID).
		Updates(map[string]any{"label_zh": r.LabelZH, "label_en": r.LabelEN, "sort_order": r.SortOrder}).Error
	if err != nil {
		return fmt.Errorf("store: update break reason %q: %w", r.Code, err)
	}
	return nil
}

// DeleteBreakReason removes a reason; the history that used it keeps its
// code. The last reason cannot go (ErrConflict): a break always needs one.
func (s *Store) DeleteBreakReason(ctx context.Context, code string) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&BreakReason{}).Count(&n).Error; err != nil {
			return fmt.Errorf("store: count break reasons: %w", err)
		}
		var r BreakReason
		if err := tx.Where("code = ?", code).First(&r).Error; err != nil {
			return fmt.Errorf("store: break reason %q: %w", code, translate(err))
		}
		if n == 1 {
			return fmt.Errorf("store: break reason %q is the last one and a break needs a reason: %w", code, ErrConflict)
		}
		if err := tx.Delete(&r).Error; err != nil {
			return fmt.Errorf("store: delete break reason %q: %w", code, err)
		}
		return nil
	})
}
