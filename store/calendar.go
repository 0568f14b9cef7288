package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// DayKind is what a calendar window applies to: a kind of day, or one date
// written "date:YYYY-MM-DD".
type DayKind string

// DateKind is what a listed date is (a calendar's date or an official one).
type DateKind string

// Day kinds a calendar sorts every date into; a window's day_kind may also be
// "date:YYYY-MM-DD" for one date.
const (
	DayWorkday = "workday"
	DayWeekend = "weekend"
	DayHoliday = "holiday"
)

// DefaultTimezone is the zone a calendar without one uses.
const DefaultTimezone = "Asia/Shanghai"

const datePrefix = "date:"

// Calendar says when customers may be called (R20): calling windows per day
// kind and customer type, per-date overrides, and China's official holidays
// and make-up workdays from the holidays table.
//
// DayKind, Open and NextOpen are pure and safe for concurrent use once the
// calendar is prepared (Validate, or loaded by the store); the dialer loads a
// calendar once and asks it at every dial.
type Calendar struct {
	ID                  int64            `gorm:"primaryKey" json:"id"`
	Name                string           `gorm:"type:varchar(128);uniqueIndex;not null" json:"name"`
	Timezone            string           `gorm:"type:varchar(64);not null" json:"timezone"`
	UseOfficialHolidays bool             `gorm:"not null" json:"use_official_holidays"`
	Windows             []CalendarWindow `gorm:"serializer:json;type:text" json:"windows"`
	Dates               []CalendarDate   `gorm:"serializer:json;type:text" json:"dates"`
	Version             int              `gorm:"not null" json:"version"`
	CreatedAt           time.Time        `json:"created_at"`
	UpdatedAt           time.Time        `json:"updated_at"`

	idx      *calendarIndex    // built by Validate; nil means build on demand
	official map[string]string // date -> DayHoliday or DayWorkday, from the holidays table
}

// CalendarWindow is one calling window: [Start, End) local time on days of
// DayKind, for CustomerType ("" = every type).
type CalendarWindow struct {
	DayKind      DayKind `json:"day_kind"`
	CustomerType string  `json:"customer_type"`
	Start        string  `json:"start"` // HH:MM
	End          string  `json:"end"`   // HH:MM, "24:00" for midnight
}

// CalendarDate overrides the kind of one date: a make-up workday on a weekend,
// or a company holiday.
type CalendarDate struct {
	Date string   `json:"date"` // YYYY-MM-DD
	Kind DateKind `json:"kind"`
}

// calendarIndex is the parsed form Open and NextOpen read.
type calendarIndex struct {
	loc     *time.Location
	dates   map[string]string
	windows map[windowKey][]span
}

type windowKey struct{ dayKind, customerType string }

// span is a window in minutes after local midnight, end exclusive.
type span struct{ start, end int }

// Validate checks the calendar, fills defaults and prepares it for Open.
// Even when it fails, the valid windows and dates are prepared, so a stored
// calendar that no longer validates keeps working as far as it can.
func (c *Calendar) Validate() error {
	var errs []FieldError
	add := func(field, msg string) { errs = append(errs, FieldError{Field: field, Message: msg}) }
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" || len(c.Name) > 128 {
		add("name", "is required (at most 128 bytes)")
	}
	errs = checkNames(errs, [2]string{"name", c.Name})
	c.idx = c.prepare(add)
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// prepare parses the zone, windows and dates, reporting bad ones to add.
func (c *Calendar) prepare(add func(field, msg string)) *calendarIndex {
	c.Timezone = strings.TrimSpace(c.Timezone)
	if c.Timezone == "" {
		c.Timezone = DefaultTimezone
	}
	loc, err := loadZone(c.Timezone)
	if err != nil || c.Timezone == "Local" {
		add("timezone", "must be an IANA time zone such as Asia/Shanghai")
		loc = time.UTC
	}
	if c.Windows == nil {
		c.Windows = []CalendarWindow{}
	}
	if c.Dates == nil {
		c.Dates = []CalendarDate{}
	}
	return &calendarIndex{loc: loc, windows: validateWindows(c.Windows, add), dates: validateDates(c.Dates, add)}
}

