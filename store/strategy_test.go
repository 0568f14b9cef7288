package store

// Internal tests: pure strategy rules, and the strategyUsers hook (which is
// unexported). The strategy's store round trip on both databases is in
// calendar_test.go, beside the calendars it references.

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func validStrategy() *Strategy {
	s := NewStrategy()
	s.Name, s.CalendarID = "催缴策略", 1
	return s
}

func TestStrategyValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(s *Strategy)
		field string // "" = valid
	}{
		{"defaults", func(s *Strategy) {}, ""},
		{"full", func(s *Strategy) {
			s.PhoneOrder = []string{"alt_phone", "phone"}
			s.RetryIntervals = map[string]RetryRange{"busy": {300, 900}, "no_answer": {1800, 7200}, "machine": {0, 0}}
			s.PeriodStart, s.PeriodEnd = "2026-11-24", "2026-12-31"
		}, ""},
		{"one-day period", func(s *Strategy) { s.PeriodStart, s.PeriodEnd = "2026-11-24", "2026-11-24" }, ""},
		{"no name", func(s *Strategy) { s.Name = " " }, "name"},
		{"no calendar", func(s *Strategy) { s.CalendarID = 0 }, "calendar_id"},
		{"empty phone order", func(s *Strategy) { s.PhoneOrder = nil }, "phone_order"},
		{"unknown phone", func(s *Strategy) { s.PhoneOrder = []string{"phone", "fax"} }, "phone_order[1]"},
		{"repeated phone", func(s *Strategy) { s.PhoneOrder = []string{"phone", "phone"} }, "phone_order[1]"},
		{"zero min attempts", func(s *Strategy) { s.MinAttempts = 0 }, "min_attempts"},
		{"max below min", func(s *Strategy) { s.MinAttempts, s.MaxAttempts = 3, 2 }, "max_attempts"},
		{"per contact below min", func(s *Strategy) { s.MinAttempts, s.MaxAttemptsPerContact = 2, 1 }, "max_attempts_per_contact"},
		{"negative per contact", func(s *Strategy) { s.MaxAttemptsPerContact = -1 }, "max_attempts_per_contact"},
		{"negative interval", func(s *Strategy) { s.MinRetryIntervalS = -1 }, "min_retry_interval_s"},
		{"interval max below min", func(s *Strategy) { s.MinRetryIntervalS, s.MaxRetryIntervalS = 600, 60 }, "max_retry_interval_s"},
		{"unknown class", func(s *Strategy) { s.RetryIntervals = map[string]RetryRange{"sleepy": {1, 2}} }, "retry_intervals.sleepy"},
		{"class max below min", func(s *Strategy) { s.RetryIntervals = map[string]RetryRange{"busy": {900, 300}} }, "retry_intervals.busy.max_s"},
		{"class too long", func(s *Strategy) { s.RetryIntervals = map[string]RetryRange{"busy": {0, 8 * 86400}} }, "retry_intervals.busy.max_s"},
		{"zero batch", func(s *Strategy) { s.BatchSize = 0 }, "batch_size"},
		{"negative batch interval", func(s *Strategy) { s.BatchIntervalS = -5 }, "batch_interval_s"},
		{"bad period start", func(s *Strategy) { s.PeriodStart = "24/11/2026" }, "period_start"},
		{"period backwards", func(s *Strategy) { s.PeriodStart, s.PeriodEnd = "2026-12-31", "2026-11-24" }, "period_end"},
		{"ring longer than the minimum", func(s *Strategy) { s.MinRingS = 30 }, ""},
		{"ring under 15 s", func(s *Strategy) { s.MinRingS = 14 }, "min_ring_s"},
		{"ring over two minutes", func(s *Strategy) { s.MinRingS = 121 }, "min_ring_s"},
		{"in-order caller IDs with a limit", func(s *Strategy) { s.CallerIDRotation, s.CallerIDDailyLimit = RotateInOrder, 500 }, ""},
		{"unknown rotation", func(s *Strategy) { s.CallerIDRotation = "random" }, "caller_id_rotation"},
		{"negative caller ID limit", func(s *Strategy) { s.CallerIDDailyLimit = -1 }, "caller_id_daily_limit"},
	}
	for _, c := range cases {
		s := validStrategy()
		c.edit(s)
		err := s.Validate()
		var fields []string
		var ve *ValidationError
		if errors.As(err, &ve) {
			for _, f := range ve.Fields {
				fields = append(fields, f.Field)
			}
		}
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v, want valid", c.name, err)
		case c.field != "" && !slices.Contains(fields, c.field):
			t.Errorf("%s: fields %v (%v), want %s", c.name, fields, err, c.field)
		}
	}
}

