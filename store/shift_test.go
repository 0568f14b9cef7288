package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestShiftValidate(t *testing.T) {
	cases := []struct {
		name    string
		sh      store.Shift
		fields  string
		crosses bool
		work    int
	}{
		{"day", store.Shift{Name: "早班", Start: "09:00", End: "18:00", BreakMinutes: 60}, "[]", false, 480},
		{"night across midnight", store.Shift{Name: "夜班", Start: "22:00", End: "06:00", BreakMinutes: 30}, "[]", true, 450},
		{"until midnight as 24:00", store.Shift{Name: "晚班", Start: "16:00", End: "24:00"}, "[]", false, 480},
		{"until midnight as 00:00", store.Shift{Name: "晚班", Start: "16:00", End: "00:00"}, "[]", false, 480},
		{"start equals end", store.Shift{Name: "x", Start: "09:00", End: "09:00"}, "[end]", false, 0},
		{"bad start", store.Shift{Name: "x", Start: "9:00", End: "18:00"}, "[start]", false, 0},
		{"24:00 start", store.Shift{Name: "x", Start: "24:00", End: "08:00"}, "[start]", false, 0},
		{"bad end", store.Shift{Name: "x", Start: "09:00", End: "18:60"}, "[end]", false, 0},
		{"break as long as the shift", store.Shift{Name: "x", Start: "09:00", End: "10:00", BreakMinutes: 60}, "[break_minutes]", false, 0},
		{"negative break", store.Shift{Name: "x", Start: "09:00", End: "10:00", BreakMinutes: -1}, "[break_minutes]", false, 0},
		{"no name", store.Shift{Start: "09:00", End: "10:00"}, "[name]", false, 0},
		{"bad zone", store.Shift{Name: "x", Start: "09:00", End: "10:00", Timezone: "Mars/Olympus"}, "[timezone]", false, 0},
	}
	for _, c := range cases {
		err := c.sh.Validate()
		if got := fmt.Sprint(fieldsOf(err)); got != c.fields {
			t.Errorf("%s: fields %s, want %s (%v)", c.name, got, c.fields, err)
			continue
		}
		if err == nil && (c.sh.CrossesMidnight != c.crosses || c.sh.WorkMinutes != c.work || c.sh.Timezone != "Asia/Shanghai") {
			t.Errorf("%s: crosses %v work %d zone %s, want %v %d", c.name, c.sh.CrossesMidnight, c.sh.WorkMinutes, c.sh.Timezone, c.crosses, c.work)
		}
	}
}

