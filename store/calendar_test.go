package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a wall-clock time in Shanghai.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func fieldsOf(err error) []string {
	var ve *store.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, f := range ve.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestCalendarValidate(t *testing.T) {
	w := func(kind, ct, start, end string) store.CalendarWindow {
		return store.CalendarWindow{DayKind: store.DayKind(kind), CustomerType: ct, Start: start, End: end}
	}
	cases := []struct {
		name  string
		cal   store.Calendar
		field string // "" = valid
	}{
		{"valid, two windows a day", store.Calendar{Name: "c", Windows: []store.CalendarWindow{
			w("workday", "", "09:00", "12:00"), w("workday", "", "14:00", "20:00"), w("workday", "VIP", "08:00", "21:00"),
			w("date:2026-10-01", "", "10:00", "11:00"), w("weekend", "", "10:00", "24:00")}}, ""},
		{"touching windows", store.Calendar{Name: "c", Windows: []store.CalendarWindow{
			w("workday", "", "09:00", "12:00"), w("workday", "", "12:00", "13:00")}}, ""},
		{"no name", store.Calendar{}, "name"},
		{"bad zone", store.Calendar{Name: "c", Timezone: "Mars/Olympus"}, "timezone"},
		{"bad day kind", store.Calendar{Name: "c", Windows: []store.CalendarWindow{w("sunday", "", "09:00", "10:00")}}, "windows[0].day_kind"},
		{"bad date kind", store.Calendar{Name: "c", Windows: []store.CalendarWindow{w("date:2026-02-30", "", "09:00", "10:00")}}, "windows[0].day_kind"},
		{"bad start", store.Calendar{Name: "c", Windows: []store.CalendarWindow{w("workday", "", "9:00", "10:00")}}, "windows[0].start"},
		{"24:00 start", store.Calendar{Name: "c", Windows: []store.CalendarWindow{w("workday", "", "24:00", "24:00")}}, "windows[0].start"},
		{"bad end", store.Calendar{Name: "c", Windows: []store.CalendarWindow{w("workday", "", "09:00", "25:00")}}, "windows[0].end"},
		{"end before start", store.Calendar{Name: "c", Windows: []store.CalendarWindow{
			w("workday", "", "09:00", "12:00"), w("workday", "", "20:00", "14:00")}}, "windows[1].end"},
		{"end equals start", store.Calendar{Name: "c", Windows: []store.CalendarWindow{w("workday", "", "09:00", "09:00")}}, "windows[0].end"},
		{"overlap", store.Calendar{Name: "c", Windows: []store.CalendarWindow{
			w("workday", "", "09:00", "12:00"), w("workday", "", "11:59", "13:00")}}, "windows[1].start"},
		{"bad override date", store.Calendar{Name: "c", Dates: []store.CalendarDate{{Date: "2026/10/01", Kind: "holiday"}}}, "dates[0].date"},
		{"bad override kind", store.Calendar{Name: "c", Dates: []store.CalendarDate{{Date: "2026-10-01", Kind: "weekend"}}}, "dates[0].kind"},
		{"override twice", store.Calendar{Name: "c", Dates: []store.CalendarDate{
			{Date: "2026-10-01", Kind: "holiday"}, {Date: "2026-10-01", Kind: "workday"}}}, "dates[1].date"},
	}
	for _, c := range cases {
		err := c.cal.Validate()
		got := fieldsOf(err)
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v, want valid", c.name, err)
			}
			continue
		}
		if !slices.Contains(got, c.field) {
			t.Errorf("%s: error fields %v (%v), want %s", c.name, got, err, c.field)
		}
	}
	c := store.Calendar{Name: "c"}
	if err := c.Validate(); err != nil || c.Timezone != store.DefaultTimezone || c.Windows == nil || c.Dates == nil {
		t.Errorf("defaults: %v %q %v %v", err, c.Timezone, c.Windows, c.Dates)
	}
}

