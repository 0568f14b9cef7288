package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// attendanceStep is one thing that happens to an agent, written through the
// store functions the acd calls.
type attendanceStep struct {
	what   string // in, out, break (with reason), ready
	when   string // Shanghai wall clock
	reason string
}

func in(when string) attendanceStep  { return attendanceStep{what: "in", when: when} }
func out(when string) attendanceStep { return attendanceStep{what: "out", when: when} }
func brk(reason, when string) attendanceStep {
	return attendanceStep{what: "break", when: when, reason: reason}
}
func ready(when string) attendanceStep { return attendanceStep{what: "ready", when: when} }

// dayLine is an attendance row in one comparable line.
func dayLine(d store.AttendanceDay) string {
	var flags []string
	for _, f := range []struct {
		on   bool
		name string
	}{{d.DayOff, "off"}, {d.Unscheduled, "unscheduled"}, {d.Absent, "absent"}, {d.StillSignedIn, "still"}} {
		if f.on {
			flags = append(flags, f.name)
		}
	}
	clock := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.In(shanghai).Format("01-02 15:04")
	}
	return fmt.Sprintf("%s %s [%s] in=%s out=%s late=%d early=%d break=%d/%d over=%d worked=%d",
		d.Date[5:], d.ShiftName, strings.Join(flags, ","), clock(d.FirstSignIn), clock(d.LastSignOut),
		d.LateMin, d.EarlyLeaveMin, d.BreakMin, d.BreakAllowance, d.OverBreakMin, d.SignedInMin)
}

