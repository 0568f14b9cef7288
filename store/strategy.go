package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Result classes a retry interval can be set for; they are the classes of the
// hangup cause table.
const (
	ResultBusy           = "busy"
	ResultNoAnswer       = "no_answer"
	ResultRejected       = "rejected"
	ResultNetworkFailure = "network_failure"
	ResultMachine        = "machine"
	ResultAbandoned      = "abandoned"
)

// RetryClass is a result class a retry interval is set for (RetryClasses).
type RetryClass string

// PhoneField names one of a contact's phones, in a strategy's phone order.
type PhoneField string

// Phone fields a strategy may order (PhoneFields).
const (
	PhonePrimary PhoneField = "phone"
	PhoneAlt     PhoneField = "alt_phone"
)

// maxRetryS bounds any retry interval: a week.
const maxRetryS = 7 * 24 * 3600

// Strategy is how a campaign dials (R21, R22): which calendar, the order of a
// contact's phones, attempts per number and per contact, retry intervals
// (overall and per result class), batch pacing and the campaign period.
//
// Version grows by one on every update, so a running campaign that polls
// StrategyVersion sees an edit at once and reloads.
type Strategy struct {
	ID                    int64                 `gorm:"primaryKey" json:"id"`
	Name                  string                `gorm:"type:varchar(128);uniqueIndex;not null" json:"name"`
	CalendarID            int64                 `gorm:"index;not null" json:"calendar_id"`
	PhoneOrder            []string              `gorm:"serializer:json;type:text" json:"phone_order"`
	MinAttempts           int                   `gorm:"not null" json:"min_attempts"`
	MaxAttempts           int                   `gorm:"not null" json:"max_attempts"`
	MaxAttemptsPerContact int                   `gorm:"not null" json:"max_attempts_per_contact"` // 0 = MaxAttempts × phones
	MinRetryIntervalS     int                   `gorm:"not null" json:"min_retry_interval_s"`
	MaxRetryIntervalS     int                   `gorm:"not null" json:"max_retry_interval_s"`
	RetryIntervals        map[string]RetryRange `gorm:"serializer:json;type:text" json:"retry_intervals"`
	BatchSize             int                   `gorm:"not null" json:"batch_size"`
	BatchIntervalS        int                   `gorm:"not null" json:"batch_interval_s"`
	PeriodStart           string                `gorm:"type:varchar(10)" json:"period_start"` // YYYY-MM-DD, "" = open
	PeriodEnd             string                `gorm:"type:varchar(10)" json:"period_end"`   // inclusive
	Version               int                   `gorm:"not null" json:"version"`
	CreatedAt             time.Time             `json:"created_at"`
	UpdatedAt             time.Time             `json:"updated_at"`

	// Dialing: ring at least MinRingS before a no-answer; caller IDs take
	// turns and each makes at most CallerIDDailyLimit calls a day (0: no limit).
	MinRingS           int              `gorm:"not null;default:15" json:"min_ring_s"`
	CallerIDRotation   CallerIDRotation `gorm:"type:varchar(16);not null;default:'round_robin'" json:"caller_id_rotation"`
	CallerIDDailyLimit int              `gorm:"not null;default:0" json:"caller_id_daily_limit"`
}

// RetryRange is the interval, in seconds, before retrying a number after a
// result of one class.
type RetryRange struct {
	MinS int `json:"min_s"`
	MaxS int `json:"max_s"`
}

// NewStrategy returns a strategy with the defaults a new one starts from.
func NewStrategy() *Strategy {
	return &Strategy{
		PhoneOrder: []string{"phone", "alt_phone"}, MinAttempts: 1, MaxAttempts: 3,
		MinRetryIntervalS: 600, MaxRetryIntervalS: 7200, RetryIntervals: map[string]RetryRange{},
		BatchSize: 50, BatchIntervalS: 60, MinRingS: DefaultMinRingS, CallerIDRotation: RotateRoundRobin,
	}
}