// bankCalendar is the calendar the dial-time tests use: official 2026
// holidays (as the seed has them), VIP hours on holidays, an override.
func bankCalendar(t testing.TB) *store.Calendar {
	t.Helper()
	c := &store.Calendar{Name: "bank", UseOfficialHolidays: true,
		Windows: []store.CalendarWindow{
			{DayKind: "workday", Start: "09:00", End: "12:00"},
			{DayKind: "workday", Start: "14:00", End: "20:00"},
			{DayKind: "workday", CustomerType: "VIP客户", Start: "10:00", End: "18:00"},
			{DayKind: "weekend", Start: "10:00", End: "17:00"},
			{DayKind: "holiday", CustomerType: "VIP客户", Start: "10:00", End: "18:00"},
			{DayKind: "date:2026-12-24", Start: "09:00", End: "10:00"},
		},
		Dates: []store.CalendarDate{{Date: "2026-11-27", Kind: "holiday"}, {Date: "2026-10-03", Kind: "workday"}},
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.SetHolidays([]store.Holiday{
		{Date: "2026-09-20", Kind: "workday"}, {Date: "2026-10-01", Kind: "holiday"}, {Date: "2026-10-02", Kind: "holiday"},
		{Date: "2026-10-03", Kind: "holiday"}, {Date: "2026-10-07", Kind: "holiday"}, {Date: "2026-10-10", Kind: "workday"},
	})
	return c
}

func TestCalendarDayKind(t *testing.T) {
	c := bankCalendar(t)
	cases := []struct{ date, want string }{
		{"2026-11-24", "workday"}, // Tuesday
		{"2026-11-28", "weekend"}, // Saturday
		{"2026-10-01", "holiday"}, // National Day
		{"2026-10-07", "holiday"},
		{"2026-09-20", "workday"}, // Sunday, official make-up workday
		{"2026-10-10", "workday"}, // Saturday, official make-up workday
		{"2026-10-03", "workday"}, // the calendar's own override beats the official holiday
		{"2026-11-27", "holiday"}, // a Friday the calendar marks as holiday
	}
	for _, tc := range cases {
		if got := c.DayKind(at(tc.date + " 12:00")); got != tc.want {
			t.Errorf("DayKind(%s) = %s, want %s", tc.date, got, tc.want)
		}
	}
	// The date is taken in the calendar's zone: 2026-09-30 17:00 UTC is
	// already 2026-10-01 01:00 in Shanghai.
	if got := c.DayKind(time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC)); got != "holiday" {
		t.Errorf("DayKind across zones = %s, want holiday", got)
	}
	off := *c
	off.UseOfficialHolidays = false
	if got := off.DayKind(at("2026-10-01 12:00")); got != "workday" {
		t.Errorf("without official holidays 2026-10-01 = %s, want workday (a Thursday)", got)
	}
}

func TestCalendarOpen(t *testing.T) {
	c := bankCalendar(t)
	cases := []struct {
		when, ct string
		want     bool
	}{
		{"2026-11-24 08:59", "", false},
		{"2026-11-24 09:00", "", true},
		{"2026-11-24 11:59", "", true},
		{"2026-11-24 12:00", "", false}, // the lunch gap
		{"2026-11-24 14:00", "", true},
		{"2026-11-24 19:59", "", true},
		{"2026-11-24 20:00", "", false},
		{"2026-11-24 09:30", "VIP客户", false}, // VIP's own window wins over the "" one
		{"2026-11-24 17:30", "VIP客户", true},
		{"2026-11-24 09:30", "普通客户", true}, // a type with no window of its own uses ""
		{"2026-11-28 10:00", "", true},     // weekend
		{"2026-11-28 17:00", "", false},
		{"2026-10-01 12:00", "", false},     // holiday: no "" window, closed
		{"2026-10-01 12:00", "VIP客户", true}, // holiday window for VIP
		{"2026-09-20 09:30", "", true},      // make-up Sunday follows workday hours
		{"2026-10-10 15:00", "", true},      // make-up Saturday: workday hours
		{"2026-10-10 10:30", "", true},
		{"2026-10-10 09:30", "", true},       // 09:30 is closed on an ordinary Saturday
		{"2026-11-27 10:00", "", false},      // the calendar's own holiday
		{"2026-12-24 09:30", "", true},       // date window
		{"2026-12-24 15:00", "", false},      // the date window replaces the workday's
		{"2026-12-24 15:00", "VIP客户", false}, // for every type, having no date window of its own
	}
	for _, tc := range cases {
		if got := c.Open(at(tc.when), tc.ct); got != tc.want {
			t.Errorf("Open(%s, %q) = %v, want %v", tc.when, tc.ct, got, tc.want)
		}
	}
	if !c.Open(time.Date(2026, 11, 24, 1, 30, 0, 0, time.UTC), "") {
		t.Error("09:30 Shanghai given in UTC should be open")
	}
}