func validateWindows(ws []CalendarWindow, add func(field, msg string)) map[windowKey][]span {
	out := map[windowKey][]span{}
	where := map[windowKey][]int{} // window indexes per key, to name overlaps
	for i := range ws {
		w := &ws[i]
		f := fmt.Sprintf("windows[%d].", i)
		w.DayKind, w.CustomerType = DayKind(strings.TrimSpace(string(w.DayKind))), strings.TrimSpace(w.CustomerType)
		if !OneOf(w.DayKind) {
			add(f+"day_kind", EnumMessage(w.DayKind))
		}
		if len(w.CustomerType) > 64 {
			add(f+"customer_type", "is at most 64 bytes")
		}
		start, okS := parseClock(w.Start, false)
		end, okE := parseClock(w.End, true)
		switch {
		case !okS:
			add(f+"start", "must be HH:MM (00:00 to 23:59)")
		case !okE:
			add(f+"end", "must be HH:MM (00:01 to 24:00)")
		case end <= start:
			add(f+"end", "must be after start")
		default:
			k := windowKey{string(w.DayKind), w.CustomerType}
			for n, sp := range out[k] {
				if start < sp.end && sp.start < end {
					add(f+"start", fmt.Sprintf("overlaps windows[%d]", where[k][n]))
				}
			}
			out[k] = append(out[k], span{start, end})
			where[k] = append(where[k], i)
		}
	}
	for k := range out {
		slices.SortFunc(out[k], func(a, b span) int { return a.start - b.start })
	}
	return out
}

func validateDates(ds []CalendarDate, add func(field, msg string)) map[string]string {
	out := map[string]string{}
	for i := range ds {
		d := &ds[i]
		f := fmt.Sprintf("dates[%d].", i)
		d.Date, d.Kind = strings.TrimSpace(d.Date), DateKind(strings.TrimSpace(string(d.Kind)))
		if !validDate(d.Date) {
			add(f+"date", "must be a date YYYY-MM-DD")
		} else if _, dup := out[d.Date]; dup {
			add(f+"date", "is listed twice")
		}
		if !OneOf(d.Kind) {
			add(f+"kind", EnumMessage(d.Kind))
		}
		out[d.Date] = string(d.Kind)
	}
	return out
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == len(time.DateOnly)
}

// parseClock reads "HH:MM" into minutes after midnight; "24:00" only as an end.
func parseClock(s string, isEnd bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && (m != 0 || !isEnd)) {
		return 0, false
	}
	return h*60 + m, !isEnd || h*60+m > 0
}

// SetHolidays gives the calendar the official holidays and make-up workdays it
// follows when UseOfficialHolidays is set. The store calls it when loading.
func (c *Calendar) SetHolidays(hs []Holiday) {
	c.official = make(map[string]string, len(hs))
	for _, h := range hs {
		c.official[h.Date] = string(h.Kind)
	}
}

// index returns the prepared form; a calendar never validated is parsed on
// each call (correct, only slower), so the struct is never written after it
// may be shared.
func (c *Calendar) index() *calendarIndex {
	if c.idx != nil {
		return c.idx
	}
	cp := *c
	cp.Windows = slices.Clone(c.Windows)
	cp.Dates = slices.Clone(c.Dates)
	return cp.prepare(func(string, string) {})
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.index().loc }

// DayKind sorts the calendar date of t (in the calendar's zone) into workday,
// weekend or holiday: the calendar's own per-date override first, then the
// official holidays and make-up workdays, then the day of the week.
func (c *Calendar) DayKind(t time.Time) string {
	ix := c.index()
	return c.dayKind(ix, t.In(ix.loc))
}

func (c *Calendar) dayKind(ix *calendarIndex, local time.Time) string {
	ymd := local.Format(time.DateOnly)
	if k, ok := ix.dates[ymd]; ok {
		return k
	}
	if c.UseOfficialHolidays {
		if k, ok := c.official[ymd]; ok {
			return k
		}
	}
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return DayWeekend
	}
	return DayWorkday
}

// spans are the windows that apply to customerType on local's date: a
// "date:" window beats the day kind, and an exact customer type beats "".
func (c *Calendar) spans(ix *calendarIndex, local time.Time, customerType string) []span {
	dateKind := datePrefix + local.Format(time.DateOnly)
	kind := c.dayKind(ix, local)
	for _, k := range []windowKey{{dateKind, customerType}, {dateKind, ""}, {kind, customerType}, {kind, ""}} {
		if sp, ok := ix.windows[k]; ok {
			return sp
		}
	}
	return nil
}

// Open reports whether a customer of customerType may be called at t.
func (c *Calendar) Open(t time.Time, customerType string) bool {
	ix := c.index()
	local := t.In(ix.loc)
	m := local.Hour()*60 + local.Minute()
	for _, sp := range c.spans(ix, local, customerType) {
		if sp.start <= m && m < sp.end {
			return true
		}
	}
	return false
}

// nextOpenDays bounds NextOpen's search: a calendar closed for a whole year
// is treated as never open.
const nextOpenDays = 366