// Validate checks a strategy's fields (not that its calendar exists: the
// store does that).
func (s *Strategy) Validate() error {
	var errs []FieldError
	add := func(field, msg string) { errs = append(errs, FieldError{Field: field, Message: msg}) }
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" || len(s.Name) > 128 {
		add("name", "is required (at most 128 bytes)")
	}
	errs = checkNames(errs, [2]string{"name", s.Name})
	if s.CalendarID < 1 {
		add("calendar_id", "is required")
	}
	s.validatePhoneOrder(add)
	s.validateAttempts(add)
	validateRange("min_retry_interval_s", "max_retry_interval_s", s.MinRetryIntervalS, s.MaxRetryIntervalS, add)
	s.validateRetryIntervals(add)
	if s.BatchSize < 1 || s.BatchSize > 10000 {
		add("batch_size", "must be between 1 and 10000")
	}
	if s.BatchIntervalS < 0 || s.BatchIntervalS > 86400 {
		add("batch_interval_s", "must be between 0 and 86400")
	}
	s.validatePeriod(add)
	s.validateDialing(add)
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

func (s *Strategy) validatePhoneOrder(add func(field, msg string)) {
	if len(s.PhoneOrder) == 0 {
		add("phone_order", "must name at least one of: "+strings.Join(PhoneField("").EnumValues(), ", "))
	}
	for i, p := range s.PhoneOrder {
		switch {
		case !OneOf(PhoneField(p)):
			add(fmt.Sprintf("phone_order[%d]", i), EnumMessage(PhoneField(p)))
		case slices.Index(s.PhoneOrder, p) < i:
			add(fmt.Sprintf("phone_order[%d]", i), p+" is listed twice")
		}
	}
}

func (s *Strategy) validateAttempts(add func(field, msg string)) {
	if s.MinAttempts < 1 || s.MinAttempts > 100 {
		add("min_attempts", "must be between 1 and 100")
	}
	if s.MaxAttempts < 1 || s.MaxAttempts > 100 {
		add("max_attempts", "must be between 1 and 100")
	} else if s.MaxAttempts < s.MinAttempts {
		add("max_attempts", "must not be less than min_attempts")
	}
	if s.MaxAttemptsPerContact < 0 || s.MaxAttemptsPerContact > 1000 {
		add("max_attempts_per_contact", "must be between 0 (no limit beyond max_attempts per number) and 1000")
	} else if s.MaxAttemptsPerContact > 0 && s.MaxAttemptsPerContact < s.MinAttempts {
		add("max_attempts_per_contact", "must not be less than min_attempts")
	}
}

func validateRange(minField, maxField string, lo, hi int, add func(field, msg string)) {
	switch {
	case lo < 0 || lo > maxRetryS:
		add(minField, fmt.Sprintf("must be between 0 and %d seconds", maxRetryS))
	case hi < 0 || hi > maxRetryS:
		add(maxField, fmt.Sprintf("must be between 0 and %d seconds", maxRetryS))
	case hi < lo:
		add(maxField, "must not be less than "+minField)
	}
}

func (s *Strategy) validateRetryIntervals(add func(field, msg string)) {
	if s.RetryIntervals == nil {
		s.RetryIntervals = map[string]RetryRange{}
	}
	keys := make([]string, 0, len(s.RetryIntervals))
	for k := range s.RetryIntervals {
		keys = append(keys, k)
	}
	slices.Sort(keys) // stable error order
	for _, k := range keys {
		f := "retry_intervals." + k
		if !OneOf(RetryClass(k)) {
			add(f, EnumMessage(RetryClass(k)))
			continue
		}
		r := s.RetryIntervals[k]
		validateRange(f+".min_s", f+".max_s", r.MinS, r.MaxS, add)
	}
}

func (s *Strategy) validatePeriod(add func(field, msg string)) {
	s.PeriodStart, s.PeriodEnd = strings.TrimSpace(s.PeriodStart), strings.TrimSpace(s.PeriodEnd)
	okStart := s.PeriodStart == "" || validDate(s.PeriodStart)
	okEnd := s.PeriodEnd == "" || validDate(s.PeriodEnd)
	if !okStart {
		add("period_start", "must be a date YYYY-MM-DD or empty")
	}
	if !okEnd {
		add("period_end", "must be a date YYYY-MM-DD or empty")
	}
	if okStart && okEnd && s.PeriodStart != "" && s.PeriodEnd != "" && s.PeriodEnd < s.PeriodStart {
		add("period_end", "must not be before period_start")
	}
}