func TestCalendarNextOpen(t *testing.T) {
	c := bankCalendar(t)
	cases := []struct{ from, ct, want string }{
		{"2026-11-24 10:00", "", "2026-11-24 10:00"}, // open now
		{"2026-11-24 07:00", "", "2026-11-24 09:00"},
		{"2026-11-24 12:30", "", "2026-11-24 14:00"},
		{"2026-11-24 20:00", "", "2026-11-25 09:00"},
		{"2026-11-26 21:00", "", "2026-11-28 10:00"}, // Friday 27th is the calendar's holiday
		{"2026-09-30 21:00", "", "2026-10-03 09:00"}, // National Day closed; the 3rd is the override workday
		{"2026-09-30 21:00", "VIP客户", "2026-10-01 10:00"},
		{"2026-09-19 18:00", "", "2026-09-20 09:00"}, // Sunday make-up workday
	}
	for _, tc := range cases {
		got, ok := c.NextOpen(at(tc.from), tc.ct)
		if !ok || !got.Equal(at(tc.want)) {
			t.Errorf("NextOpen(%s, %q) = %v %v, want %s", tc.from, tc.ct, got, ok, tc.want)
		}
	}
	from := at("2026-11-24 12:30").Add(30 * time.Second)
	if got, _ := c.NextOpen(from, ""); !got.Equal(at("2026-11-24 14:00")) {
		t.Errorf("NextOpen from 12:30:30 = %v", got)
	}
	closed := &store.Calendar{Name: "never"}
	if got, ok := closed.NextOpen(at("2026-11-24 10:00"), ""); ok {
		t.Errorf("a calendar without windows opened at %v", got)
	}
}

func TestCalendarUnpreparedAndZone(t *testing.T) {
	// Built by hand, never validated, not even named: still answers, in its
	// own zone.
	c := &store.Calendar{Timezone: "UTC",
		Windows: []store.CalendarWindow{{DayKind: "workday", Start: "09:00", End: "17:00"}}}
	if !c.Open(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), "") {
		t.Error("09:00 UTC should be open")
	}
	if c.Open(at("2026-11-24 10:00"), "") { // 02:00 UTC
		t.Error("10:00 Shanghai is 02:00 UTC, closed")
	}
	if c.Location() != time.UTC {
		t.Errorf("location %v", c.Location())
	}
}

func TestCalendarStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &store.Calendar{Name: "工作日历", UseOfficialHolidays: true,
			Windows: []store.CalendarWindow{{DayKind: "workday", Start: "09:00", End: "20:00"}},
			Dates:   []store.CalendarDate{{Date: "2026-11-27", Kind: "holiday"}}}
		if err := s.CreateCalendar(ctx, c); err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.Version != 1 || c.Timezone != "Asia/Shanghai" {
			t.Fatalf("created %+v", c)
		}
		if err := s.CreateCalendar(ctx, &store.Calendar{Name: "工作日历"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate name: %v", err)
		}
		got, err := s.GetCalendar(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Windows) != 1 || got.Windows[0].End != "20:00" || len(got.Dates) != 1 {
			t.Fatalf("read back %+v", got)
		}
		// Loaded from the store, the calendar knows the seeded official days.
		for date, want := range map[string]string{"2026-10-01": "holiday", "2026-10-10": "workday", "2026-11-27": "holiday", "2026-11-24": "workday"} {
			if k := got.DayKind(at(date + " 12:00")); k != want {
				t.Errorf("stored calendar DayKind(%s) = %s, want %s", date, k, want)
			}
		}
		if got.Open(at("2026-10-01 10:00"), "") || !got.Open(at("2026-10-10 10:00"), "") {
			t.Error("stored calendar does not follow the official schedule")
		}

		got.Windows = append(got.Windows, store.CalendarWindow{DayKind: "weekend", Start: "10:00", End: "12:00"})
		got.UseOfficialHolidays = false
		if err := s.UpdateCalendar(ctx, got); err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 {
			t.Fatalf("version after update = %d", got.Version)
		}
		if got.DayKind(at("2026-10-01 12:00")) != "workday" {
			t.Error("turning official holidays off did not reach the returned calendar")
		}
		stale := *c // version 1
		stale.Name = "stale"
		if err := s.UpdateCalendar(ctx, &stale); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("stale update: %v, want conflict", err)
		}
		again, _ := s.GetCalendar(ctx, c.ID)
		if again.Name != "工作日历" || len(again.Windows) != 2 || again.UseOfficialHolidays || again.Version != 2 {
			t.Fatalf("after update %+v", again)
		}
		bad := *again
		bad.Windows = []store.CalendarWindow{{DayKind: "workday", Start: "10:00", End: "09:00"}}
		if f := fieldsOf(s.UpdateCalendar(ctx, &bad)); !slices.Equal(f, []string{"windows[0].end"}) {
			t.Fatalf("invalid update fields %v", f)
		}
		missing := *again
		missing.ID = 99999
		if err := s.UpdateCalendar(ctx, &missing); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update missing: %v", err)
		}

		if err := s.CreateCalendar(ctx, &store.Calendar{Name: "second"}); err != nil {
			t.Fatal(err)
		}
		list, total, err := s.ListCalendars(ctx, store.Page{Size: 1})
		if err != nil || total != 2 || len(list) != 1 || list[0].ID != c.ID {
			t.Fatalf("list: %v %d %+v", err, total, list)
		}

		st := store.NewStrategy()
		st.Name, st.CalendarID = "uses it", c.ID
		if err := s.CreateStrategy(ctx, st); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCalendar(ctx, c.ID); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("delete used calendar: %v, want conflict", err)
		}
		if err := s.DeleteStrategy(ctx, st.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCalendar(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetCalendar(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get deleted: %v", err)
		}
		if err := s.DeleteCalendar(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})
}

