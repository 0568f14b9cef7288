package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Shift is a shift definition (R40): daily working hours from Start to End
// local time, crossing midnight when End is not after Start (22:00-06:00),
// with a break allowance.
type Shift struct {
	ID           int64  `gorm:"primaryKey" json:"id"`
	Name         string `gorm:"type:varchar(64);uniqueIndex;not null" json:"name"`
	Start        string `gorm:"column:start_time;type:varchar(5);not null" json:"start"` // HH:MM
	End          string `gorm:"column:end_time;type:varchar(5);not null" json:"end"`     // HH:MM, 24:00 for midnight
	BreakMinutes int    `gorm:"not null" json:"break_minutes"`
	Timezone     string `gorm:"type:varchar(64);not null" json:"timezone"`
	Description  string `gorm:"type:varchar(255);not null" json:"description"`
	// Derived on load: whether the shift ends the next day, and its working
	// minutes (length less the break allowance).
	CrossesMidnight bool      `gorm:"-" json:"crosses_midnight"`
	WorkMinutes     int       `gorm:"-" json:"work_minutes"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// shiftSpan is a shift's hours, parsed: minutes after midnight and length.
type shiftSpan struct {
	start, length int
	loc           *time.Location
}

// parseShiftSpan reads start/end (HH:MM; an end of 24:00 or 00:00 is
// midnight) and the zone.
func parseShiftSpan(start, end, tz string) (shiftSpan, []FieldError) {
	var errs []FieldError
	s, okS := parseClock(start, false)
	if !okS {
		errs = append(errs, FieldError{Field: "start", Message: "must be HH:MM (00:00 to 23:59)"})
	}
	e, okE := parseClock(end, false)
	if end == "24:00" {
		e, okE = 0, true
	}
	if !okE {
		errs = append(errs, FieldError{Field: "end", Message: "must be HH:MM (00:00 to 23:59, or 24:00)"})
	}
	loc, err := loadZone(tz)
	if err != nil || tz == "Local" || tz == "" {
		errs = append(errs, FieldError{Field: "timezone", Message: "must be an IANA time zone such as Asia/Shanghai"})
	}
	if okS && okE && s == e {
		errs = append(errs, FieldError{Field: "end", Message: "must differ from start"})
	}
	return shiftSpan{start: s, length: ((e-s)%1440 + 1440) % 1440, loc: loc}, errs
}

// window is the shift's start and end on a date (YYYY-MM-DD, local).
func (sp shiftSpan) window(date string) (time.Time, time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, date, sp.loc)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("date %q: %w", date, err)
	}
	start := time.Date(d.Year(), d.Month(), d.Day(), sp.start/60, sp.start%60, 0, 0, sp.loc)
	return start, start.Add(time.Duration(sp.length) * time.Minute), nil
}

// Validate checks the shift and fills its derived fields.
func (sh *Shift) Validate() error {
	var errs []FieldError
	sh.Name = strings.TrimSpace(sh.Name)
	if name, fe := cleanText("name", sh.Name, 64, false); fe != nil || len(name) > 64 {
		errs = append(errs, FieldError{Field: "name", Message: "is required: at most 64 bytes, no control characters"})
	}
	if sh.Description != "" {
		if d, fe := cleanText("description", sh.Description, 255, false); fe != nil || len(d) > 255 {
			errs = append(errs, FieldError{Field: "description", Message: "is at most 255 bytes, no control characters"})
		}
	}
	if sh.Timezone == "" {
		sh.Timezone = DefaultTimezone
	}
	sp, spanErrs := parseShiftSpan(sh.Start, sh.End, sh.Timezone)
	errs = append(errs, spanErrs...)
	if sh.BreakMinutes < 0 || (len(spanErrs) == 0 && sh.BreakMinutes >= sp.length) {
		errs = append(errs, FieldError{Field: "break_minutes", Message: fmt.Sprintf("must be from 0 to less than the shift's %d minutes", sp.length)})
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	sh.derive(sp)
	return nil
}

func (sh *Shift) derive(sp shiftSpan) {
	sh.CrossesMidnight = sp.start+sp.length > 1440
	sh.WorkMinutes = sp.length - sh.BreakMinutes
}

// AfterFind fills the derived fields of a loaded shift.
func (sh *Shift) AfterFind(*gorm.DB) error {
	if sp, errs := parseShiftSpan(sh.Start, sh.End, sh.Timezone); len(errs) == 0 {
		sh.derive(sp)
	}
	return nil
}

// CreateShift stores a shift definition.
func (s *Store) CreateShift(ctx context.Context, sh *Shift) error {
	if err := sh.Validate(); err != nil {
		return err
	}
	if err := s.conn(ctx).Create(sh).Error; err != nil {
		return fmt.Errorf("store: create shift %q: %w", sh.Name, translate(err))
	}
	return nil
}

// UpdateShift saves a shift and carries its new hours to the roster days
// that use it from today on; past days keep the hours they were worked
// under, so attendance already reported does not change.
func (s *Store) UpdateShift(ctx context.Context, sh *Shift) error {
	if err := sh.Validate(); err != nil {
		return err
	}
	today := s.now().In(mustLoc(sh.Timezone)).Format(time.DateOnly)
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("CreatedAt").Save(sh).Error; err != nil {
			return translate(err)
		}
		return tx.Model(&RosterEntry{}).Where("shift_id = ? AND date >= ?", sh.ID, today).Updates(map[string]any{
			"shift_name": sh.Name, "shift_start": sh.Start, "shift_end": sh.End,
			"break_minutes": sh.BreakMinutes, "timezone": sh.Timezone}).Error
	})
	if err != nil {
		return fmt.Errorf("store: update shift %d: %w", sh.ID, err)
	}
	return nil
}

func mustLoc(tz string) *time.Location {
	if loc, err := loadZone(tz); err == nil {
		return loc
	}
	return time.UTC
}

// GetShift loads one shift.
func (s *Store) GetShift(ctx context.Context, id int64) (*Shift, error) {
	var sh Shift
	if err := s.conn(ctx).First(&sh, id).Error; err != nil {
		return nil, fmt.Errorf("store: shift %d: %w", id, translate(err))
	}
	return &sh, nil
}

// ListShifts pages through the shift definitions by start time.
func (s *Store) ListShifts(ctx context.Context, p Page) ([]Shift, int64, error) {
	var total int64
	if err := s.conn(ctx).Model(&Shift{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count shifts: %w", err)
	}
	var out []Shift
	if err := p.apply(s.conn(ctx)).Order("start_time, name").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list shifts: %w", err)
	}
	return out, total, nil
}

// DeleteShift removes a shift no roster day from today on uses
// (ErrConflict otherwise); past days keep its name and hours.
func (s *Store) DeleteShift(ctx context.Context, id int64) error {
	sh, err := s.GetShift(ctx, id)
	if err != nil {
		return err
	}
	today := s.now().In(mustLoc(sh.Timezone)).Format(time.DateOnly)
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&RosterEntry{}).Where("shift_id = ? AND date >= ?", id, today).Count(&n).Error; err != nil {
			return fmt.Errorf("store: roster days of shift %d: %w", id, err)
		}
		if n > 0 {
			return fmt.Errorf("store: shift %q is on the roster for %d days from today; assign them another shift first: %w", sh.Name, n, ErrConflict)
		}
		if err := tx.Delete(&Shift{}, id).Error; err != nil {
			return fmt.Errorf("store: delete shift %d: %w", id, err)
		}
		return nil
	})
}