func TestAttendance(t *testing.T) {
	now := at("2026-12-03 12:00")
	cases := []struct {
		name   string
		roster []store.RosterCell // AgentID is filled in; ShiftID 1 = day, 2 = night
		steps  []attendanceStep
		want   []string
	}{
		{"on time, break within allowance",
			[]store.RosterCell{{Date: "2026-12-01", ShiftID: ptr(1)}},
			[]attendanceStep{in("2026-12-01 08:55"), brk("lunch", "2026-12-01 12:00"), ready("2026-12-01 12:45"), out("2026-12-01 18:05")},
			[]string{"12-01 早班 [] in=12-01 08:55 out=12-01 18:05 late=0 early=0 break=45/60 over=0 worked=550"}},
		{"late and left early",
			[]store.RosterCell{{Date: "2026-12-01", ShiftID: ptr(1)}},
			[]attendanceStep{in("2026-12-01 09:17"), out("2026-12-01 17:30")},
			[]string{"12-01 早班 [] in=12-01 09:17 out=12-01 17:30 late=17 early=30 break=0/60 over=0 worked=493"}},
		{"breaks over the allowance",
			[]store.RosterCell{{Date: "2026-12-01", ShiftID: ptr(1)}},
			[]attendanceStep{in("2026-12-01 09:00"), brk("lunch", "2026-12-01 12:00"), ready("2026-12-01 13:00"),
				brk("restroom", "2026-12-01 15:00"), brk("meeting", "2026-12-01 15:10"), ready("2026-12-01 15:20"), out("2026-12-01 18:00")},
			[]string{"12-01 早班 [] in=12-01 09:00 out=12-01 18:00 late=0 early=0 break=80/60 over=20 worked=540"}},
		{"absent, and a future shift is not",
			[]store.RosterCell{{Date: "2026-12-01", ShiftID: ptr(1)}, {Date: "2026-12-04", ShiftID: ptr(1)}},
			nil,
			[]string{"12-01 早班 [absent] in=- out=- late=0 early=0 break=0/60 over=0 worked=0",
				"12-04 早班 [] in=- out=- late=0 early=0 break=0/60 over=0 worked=0"}},
		{"today's shift begun without a sign-in",
			[]store.RosterCell{{Date: "2026-12-03", ShiftID: ptr(1)}},
			nil,
			[]string{"12-03 早班 [absent] in=- out=- late=0 early=0 break=0/60 over=0 worked=0"}},
		{"still signed in today",
			[]store.RosterCell{{Date: "2026-12-03", ShiftID: ptr(1)}},
			[]attendanceStep{in("2026-12-03 09:05"), brk("meal", "2026-12-03 11:30")},
			[]string{"12-03 早班 [still] in=12-03 09:05 out=- late=5 early=0 break=30/60 over=0 worked=175"}},
		{"night shift across midnight is one day",
			[]store.RosterCell{{Date: "2026-12-01", ShiftID: ptr(2)}},
			[]attendanceStep{in("2026-12-01 21:58"), brk("meal", "2026-12-02 02:00"), ready("2026-12-02 02:40"), out("2026-12-02 06:02")},
			[]string{"12-01 夜班 [] in=12-01 21:58 out=12-02 06:02 late=0 early=0 break=40/30 over=10 worked=484"}},
		{"night shift started after midnight",
			[]store.RosterCell{{Date: "2026-12-01", ShiftID: ptr(2)}},
			[]attendanceStep{in("2026-12-02 00:10"), out("2026-12-02 05:00")},
			[]string{"12-01 夜班 [] in=12-02 00:10 out=12-02 05:00 late=130 early=60 break=0/30 over=0 worked=290"}},
		{"two sessions with a gap",
			[]store.RosterCell{{Date: "2026-12-01", ShiftID: ptr(1)}},
			[]attendanceStep{in("2026-12-01 08:58"), out("2026-12-01 12:00"), in("2026-12-01 13:00"), out("2026-12-01 18:00")},
			[]string{"12-01 早班 [] in=12-01 08:58 out=12-01 18:00 late=0 early=0 break=0/60 over=0 worked=482"}},
		{"worked on a day off",
			[]store.RosterCell{{Date: "2026-12-02", DayOff: true}},
			[]attendanceStep{in("2026-12-02 10:00"), out("2026-12-02 14:00")},
			[]string{"12-02  [off] in=12-02 10:00 out=12-02 14:00 late=0 early=0 break=0/0 over=0 worked=240"}},
		{"signed in without a roster entry",
			nil,
			[]attendanceStep{in("2026-12-02 10:00"), out("2026-12-02 11:00")},
			[]string{"12-02  [unscheduled] in=12-02 10:00 out=12-02 11:00 late=0 early=0 break=0/0 over=0 worked=60"}},
		{"a day shift and a later unscheduled return",
			[]store.RosterCell{{Date: "2026-12-01", ShiftID: ptr(1)}},
			[]attendanceStep{in("2026-12-01 09:00"), out("2026-12-01 18:00"), in("2026-12-01 22:30"), out("2026-12-01 23:00")},
			[]string{"12-01 早班 [] in=12-01 09:00 out=12-01 18:00 late=0 early=0 break=0/60 over=0 worked=540",
				"12-01  [unscheduled] in=12-01 22:30 out=12-01 23:00 late=0 early=0 break=0/0 over=0 worked=30"}},
	}
	storetest.RunWith(t, storetest.Options{Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		day := &store.Shift{Name: "早班", Start: "09:00", End: "18:00", BreakMinutes: 60}
		night := &store.Shift{Name: "夜班", Start: "22:00", End: "06:00", BreakMinutes: 30}
		for _, sh := range []*store.Shift{day, night} {
			if err := s.CreateShift(ctx, sh); err != nil {
				t.Fatal(err)
			}
		}
		shiftIDs := map[int64]int64{1: day.ID, 2: night.ID}
		for i, c := range cases {
			agent := newUser(t, s, fmt.Sprintf("agent%d", i), store.RoleAgent)
			var cells []store.RosterCell
			for _, cell := range c.roster {
				cell.AgentID = agent.ID
				if cell.ShiftID != nil {
					cell.ShiftID = ptr(shiftIDs[*cell.ShiftID])
				}
				cells = append(cells, cell)
			}
			if len(cells) > 0 {
				if _, err := s.SetRoster(ctx, cells, 0); err != nil {
					t.Fatalf("%s: roster: %v", c.name, err)
				}
			}
			runSteps(t, s, agent.ID, c.steps)
			days, err := s.Attendance(ctx, store.AttendanceFilter{From: "2026-12-01", To: "2026-12-04", AgentID: agent.ID})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var got []string
			for _, d := range days {
				if d.AgentID != agent.ID || d.Username != agent.Username {
					t.Errorf("%s: row of agent %d %q", c.name, d.AgentID, d.Username)
				}
				got = append(got, dayLine(d))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("%s:\n got %s\nwant %s", c.name, strings.Join(got, "\n     "), strings.Join(c.want, "\n     "))
			}
		}
		// Everyone at once, and by group.
		all, err := s.Attendance(ctx, store.AttendanceFilter{From: "2026-12-01", To: "2026-12-04"})
		if err != nil || len(all) != 14 {
			t.Fatalf("all agents: %d rows, %v", len(all), err)
		}
		g := &store.Group{Name: "一组", Kind: store.GroupAgent}
		if err := s.CreateGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"agent1", "agent3"} {
			u, _ := s.UserByUsername(ctx, name)
			if err := s.UpdateUser(ctx, u, store.UserUpdate{GroupIDs: []int64{g.ID}}); err != nil {
				t.Fatal(err)
			}
		}
		byGroup, err := s.Attendance(ctx, store.AttendanceFilter{From: "2026-12-01", To: "2026-12-04", GroupID: g.ID})
		if err != nil || len(byGroup) != 3 || byGroup[0].Username != "agent1" || byGroup[2].Username != "agent3" {
			t.Fatalf("by group: %+v %v", byGroup, err)
		}
		for _, bad := range []store.AttendanceFilter{{From: "2026-12-01", To: "2026-11-30"}, {From: "x", To: "2026-12-01"},
			{From: "2026-01-01", To: "2026-12-01"}, {From: "2026-12-01", To: "2026-12-01", Timezone: "Mars/Base"}} {
			if _, err := s.Attendance(ctx, bad); fieldsOf(err) == nil {
				t.Errorf("filter %+v: %v", bad, err)
			}
		}
	})
}

func ptr(v int64) *int64 { return &v }

// runSteps writes an agent's day the way the acd does.
func runSteps(t *testing.T, s *store.Store, agent int64, steps []attendanceStep) {
	t.Helper()
	var sess *store.AgentSession
	for _, st := range steps {
		switch st.what {
		case "in":
			sess = signIn(t, s, agent, st.when)
		case "out":
			signOut(t, s, sess, st.when)
		case "break":
			state(t, s, sess, store.AgentBreak, st.reason, st.when)
		case "ready":
			state(t, s, sess, store.AgentReady, "", st.when)
		}
	}
}