// TestStrategyStore is the strategy's round trip; it lives here because a
// strategy needs a calendar (strategy_test.go is an internal test file).
func TestStrategyStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &store.Calendar{Name: "cal"}
		if err := s.CreateCalendar(ctx, c); err != nil {
			t.Fatal(err)
		}
		st := store.NewStrategy()
		st.Name, st.CalendarID = "催缴策略", 999
		if f := fieldsOf(s.CreateStrategy(ctx, st)); !slices.Equal(f, []string{"calendar_id"}) {
			t.Fatalf("missing calendar: fields %v", f)
		}
		st.CalendarID = c.ID
		st.RetryIntervals = map[string]store.RetryRange{"busy": {MinS: 300, MaxS: 900}}
		st.PeriodStart, st.PeriodEnd = "2026-11-24", "2026-12-31"
		if err := s.CreateStrategy(ctx, st); err != nil {
			t.Fatal(err)
		}
		dup := store.NewStrategy()
		dup.Name, dup.CalendarID = "催缴策略", c.ID
		if err := s.CreateStrategy(ctx, dup); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate name: %v", err)
		}
		got, err := s.GetStrategy(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 1 || got.RetryIntervals["busy"].MaxS != 900 || !slices.Equal(got.PhoneOrder, []string{"phone", "alt_phone"}) ||
			got.PeriodEnd != "2026-12-31" || got.BatchSize != 50 {
			t.Fatalf("read back %+v", got)
		}
		before := got.UpdatedAt
		got.MaxAttempts, got.PhoneOrder = 5, []string{"alt_phone"}
		got.RetryIntervals = map[string]store.RetryRange{}
		if err := s.UpdateStrategy(ctx, got); err != nil {
			t.Fatal(err)
		}
		if v, err := s.StrategyVersion(ctx, st.ID); err != nil || v != 2 {
			t.Fatalf("version after update %d %v, want 2", v, err)
		}
		again, _ := s.GetStrategy(ctx, st.ID)
		if again.MaxAttempts != 5 || len(again.PhoneOrder) != 1 || len(again.RetryIntervals) != 0 || again.UpdatedAt.Before(before) {
			t.Fatalf("after update %+v", again)
		}
		if err := s.UpdateStrategy(ctx, st); !errors.Is(err, store.ErrConflict) { // st still has version 1
			t.Fatalf("stale update: %v, want conflict", err)
		}
		again, _ = s.GetStrategy(ctx, st.ID)
		again.CalendarID = 12345
		if f := fieldsOf(s.UpdateStrategy(ctx, again)); !slices.Equal(f, []string{"calendar_id"}) {
			t.Fatalf("update to a missing calendar: %v", f)
		}
		// A change to its calendar or to the official schedule is a change
		// to the strategy too, for campaigns polling its version.
		calNow, _ := s.GetCalendar(ctx, c.ID)
		calNow.Windows = []store.CalendarWindow{{DayKind: "weekend", Start: "10:00", End: "11:00"}}
		if err := s.UpdateCalendar(ctx, calNow); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.StrategyVersion(ctx, st.ID); v != 3 {
			t.Fatalf("version after calendar edit %d, want 3", v)
		}
		calNow.UseOfficialHolidays = true
		if err := s.UpdateCalendar(ctx, calNow); err != nil {
			t.Fatal(err)
		}
		hol := &store.Holiday{Date: "2027-01-01", Name: "元旦节", Kind: "holiday"}
		if err := s.CreateHoliday(ctx, hol); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteHoliday(ctx, hol.ID); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.StrategyVersion(ctx, st.ID); v != 6 {
			t.Fatalf("version after calendar edit and two holiday edits %d, want 6", v)
		}
		if _, err := s.StrategyVersion(ctx, 4242); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("version of missing: %v", err)
		}
		list, total, err := s.ListStrategies(ctx, c.ID, store.Page{})
		if err != nil || total != 1 || len(list) != 1 {
			t.Fatalf("list: %v %d", err, total)
		}
		if _, total, _ := s.ListStrategies(ctx, c.ID+1, store.Page{}); total != 0 {
			t.Fatalf("list by other calendar: %d", total)
		}
		if err := s.DeleteStrategy(ctx, st.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetStrategy(ctx, st.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get deleted: %v", err)
		}
		if err := s.DeleteStrategy(ctx, st.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})
}

func BenchmarkCalendarOpen(b *testing.B) {
	c := bankCalendar(b)
	t := at("2026-11-24 12:30")
	for b.Loop() {
		c.Open(t, "VIP客户")
	}
}

// BenchmarkCalendarNextOpen is a long search: National Day eve to the 3rd.
func BenchmarkCalendarNextOpen(b *testing.B) {
	c := bankCalendar(b)
	t := at("2026-09-30 21:00")
	for b.Loop() {
		c.NextOpen(t, "")
	}
}

// BenchmarkCalendarNextOpenNever is the worst case: a year without a window.
func BenchmarkCalendarNextOpenNever(b *testing.B) {
	c := &store.Calendar{Name: "closed"}
	if err := c.Validate(); err != nil {
		b.Fatal(err)
	}
	t := at("2026-09-30 21:00")
	for b.Loop() {
		if _, ok := c.NextOpen(t, ""); ok {
			b.Fatal("a calendar without windows opened")
		}
	}
}