func TestShiftEditReachesOnlyFutureDays(t *testing.T) {
	var now time.Time
	storetest.RunWith(t, storetest.Options{Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		now = at("2026-12-10 12:00") // each database's run starts at the same time
		ctx := context.Background()
		agent := newUser(t, s, "agent1", store.RoleAgent)
		sh := &store.Shift{Name: "早班", Start: "09:00", End: "18:00", BreakMinutes: 60}
		if err := s.CreateShift(ctx, sh); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateShift(ctx, &store.Shift{Name: "早班", Start: "08:00", End: "17:00"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate name: %v", err)
		}
		if _, err := s.AssignRoster(ctx, store.RosterAssignment{AgentIDs: []int64{agent.ID}, From: "2026-12-09", To: "2026-12-11", ShiftID: &sh.ID}); err != nil {
			t.Fatal(err)
		}
		sh.Start, sh.End = "08:30", "17:30"
		if err := s.UpdateShift(ctx, sh); err != nil {
			t.Fatal(err)
		}
		days, _, err := s.ListRoster(ctx, store.RosterFilter{From: "2026-12-09", To: "2026-12-11"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range days {
			got = append(got, d.Date+" "+d.Start+"-"+d.End)
		}
		if want := "[2026-12-09 09:00-18:00 2026-12-10 08:30-17:30 2026-12-11 08:30-17:30]"; fmt.Sprint(got) != want {
			t.Fatalf("roster after the edit %v, want %s", got, want)
		}
		if err := s.DeleteShift(ctx, sh.ID); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("deleting a shift on today's roster: %v", err)
		}
		now = at("2026-12-12 08:00") // only past days use it now
		if err := s.DeleteShift(ctx, sh.ID); err != nil {
			t.Fatalf("deleting a shift only past days used: %v", err)
		}
		days, _, _ = s.ListRoster(ctx, store.RosterFilter{From: "2026-12-09", To: "2026-12-09"})
		if len(days) != 1 || days[0].ShiftName != "早班" || days[0].Start != "09:00" {
			t.Fatalf("a past day lost its shift: %+v", days)
		}
	})
}

func TestRoster(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newUser(t, s, "agent1", store.RoleAgent)
		b := newUser(t, s, "agent2", store.RoleAgent)
		g := &store.Group{Name: "一组", Kind: store.GroupAgent}
		if err := s.CreateGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateUser(ctx, b, store.UserUpdate{GroupIDs: []int64{g.ID}}); err != nil {
			t.Fatal(err)
		}
		day := &store.Shift{Name: "早班", Start: "09:00", End: "18:00", BreakMinutes: 60}
		night := &store.Shift{Name: "夜班", Start: "22:00", End: "06:00", BreakMinutes: 30}
		for _, sh := range []*store.Shift{day, night} {
			if err := s.CreateShift(ctx, sh); err != nil {
				t.Fatal(err)
			}
		}
		// Weekdays of the first week of December 2026 (Tuesday 1st to Monday 7th).
		n, err := s.AssignRoster(ctx, store.RosterAssignment{AgentIDs: []int64{a.ID}, GroupID: g.ID, From: "2026-12-01", To: "2026-12-07", Weekdays: []int{1, 2, 3, 4, 5}, ShiftID: &day.ID})
		if err != nil || n != 10 {
			t.Fatalf("assign: %d %v, want 10 cells", n, err)
		}
		if _, err := s.AssignRoster(ctx, store.RosterAssignment{AgentIDs: []int64{a.ID}, From: "2026-12-05", To: "2026-12-06", DayOff: true}); err != nil {
			t.Fatal(err)
		}
		badAssign := []struct {
			name  string
			a     store.RosterAssignment
			field string
		}{
			{"no agents", store.RosterAssignment{From: "2026-12-01", To: "2026-12-02", DayOff: true}, "agent_ids"},
			{"to before from", store.RosterAssignment{AgentIDs: []int64{a.ID}, From: "2026-12-02", To: "2026-12-01", DayOff: true}, "to"},
			{"too long", store.RosterAssignment{AgentIDs: []int64{a.ID}, From: "2026-01-01", To: "2027-01-02", DayOff: true}, "to"},
			{"bad weekday", store.RosterAssignment{AgentIDs: []int64{a.ID}, From: "2026-12-01", To: "2026-12-02", Weekdays: []int{0}, DayOff: true}, "weekdays"},
			{"no weekday in range", store.RosterAssignment{AgentIDs: []int64{a.ID}, From: "2026-12-01", To: "2026-12-01", Weekdays: []int{1}, DayOff: true}, "weekdays"},
			{"shift and day off", store.RosterAssignment{AgentIDs: []int64{a.ID}, From: "2026-12-01", To: "2026-12-01", ShiftID: &day.ID, DayOff: true}, "shift_id"},
			{"nothing to set", store.RosterAssignment{AgentIDs: []int64{a.ID}, From: "2026-12-01", To: "2026-12-01"}, "shift_id"},
			{"unknown group", store.RosterAssignment{GroupID: 999, From: "2026-12-01", To: "2026-12-01", DayOff: true}, "group_id"},
		}
		for _, c := range badAssign {
			if _, err := s.AssignRoster(ctx, c.a); fmt.Sprint(fieldsOf(err)) != "["+c.field+"]" {
				t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
			}
		}
		// A bad cell names its row and changes nothing.
		missing := int64(999)
		_, err = s.SetRoster(ctx, []store.RosterCell{
			{AgentID: a.ID, Date: "2026-12-01", ShiftID: &night.ID},
			{AgentID: a.ID, Date: "2026-12-32", ShiftID: &night.ID},
			{AgentID: b.ID, Date: "2026-12-02", ShiftID: &missing},
			{AgentID: 999, Date: "2026-12-02", DayOff: true},
			{AgentID: a.ID, Date: "2026-12-01", DayOff: true},
		}, a.ID)
		var ve *store.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 4 || ve.Fields[0].Row != 2 || ve.Fields[1].Row != 3 || ve.Fields[2].Row != 4 || ve.Fields[3].Row != 5 {
			t.Fatalf("bad cells: %v", err)
		}
		n, err = s.SetRoster(ctx, []store.RosterCell{
			{AgentID: a.ID, Date: "2026-12-01", ShiftID: &night.ID, Note: "顶班"}, // replaces the day shift
			{AgentID: b.ID, Date: "2026-12-02"},                                 // clears
		}, a.ID)
		if err != nil || n != 2 {
			t.Fatalf("set: %d %v", n, err)
		}
		list := func(f store.RosterFilter) string {
			rows, total, err := s.ListRoster(ctx, f)
			if err != nil || int(total) != len(rows) {
				t.Fatalf("roster: %d of %d %v", len(rows), total, err)
			}
			var out []string
			for _, r := range rows {
				what := r.ShiftName
				if r.DayOff {
					what = "off"
				}
				out = append(out, fmt.Sprintf("%s/%s/%s", r.Date[8:], r.Username, what))
			}
			return fmt.Sprint(out)
		}
		cases := []struct {
			f    store.RosterFilter
			want string
		}{
			{store.RosterFilter{From: "2026-12-01", To: "2026-12-02", AgentID: a.ID}, "[01/agent1/夜班 02/agent1/早班]"},
			{store.RosterFilter{From: "2026-12-01", To: "2026-12-07", GroupID: g.ID}, "[01/agent2/早班 03/agent2/早班 04/agent2/早班 07/agent2/早班]"},
			{store.RosterFilter{From: "2026-12-05", To: "2026-12-07", AgentID: a.ID}, "[05/agent1/off 06/agent1/off 07/agent1/早班]"},
		}
		for _, c := range cases {
			if got := list(c.f); got != c.want {
				t.Errorf("roster %+v: %s, want %s", c.f, got, c.want)
			}
		}
	})
}
