package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
	"gorm.io/gorm"
)

// Holiday is one date of China's official schedule: a public holiday, or a
// make-up workday (调休) on a weekend. Seeded from lunar-go for the years it
// knows; admins add next year's schedule when the State Council publishes it.
type Holiday struct {
	ID        int64     `gorm:"primaryKey" json:"id"`
	Date      string    `gorm:"type:varchar(10);uniqueIndex;not null" json:"date"` // YYYY-MM-DD
	Name      string    `gorm:"type:varchar(64);not null" json:"name"`
	Kind      DateKind  `gorm:"type:varchar(16);not null" json:"kind"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks a holiday's fields.
func (h *Holiday) Validate() error {
	var errs []FieldError
	h.Date, h.Name, h.Kind = strings.TrimSpace(h.Date), strings.TrimSpace(h.Name), DateKind(strings.TrimSpace(string(h.Kind)))
	if !validDate(h.Date) {
		errs = append(errs, FieldError{Field: "date", Message: "must be a date YYYY-MM-DD"})
	}
	if h.Name == "" || len(h.Name) > 64 {
		errs = append(errs, FieldError{Field: "name", Message: "is required (at most 64 bytes)"})
	}
	errs = checkNames(errs, [2]string{"name", h.Name})
	if !OneOf(h.Kind) {
		errs = append(errs, EnumError("kind", h.Kind))
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// HolidayFilter narrows ListHolidays; Year 0 lists every year.
type HolidayFilter struct {
	Year int
	Page Page
}

// CreateHoliday adds a date; a date already listed is ErrConflict. Strategies
// whose calendar follows the official schedule get a new version.
func (s *Store) CreateHoliday(ctx context.Context, h *Holiday) error {
	if err := h.Validate(); err != nil {
		return err
	}
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(h).Error; err != nil {
			return fmt.Errorf("store: create holiday %s: %w", h.Date, translate(err))
		}
		return touchOfficialStrategies(tx)
	})
}

// touchOfficialStrategies tells campaigns whose calendar follows the official
// schedule that it changed.
func touchOfficialStrategies(tx *gorm.DB) error {
	official := tx.Model(&Calendar{}).Select("id").Where("use_official_holidays = ?", true)
	return touchStrategies(tx.Where("calendar_id IN (?)", official))
}

// ListHolidays pages through holidays by date.
func (s *Store) ListHolidays(ctx context.Context, f HolidayFilter) ([]Holiday, int64, error) {
	q := s.conn(ctx).Model(&Holiday{})
	if f.Year != 0 {
		q = q.Where("date LIKE ?", fmt.Sprintf("%04d-%%", f.Year))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count holidays: %w", err)
	}
	var hs []Holiday
	if err := f.Page.apply(q).Order("date").Find(&hs).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list holidays: %w", err)
	}
	return hs, total, nil
}

// allHolidays is the whole table (a few dozen rows a year), for calendars.
func (s *Store) allHolidays(ctx context.Context) ([]Holiday, error) {
	var hs []Holiday
	if err := s.conn(ctx).Select("date", "kind").Find(&hs).Error; err != nil {
		return nil, fmt.Errorf("store: load holidays: %w", err)
	}
	return hs, nil
}

// DeleteHoliday removes one date.
func (s *Store) DeleteHoliday(ctx context.Context, id int64) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Delete(&Holiday{}, id)
		if res.Error != nil {
			return fmt.Errorf("store: delete holiday %d: %w", id, translate(res.Error))
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: delete holiday %d: %w", id, ErrNotFound)
		}
		return touchOfficialStrategies(tx)
	})
}

// holidaySeed is the holidays table as migration 2 wrote it; frozen so that
// later changes to Holiday cannot change what the migration did.
type holidaySeed struct {
	Date      string
	Name      string
	Kind      string
	CreatedAt time.Time
}

func (holidaySeed) TableName() string { return "holidays" }

// officialHolidays reads lunar-go's schedule (it starts in 2001 and ends with
// the last year published when the library was released), one row per date.
func officialHolidays(now time.Time) []holidaySeed {
	var out []holidaySeed
	seen := map[string]bool{}
	for year := 2001; year <= 2100; year++ {
		for e := HolidayUtil.GetHolidaysByYear(year).Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			if seen[h.GetDay()] {
				continue
			}
			seen[h.GetDay()] = true
			kind := DayHoliday
			if h.IsWork() {
				kind = DayWorkday
			}
			out = append(out, holidaySeed{Date: h.GetDay(), Name: h.GetName(), Kind: kind, CreatedAt: now})
		}
	}
	return out
}

// seedHolidays is migration 2: China's official holidays and make-up workdays.
func seedHolidays(tx *gorm.DB) error {
	rows := officialHolidays(time.Now().UTC())
	if len(rows) == 0 {
		return nil
	}
	return tx.CreateInBatches(rows, 200).Error
}