// DefaultMinRingS is the shortest ring before a call counts as no answer:
// 15 seconds (FCC 47 CFR 64.1200(a)(6)); a strategy may ring longer, never less.
const DefaultMinRingS = 15

// maxRingS bounds the ring time: carriers end an unanswered call by then anyway.
const maxRingS = 120

// CallerIDRotation says how a campaign's caller IDs take turns.
type CallerIDRotation string

// Caller-ID rotations.
const (
	// RotateRoundRobin uses the caller ID with the fewest calls today (ties in
	// list order), so calls spread evenly, across campaigns sharing numbers too.
	RotateRoundRobin CallerIDRotation = "round_robin"
	// RotateInOrder uses the first caller ID until its daily limit, then the next.
	RotateInOrder CallerIDRotation = "in_order"
)

// CallerIDRotations lists every CallerIDRotation.
var CallerIDRotations = []CallerIDRotation{RotateRoundRobin, RotateInOrder}

// EnumValues lists the caller-ID rotations.
func (CallerIDRotation) EnumValues() []string { return enumStrings(CallerIDRotations) }

func (s *Strategy) validateDialing(add func(field, msg string)) {
	if s.MinRingS < DefaultMinRingS || s.MinRingS > maxRingS {
		add("min_ring_s", fmt.Sprintf("must be between %d and %d seconds (a call rings at least %d s before it counts as no answer)",
			DefaultMinRingS, maxRingS, DefaultMinRingS))
	}
	if s.CallerIDRotation == "" {
		s.CallerIDRotation = RotateRoundRobin
	}
	if !OneOf(s.CallerIDRotation) {
		add("caller_id_rotation", EnumMessage(s.CallerIDRotation))
	}
	if s.CallerIDDailyLimit < 0 || s.CallerIDDailyLimit > 1000000 {
		add("caller_id_daily_limit", "must be between 0 (no limit) and 1000000 calls per caller ID per day")
	}
}

// MinRing is how long a call rings at least before it counts as no answer.
func (s *Strategy) MinRing() time.Duration {
	return time.Duration(max(s.MinRingS, DefaultMinRingS)) * time.Second
}

// AttemptsPerContact is the effective cap on one contact's attempts over all
// its numbers.
func (s *Strategy) AttemptsPerContact() int {
	if s.MaxAttemptsPerContact > 0 {
		return s.MaxAttemptsPerContact
	}
	return s.MaxAttempts * len(s.PhoneOrder)
}

// RetryDelay is how long to wait before retrying a number whose attempt-th
// try (1-based) ended in class: within the class's range when the strategy
// sets one, else the general min/max. Later attempts wait longer: attempt n
// draws from the band [1-2^-(n-1), 1-2^-n] of the range, so the first retry
// is in its lower half and delays approach the maximum. A nil rnd takes the
// band's lower edge.
func (s *Strategy) RetryDelay(class string, attempt int, rnd *rand.Rand) time.Duration {
	lo, hi := s.MinRetryIntervalS, s.MaxRetryIntervalS
	if r, ok := s.RetryIntervals[class]; ok {
		lo, hi = r.MinS, r.MaxS
	}
	if hi < lo {
		hi = lo
	}
	attempt = min(max(attempt, 1), 30)
	from := 1 - 1/float64(int64(1)<<(attempt-1))
	to := 1 - 1/float64(int64(1)<<attempt)
	f := from
	if rnd != nil {
		f += rnd.Float64() * (to - from)
	}
	span := time.Duration(hi-lo) * time.Second
	return time.Duration(lo)*time.Second + time.Duration(f*float64(span))
}

// InPeriod reports whether t's date, in loc, is within the strategy's period
// (both ends inclusive; an empty end is open).
func (s *Strategy) InPeriod(t time.Time, loc *time.Location) bool {
	if loc != nil {
		t = t.In(loc)
	}
	d := t.Format(time.DateOnly)
	return (s.PeriodStart == "" || d >= s.PeriodStart) && (s.PeriodEnd == "" || d <= s.PeriodEnd)
}

func (s *Store) checkStrategyCalendar(tx *gorm.DB, st *Strategy) error {
	var n int64
	if err := tx.Model(&Calendar{}).Where("id = ?", st.CalendarID).Count(&n).Error; err != nil {
		return fmt.Errorf("store: check calendar_id: %w", err)
	}
	if n == 0 {
		return Invalid("calendar_id", fmt.Sprintf("calendar %d does not exist", st.CalendarID))
	}
	return nil
}

