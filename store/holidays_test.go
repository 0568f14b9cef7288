package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestHolidaySeedAndEdit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if v, err := s.SchemaVersion(ctx); err != nil || v < 2 {
			t.Fatalf("schema version %d %v, want the holiday seed (2) applied", v, err)
		}
		hs, total, err := s.ListHolidays(ctx, store.HolidayFilter{Year: 2026, Page: store.Page{Size: 100}})
		if err != nil {
			t.Fatal(err)
		}
		byDate := map[string]store.Holiday{}
		for _, h := range hs {
			byDate[h.Date] = h
		}
		if total != int64(len(hs)) || len(hs) < 30 {
			t.Fatalf("2026 has %d (total %d) official days, want 30+", len(hs), total)
		}
		for date, kind := range map[string]store.DateKind{"2026-01-01": "holiday", "2026-02-17": "holiday", "2026-02-14": "workday",
			"2026-10-01": "holiday", "2026-10-07": "holiday", "2026-09-20": "workday", "2026-10-10": "workday"} {
			if h := byDate[date]; h.Kind != kind || h.Name == "" {
				t.Errorf("seed %s = %+v, want kind %s", date, h, kind)
			}
		}
		if _, all, _ := s.ListHolidays(ctx, store.HolidayFilter{}); all <= total {
			t.Errorf("all years %d <= one year %d", all, total)
		}

		// Next year's schedule, added by an admin, reaches calendars.
		h := &store.Holiday{Date: "2027-01-01", Name: "元旦节", Kind: "holiday"}
		if err := s.CreateHoliday(ctx, h); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateHoliday(ctx, &store.Holiday{Date: "2027-01-01", Name: "x", Kind: "holiday"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate date: %v", err)
		}
		c := &store.Calendar{Name: "c", UseOfficialHolidays: true}
		if err := s.CreateCalendar(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, _ := s.GetCalendar(ctx, c.ID)
		if k := got.DayKind(at("2027-01-01 12:00")); k != "holiday" {
			t.Errorf("added holiday: DayKind = %s", k)
		}
		if err := s.DeleteHoliday(ctx, h.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteHoliday(ctx, h.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
		got, _ = s.GetCalendar(ctx, c.ID)
		if k := got.DayKind(at("2027-01-01 12:00")); k != "workday" {
			t.Errorf("after delete: DayKind = %s, want workday (a Friday)", k)
		}
	})
}

func TestHolidayValidate(t *testing.T) {
	cases := []struct {
		h     store.Holiday
		field string
	}{
		{store.Holiday{Date: "2027-01-01", Name: "元旦", Kind: "holiday"}, ""},
		{store.Holiday{Date: "2027-1-1", Name: "元旦", Kind: "holiday"}, "date"},
		{store.Holiday{Date: "2027-01-01", Kind: "holiday"}, "name"},
		{store.Holiday{Date: "2027-01-01", Name: "元旦", Kind: "weekend"}, "kind"},
	}
	for _, c := range cases {
		err := c.h.Validate()
		if c.field == "" && err != nil || c.field != "" && !slices.Contains(fieldsOf(err), c.field) {
			t.Errorf("%+v: %v, want field %q", c.h, err, c.field)
		}
	}
}