// NextOpen returns t when the calendar is open at t, else the start of the
// next window for customerType within about a year; false if there is none.
func (c *Calendar) NextOpen(t time.Time, customerType string) (time.Time, bool) {
	if c.Open(t, customerType) {
		return t, true
	}
	ix := c.index()
	local := t.In(ix.loc)
	now := local.Hour()*60 + local.Minute()
	y, mo, d := local.Date()
	for i := 0; i <= nextOpenDays; i++ {
		day := time.Date(y, mo, d+i, 12, 0, 0, 0, ix.loc) // noon: safe from DST edges
		for _, sp := range c.spans(ix, day, customerType) {
			if i > 0 || sp.start > now {
				return time.Date(y, mo, d+i, sp.start/60, sp.start%60, 0, 0, ix.loc), true
			}
		}
	}
	return time.Time{}, false
}

// CreateCalendar stores a new calendar.
func (s *Store) CreateCalendar(ctx context.Context, c *Calendar) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c.Version = 1
	if err := s.conn(ctx).Create(c).Error; err != nil {
		return fmt.Errorf("store: create calendar %q: %w", c.Name, translate(err))
	}
	return s.fillHolidays(ctx, c)
}

// UpdateCalendar saves a calendar and bumps its Version and that of every
// strategy using it, so campaigns polling StrategyVersion reload both.
func (s *Store) UpdateCalendar(ctx context.Context, c *Calendar) error {
	if err := c.Validate(); err != nil {
		return err
	}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.checkCalendarUsers(tx, c); err != nil {
			return err
		}
		if err := bumpVersion(tx, c, c.ID, &c.Version); err != nil {
			return err
		}
		return touchStrategies(tx.Where("calendar_id = ?", c.ID))
	})
	if err != nil {
		return fmt.Errorf("store: update calendar %d: %w", c.ID, err)
	}
	return s.fillHolidays(ctx, c)
}

// bumpVersion saves row (all columns but id and created_at) only if its
// version is still *version, then increments *version. A concurrent update
// in between is ErrConflict rather than a silently lost change.
func bumpVersion(tx *gorm.DB, row any, id int64, version *int) error {
	old := *version
	*version = old + 1
	res := tx.Model(row).Where("version = ?", old).
		Select("*").Omit("id", "created_at").Updates(row)
	if res.Error != nil {
		*version = old
		return translate(res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	*version = old
	var n int64
	if err := tx.Model(row).Where("id = ?", id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return fmt.Errorf("changed by someone else meanwhile, reload it: %w", ErrConflict)
}

// GetCalendar loads one calendar, prepared and with the official holidays
// filled in, ready for DayKind, Open and NextOpen.
func (s *Store) GetCalendar(ctx context.Context, id int64) (*Calendar, error) {
	var c Calendar
	if err := s.conn(ctx).First(&c, id).Error; err != nil {
		return nil, fmt.Errorf("store: calendar %d: %w", id, translate(err))
	}
	if err := c.Validate(); err != nil {
		// Stored before a rule tightened: its valid windows still apply.
		s.log.WarnContext(ctx, "stored calendar no longer validates", "calendar_id", id, "err", err)
	}
	if err := s.fillHolidays(ctx, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *Store) fillHolidays(ctx context.Context, c *Calendar) error {
	if !c.UseOfficialHolidays {
		c.SetHolidays(nil)
		return nil
	}
	hs, err := s.allHolidays(ctx)
	if err != nil {
		return err
	}
	c.SetHolidays(hs)
	return nil
}

// ListCalendars pages through calendars by id.
func (s *Store) ListCalendars(ctx context.Context, p Page) ([]Calendar, int64, error) {
	q := s.conn(ctx).Model(&Calendar{})
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count calendars: %w", err)
	}
	var cs []Calendar
	if err := p.apply(q).Order("id").Find(&cs).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list calendars: %w", err)
	}
	return cs, total, nil
}

// DeleteCalendar removes a calendar no strategy uses (else ErrConflict).
func (s *Store) DeleteCalendar(ctx context.Context, id int64) error {
	var n int64
	if err := s.conn(ctx).Model(&Strategy{}).Where("calendar_id = ?", id).Count(&n).Error; err != nil {
		return fmt.Errorf("store: strategies using calendar %d: %w", id, err)
	}
	if n > 0 {
		return fmt.Errorf("store: calendar %d is used by %d strategies: %w", id, n, ErrConflict)
	}
	res := s.conn(ctx).Delete(&Calendar{}, id)
	if res.Error != nil {
		return fmt.Errorf("store: delete calendar %d: %w", id, translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: delete calendar %d: %w", id, ErrNotFound)
	}
	return nil
}