// CreateStrategy stores a new strategy; its calendar must exist.
func (s *Store) CreateStrategy(ctx context.Context, st *Strategy) error {
	if err := st.Validate(); err != nil {
		return err
	}
	st.Version = 1
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.checkStrategyCalendar(tx, st); err != nil {
			return err
		}
		if err := tx.Create(st).Error; err != nil {
			return fmt.Errorf("store: create strategy %q: %w", st.Name, translate(err))
		}
		return nil
	})
}

// UpdateStrategy saves a strategy and bumps its Version. An update based on
// a stale copy (someone saved in between) is ErrConflict; one that would
// leave a running or paused campaign unable to run (its period over, its
// calendar never open) is refused, naming the field, and changes nothing.
func (s *Store) UpdateStrategy(ctx context.Context, st *Strategy) error {
	if err := st.Validate(); err != nil {
		return err
	}
	cal, err := s.GetCalendar(ctx, st.CalendarID)
	if errors.Is(err, ErrNotFound) {
		return Invalid("calendar_id", fmt.Sprintf("calendar %d does not exist", st.CalendarID))
	}
	if err != nil {
		return err
	}
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.checkStrategyCalendar(tx, st); err != nil {
			return err
		}
		if err := s.checkRunningUsers(tx, st, cal); err != nil {
			return err
		}
		if err := bumpVersion(tx, st, st.ID, &st.Version); err != nil {
			return fmt.Errorf("store: update strategy %d: %w", st.ID, err)
		}
		return nil
	})
}

// GetStrategy loads one strategy.
func (s *Store) GetStrategy(ctx context.Context, id int64) (*Strategy, error) {
	var st Strategy
	if err := s.conn(ctx).First(&st, id).Error; err != nil {
		return nil, fmt.Errorf("store: strategy %d: %w", id, translate(err))
	}
	return &st, nil
}

// StrategyVersion is a cheap read a running campaign polls to notice edits:
// it grows when the strategy, its calendar or the official holidays change.
func (s *Store) StrategyVersion(ctx context.Context, id int64) (int, error) {
	var st Strategy
	if err := s.conn(ctx).Select("version").First(&st, id).Error; err != nil {
		return 0, fmt.Errorf("store: strategy %d version: %w", id, translate(err))
	}
	return st.Version, nil
}

// ListStrategies pages through strategies by id; calendarID 0 lists all.
func (s *Store) ListStrategies(ctx context.Context, calendarID int64, p Page) ([]Strategy, int64, error) {
	q := s.conn(ctx).Model(&Strategy{})
	if calendarID != 0 {
		q = q.Where("calendar_id = ?", calendarID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count strategies: %w", err)
	}
	var ss []Strategy
	if err := p.apply(q).Order("id").Find(&ss).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list strategies: %w", err)
	}
	return ss, total, nil
}

// DeleteStrategy removes a strategy no campaign uses (else ErrConflict).
func (s *Store) DeleteStrategy(ctx context.Context, id int64) error {
	for _, used := range strategyUsers {
		inUse, err := used(s, ctx, id)
		if err != nil {
			return fmt.Errorf("store: strategy %d users: %w", id, err)
		}
		if inUse {
			return fmt.Errorf("store: strategy %d is used by a campaign: %w", id, ErrConflict)
		}
	}
	res := s.conn(ctx).Delete(&Strategy{}, id)
	if res.Error != nil {
		return fmt.Errorf("store: delete strategy %d: %w", id, translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: delete strategy %d: %w", id, ErrNotFound)
	}
	return nil
}

// touchStrategies bumps the version of the strategies q selects, because
// something their dialing depends on (calendar, holidays) changed.
func touchStrategies(q *gorm.DB) error {
	err := q.Model(&Strategy{}).UpdateColumn("version", gorm.Expr("version + 1")).Error
	if err != nil {
		return fmt.Errorf("store: bump strategy versions: %w", err)
	}
	return nil
}

// strategyUsers report whether something (a campaign) still uses a strategy;
// campaign.go registers its check in an init, as for groupUsers.
var strategyUsers = []func(s *Store, ctx context.Context, id int64) (bool, error){}