func TestStrategyRetryDelay(t *testing.T) {
	s := validStrategy()
	s.MinRetryIntervalS, s.MaxRetryIntervalS = 600, 7200
	s.RetryIntervals = map[string]RetryRange{"busy": {300, 900}, "machine": {3600, 3600}}
	rnd := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		class    string
		lo, hi   time.Duration
		firstMax time.Duration // attempt 1 stays in the lower half
	}{
		{"busy", 300 * time.Second, 900 * time.Second, 600 * time.Second},
		{"no_answer", 600 * time.Second, 7200 * time.Second, 3900 * time.Second}, // no class range: the general one
		{"unknown", 600 * time.Second, 7200 * time.Second, 3900 * time.Second},
		{"machine", time.Hour, time.Hour, time.Hour},
	}
	for _, c := range cases {
		prevFloor := time.Duration(0)
		for attempt := 1; attempt <= 40; attempt++ {
			for range 50 {
				d := s.RetryDelay(c.class, attempt, rnd)
				if d < c.lo || d > c.hi {
					t.Fatalf("%s attempt %d: %v outside [%v, %v]", c.class, attempt, d, c.lo, c.hi)
				}
				if attempt == 1 && d > c.firstMax {
					t.Fatalf("%s first retry %v, want at most %v", c.class, d, c.firstMax)
				}
				if d < prevFloor {
					t.Fatalf("%s attempt %d: %v shorter than attempt %d's floor %v", c.class, attempt, d, attempt-1, prevFloor)
				}
			}
			floor := s.RetryDelay(c.class, attempt, nil)
			if floor < prevFloor {
				t.Fatalf("%s: floor shrank at attempt %d", c.class, attempt)
			}
			prevFloor = floor
		}
	}
	if d := s.RetryDelay("busy", 0, nil); d != 300*time.Second {
		t.Errorf("attempt 0 = %v, want the minimum", d)
	}
	if a, b := s.RetryDelay("no_answer", 1, nil), s.RetryDelay("no_answer", 3, nil); b <= a {
		t.Errorf("delays do not grow: attempt 1 %v, attempt 3 %v", a, b)
	}
}

func TestStrategyInPeriod(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	s := validStrategy()
	s.PeriodStart, s.PeriodEnd = "2026-11-24", "2026-12-31"
	cases := []struct {
		t    time.Time
		want bool
	}{
		{time.Date(2026, 11, 23, 23, 59, 0, 0, sh), false},
		{time.Date(2026, 11, 24, 0, 0, 0, 0, sh), true},
		{time.Date(2026, 12, 31, 23, 59, 0, 0, sh), true},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, sh), false},
		{time.Date(2026, 11, 23, 16, 30, 0, 0, time.UTC), true}, // already the 24th in Shanghai
	}
	for _, c := range cases {
		if got := s.InPeriod(c.t, sh); got != c.want {
			t.Errorf("InPeriod(%v) = %v, want %v", c.t, got, c.want)
		}
	}
	open := validStrategy()
	if !open.InPeriod(time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), nil) {
		t.Error("a strategy without a period is always in it")
	}
}

func TestStrategyAttemptsPerContact(t *testing.T) {
	s := validStrategy()
	s.MaxAttempts = 3
	if got := s.AttemptsPerContact(); got != 6 {
		t.Errorf("default per contact = %d, want 3 × 2 phones", got)
	}
	s.MaxAttemptsPerContact = 4
	if got := s.AttemptsPerContact(); got != 4 {
		t.Errorf("explicit per contact = %d", got)
	}
}

// TestStrategyUsersHook checks the check campaigns register: a strategy a
// campaign uses cannot be deleted.
func TestStrategyUsersHook(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DSN: filepath.Join(t.TempDir(), "t.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := &Calendar{Name: "c"}
	if err := s.CreateCalendar(ctx, c); err != nil {
		t.Fatal(err)
	}
	st := validStrategy()
	st.CalendarID = c.ID
	if err := s.CreateStrategy(ctx, st); err != nil {
		t.Fatal(err)
	}
	saved := strategyUsers
	t.Cleanup(func() { strategyUsers = saved })
	strategyUsers = append(slices.Clone(saved), func(_ *Store, _ context.Context, id int64) (bool, error) {
		return id == st.ID, nil
	})
	if err := s.DeleteStrategy(ctx, st.ID); !errors.Is(err, ErrConflict) {
		t.Fatalf("delete a used strategy: %v, want conflict", err)
	}
	strategyUsers = saved
	if err := s.DeleteStrategy(ctx, st.ID); err != nil {
		t.Fatalf("delete once unused: %v", err)
	}
}
