package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// AttendanceDay compares one agent's day with their roster (R40): the
// scheduled hours, the first softphone sign-in and last sign-out, and the
// minutes late, left early and on break.
type AttendanceDay struct {
	AgentID     int64  `json:"agent_id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Date        string `json:"date"`
	ShiftID     *int64 `json:"shift_id"`
	ShiftName   string `json:"shift_name,omitempty"`
	DayOff      bool   `json:"day_off"`
	// Unscheduled: the agent signed in on a date the roster has nothing for.
	Unscheduled    bool       `json:"unscheduled"`
	ScheduledStart *time.Time `json:"scheduled_start"`
	ScheduledEnd   *time.Time `json:"scheduled_end"`
	FirstSignIn    *time.Time `json:"first_sign_in"`
	LastSignOut    *time.Time `json:"last_sign_out"`
	StillSignedIn  bool       `json:"still_signed_in"`
	SignedInMin    int        `json:"signed_in_minutes"`
	LateMin        int        `json:"late_minutes"`
	EarlyLeaveMin  int        `json:"early_leave_minutes"`
	BreakMin       int        `json:"break_minutes"`
	BreakAllowance int        `json:"break_allowance_minutes"`
	OverBreakMin   int        `json:"over_break_minutes"`
	// Absent: a scheduled shift has begun and the agent has not signed in
	// for it.
	Absent bool `json:"absent"`
}

// AttendanceFilter selects agents and dates (inclusive, YYYY-MM-DD).
type AttendanceFilter struct {
	From, To string
	AgentID  int64
	GroupID  int64
	// Timezone places dates that have no shift (default Asia/Shanghai);
	// a shift's own zone places its hours.
	Timezone string
}

// MaxAttendanceDays bounds one attendance query.
const MaxAttendanceDays = 93

// attendanceMargin is how far before a shift's start and after its end a
// sign-in still counts for that shift (less for long shifts, so two days'
// shifts never claim the same sign-in).
const attendanceMargin = 4 * time.Hour

// Attendance computes attendance per agent per day, ordered by agent then
// date: every roster day in the range, and every date an agent signed in
// without a roster entry.
func (s *Store) Attendance(ctx context.Context, f AttendanceFilter) ([]AttendanceDay, error) {
	loc, from, to, err := f.period()
	if err != nil {
		return nil, err
	}
	var agents []int64
	switch {
	case f.AgentID != 0:
		agents = []int64{f.AgentID}
	case f.GroupID != 0:
		if agents, err = s.groupMembers(ctx, f.GroupID); err != nil {
			return nil, err
		}
		if len(agents) == 0 {
			return []AttendanceDay{}, nil
		}
	}
	in, err := s.attendanceInput(ctx, f, agents, from.AddDate(0, 0, -1), to.AddDate(0, 0, 3))
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []AttendanceDay
	for _, id := range in.agentIDs() {
		out = append(out, attendanceOf(in.roster[id], in.sessions[id], in.breaks, f.From, f.To, loc, now)...)
	}
	if err := s.nameAttendance(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (f *AttendanceFilter) period() (*time.Location, time.Time, time.Time, error) {
	if f.Timezone == "" {
		f.Timezone = DefaultTimezone
	}
	loc, err := loadZone(f.Timezone)
	if err != nil || f.Timezone == "Local" {
		return nil, time.Time{}, time.Time{}, Invalid("tz", "must be an IANA time zone such as Asia/Shanghai")
	}
	from, err1 := time.ParseInLocation(time.DateOnly, f.From, loc)
	to, err2 := time.ParseInLocation(time.DateOnly, f.To, loc)
	switch {
	case err1 != nil:
		return nil, from, to, Invalid("from", "must be YYYY-MM-DD")
	case err2 != nil || to.Before(from):
		return nil, from, to, Invalid("to", "must be YYYY-MM-DD, not before from")
	case to.Sub(from) >= MaxAttendanceDays*24*time.Hour:
		return nil, from, to, Invalid("to", fmt.Sprintf("the range is longer than %d days", MaxAttendanceDays))
	}
	return loc, from, to, nil
}

// attendanceRows is what attendance reads, per agent.
type attendanceRows struct {
	roster   map[int64][]RosterEntry
	sessions map[int64][]AgentSession
	breaks   map[int64][]AgentStateEvent // by session id
}

func (in *attendanceRows) agentIDs() []int64 {
	var ids []int64
	for id := range in.roster {
		ids = append(ids, id)
	}
	for id := range in.sessions {
		if _, ok := in.roster[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (s *Store) attendanceInput(ctx context.Context, f AttendanceFilter, agents []int64, from, to time.Time) (*attendanceRows, error) {
	in := &attendanceRows{roster: map[int64][]RosterEntry{}, sessions: map[int64][]AgentSession{}, breaks: map[int64][]AgentStateEvent{}}
	q := s.conn(ctx).Where("date >= ? AND date <= ?", f.From, f.To)
	if len(agents) > 0 {
		q = q.Where("agent_id IN ?", agents)
	}
	var roster []RosterEntry
	var sessions []AgentSession
	err := parallel(2, func(i int) (err error) { // the roster and the sign-ins at once
		if i == 1 { // AgentSessions' rows, with the columns worked reads
			q := s.conn(ctx).Select("id, agent_id, signed_in_at, signed_out_at").
				Where("signed_in_at < ? AND (signed_out_at IS NULL OR signed_out_at > ?)", to.UTC(), from.UTC())
			if len(agents) > 0 {
				q = q.Where("agent_id IN ?", agents)
			}
			if err := q.Order("agent_id, signed_in_at, id").Find(&sessions).Error; err != nil {
				return fmt.Errorf("store: attendance sign-ins: %w", err)
			}
			return nil
		}
		cols := "agent_id, date, shift_id, day_off, shift_name, shift_start, shift_end, break_minutes, timezone"
		if err := q.Select(cols).Order("agent_id, date").Find(&roster).Error; err != nil {
			return fmt.Errorf("store: attendance roster: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, e := range roster {
		in.roster[e.AgentID] = append(in.roster[e.AgentID], e)
	}
	for _, a := range sessions {
		in.sessions[a.AgentID] = append(in.sessions[a.AgentID], a)
	}
	ids := make([]int64, len(sessions))
	for i, a := range sessions {
		ids[i] = a.ID
	}
	// Breaks are read by session and state (idx_agent_state_breaks): only
	// the sessions found use them, and a scan of every agent's state rows by
	// time was seconds over millions of rows. The chunks are read at once.
	chunks := slices.Collect(slices.Chunk(ids, 1000))
	found := make([][]AgentStateEvent, len(chunks))
	err = parallel(len(chunks), func(i int) (err error) {
		found[i], err = s.breaksOf(ctx, chunks[i], from, to)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, breaks := range found {
		for _, b := range breaks {
			in.breaks[b.SessionID] = append(in.breaks[b.SessionID], b)
		}
	}
	return in, nil
}

// breaksOf reads the breaks of sessions that overlap [from, to), their
// session and times only (what worked sums), scanned by hand: a week of 500
// agents is some 16,000 rows, and gorm's reflection was most of the
// report's time.
func (s *Store) breaksOf(ctx context.Context, sessions []int64, from, to time.Time) ([]AgentStateEvent, error) {
	rows, err := s.conn(ctx).Model(&AgentStateEvent{}).Select("session_id, at, ended_at").
		Where("session_id IN ? AND state = ? AND at < ? AND (ended_at IS NULL OR ended_at > ?)", sessions, AgentBreak, to.UTC(), from.UTC()).
		Order("session_id, at, id").Rows()
	if err != nil {
		return nil, fmt.Errorf("store: attendance breaks: %w", err)
	}
	defer rows.Close()
	var out []AgentStateEvent
	for rows.Next() {
		e := AgentStateEvent{State: AgentBreak}
		var ended sql.NullTime
		if err := rows.Scan(&e.SessionID, &e.At, &ended); err != nil {
			return nil, fmt.Errorf("store: attendance breaks: %w", err)
		}
		if ended.Valid {
			e.EndedAt = &ended.Time
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: attendance breaks: %w", err)
	}
	return out, nil
}

func (s *Store) nameAttendance(ctx context.Context, days []AttendanceDay) error {
	var ids []int64
	for _, d := range days {
		ids = append(ids, d.AgentID)
	}
	if len(ids) == 0 {
		return nil
	}
	var users []User
	if err := s.conn(ctx).Select("id", "username", "display_name").Where("id IN ?", slices.Compact(ids)).Find(&users).Error; err != nil {
		return fmt.Errorf("store: attendance names: %w", err)
	}
	byID := map[int64]*User{}
	for i := range users {
		byID[users[i].ID] = &users[i]
	}
	for i := range days {
		if u := byID[days[i].AgentID]; u != nil {
			days[i].Username, days[i].DisplayName = u.Username, u.DisplayName
		}
	}
	return nil
}

// attendanceOf is one agent's attendance, pure: roster days first claim the
// sessions that overlap their shift (widened by the margin) or, for a day
// off, their date; sessions left over make unscheduled days by the date
// they began. breaks are keyed by session id.
func attendanceOf(roster []RosterEntry, sessions []AgentSession, breaks map[int64][]AgentStateEvent, from, to string, loc *time.Location, now time.Time) []AttendanceDay {
	claimed := make([]bool, len(sessions))
	var out []AttendanceDay
	for i := range roster {
		out = append(out, rosterDay(&roster[i], sessions, claimed, breaks, loc, now))
	}
	byDate := map[string][]AgentSession{}
	for i, a := range sessions {
		if d := a.SignedInAt.In(loc).Format(time.DateOnly); !claimed[i] && d >= from && d <= to {
			byDate[d] = append(byDate[d], a)
		}
	}
	for d, list := range byDate {
		day := AttendanceDay{AgentID: list[0].AgentID, Date: d, Unscheduled: true}
		worked(&day, list, breaks, time.Time{}, time.Time{}, now)
		out = append(out, day)
	}
	slices.SortStableFunc(out, func(a, b AttendanceDay) int {
		if a.Date != b.Date {
			if a.Date < b.Date {
				return -1
			}
			return 1
		}
		return 0
	})
	return out
}

// rosterDay computes a roster day, claiming the sessions it takes.
func rosterDay(e *RosterEntry, sessions []AgentSession, claimed []bool, breaks map[int64][]AgentStateEvent, loc *time.Location, now time.Time) AttendanceDay {
	day := AttendanceDay{AgentID: e.AgentID, Date: e.Date, ShiftID: e.ShiftID, ShiftName: e.ShiftName, DayOff: e.DayOff, BreakAllowance: e.BreakMinutes}
	start, end, scheduled := e.window()
	var lo, hi time.Time // the span whose sessions count for this day
	if scheduled {
		margin := min(attendanceMargin, (24*time.Hour-end.Sub(start))/2)
		lo, hi = start.Add(-margin), end.Add(margin)
		day.ScheduledStart, day.ScheduledEnd = &start, &end
	} else {
		d, _ := time.ParseInLocation(time.DateOnly, e.Date, loc)
		lo, hi = d, d.AddDate(0, 0, 1)
	}
	var mine []AgentSession
	for i, a := range sessions {
		if !claimed[i] && a.SignedInAt.Before(hi) && (a.SignedOutAt == nil || a.SignedOutAt.After(lo)) {
			claimed[i] = true
			mine = append(mine, a)
		}
	}
	if !scheduled {
		worked(&day, mine, breaks, time.Time{}, time.Time{}, now)
		return day
	}
	worked(&day, mine, breaks, lo, hi, now)
	switch {
	case day.FirstSignIn == nil:
		day.Absent = !now.Before(start)
	default:
		day.LateMin = wholeMinutes(day.FirstSignIn.Sub(start))
		if day.LastSignOut != nil {
			day.EarlyLeaveMin = wholeMinutes(end.Sub(*day.LastSignOut))
		}
	}
	return day
}

// worked fills sign-in, sign-out, signed-in and break minutes from the
// day's sessions, counting time only inside [lo, hi) when lo is set.
func worked(day *AttendanceDay, sessions []AgentSession, breaks map[int64][]AgentStateEvent, lo, hi, now time.Time) {
	var signedIn, onBreak time.Duration
	for _, a := range sessions {
		in := a.SignedInAt
		if day.FirstSignIn == nil || in.Before(*day.FirstSignIn) {
			day.FirstSignIn = &in
		}
		out := now
		if a.SignedOutAt == nil {
			day.StillSignedIn = true
		} else {
			out = *a.SignedOutAt
			if day.LastSignOut == nil || out.After(*day.LastSignOut) {
				day.LastSignOut = &out
			}
		}
		signedIn += overlap(in, out, lo, hi)
		for _, b := range breaks[a.ID] {
			bEnd := now
			if b.EndedAt != nil {
				bEnd = *b.EndedAt
			}
			onBreak += overlap(b.At, bEnd, lo, hi)
		}
	}
	if day.StillSignedIn {
		day.LastSignOut = nil
	}
	day.SignedInMin, day.BreakMin = wholeMinutes(signedIn), wholeMinutes(onBreak)
	day.OverBreakMin = max(0, day.BreakMin-day.BreakAllowance)
}

// overlap is the length of [a, b) inside [lo, hi); a zero lo means no bounds.
func overlap(a, b, lo, hi time.Time) time.Duration {
	if !lo.IsZero() {
		if a.Before(lo) {
			a = lo
		}
		if b.After(hi) {
			b = hi
		}
	}
	if !b.After(a) {
		return 0
	}
	return b.Sub(a)
}

// wholeMinutes counts whole minutes; nothing below zero.
func wholeMinutes(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(d / time.Minute)
}
