package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// RosterEntry is one agent's plan for one date: a shift or a day off (R40).
// It keeps a copy of the shift's name and hours, so a later change to the
// shift reaches only the days from then on (see UpdateShift).
type RosterEntry struct {
	ID           int64     `gorm:"primaryKey" json:"id"`
	AgentID      int64     `gorm:"uniqueIndex:idx_roster_agent_date,priority:1;not null" json:"agent_id"`
	Date         string    `gorm:"type:varchar(10);uniqueIndex:idx_roster_agent_date,priority:2;index;not null" json:"date"`
	ShiftID      *int64    `gorm:"index" json:"shift_id"`
	DayOff       bool      `gorm:"not null" json:"day_off"`
	ShiftName    string    `gorm:"type:varchar(64);not null" json:"shift_name,omitempty"`
	Start        string    `gorm:"column:shift_start;type:varchar(5);not null" json:"start,omitempty"`
	End          string    `gorm:"column:shift_end;type:varchar(5);not null" json:"end,omitempty"`
	BreakMinutes int       `gorm:"not null" json:"break_minutes"`
	Timezone     string    `gorm:"type:varchar(64);not null" json:"timezone,omitempty"`
	Note         string    `gorm:"type:varchar(255);not null" json:"note,omitempty"`
	UpdatedBy    int64     `gorm:"not null" json:"updated_by"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// RosterView is a roster entry with the agent's names.
type RosterView struct {
	RosterEntry
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// window is the entry's scheduled start and end; ok is false for a day off.
func (e *RosterEntry) window() (start, end time.Time, ok bool) {
	if e.DayOff || e.Start == "" {
		return time.Time{}, time.Time{}, false
	}
	sp, errs := parseShiftSpan(e.Start, e.End, e.Timezone)
	if len(errs) > 0 {
		return time.Time{}, time.Time{}, false
	}
	start, end, err := sp.window(e.Date)
	return start, end, err == nil
}

// RosterCell sets one agent's plan for one date: a shift, a day off, or,
// with neither, nothing (the date is cleared).
type RosterCell struct {
	AgentID int64  `json:"agent_id"`
	Date    string `json:"date"`
	ShiftID *int64 `json:"shift_id"`
	DayOff  bool   `json:"day_off"`
	Note    string `json:"note"`
}

// Roster limits: one request changes at most this many cells, over at most
// this many days.
const (
	MaxRosterCells = 20000
	MaxRosterDays  = 366
)

// SetRoster applies cells in one transaction; a bad cell names its row
// (1-based) and nothing is changed. It returns how many cells it set or cleared.
func (s *Store) SetRoster(ctx context.Context, cells []RosterCell, by int64) (int, error) {
	if len(cells) == 0 {
		return 0, Invalid("entries", "is empty")
	}
	if len(cells) > MaxRosterCells {
		return 0, Invalid("entries", fmt.Sprintf("has %d cells; at most %d per request", len(cells), MaxRosterCells))
	}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		entries, clear, err := rosterEntries(tx, cells, by)
		if err != nil {
			return err
		}
		return writeRoster(tx, entries, clear)
	})
	if err != nil {
		return 0, fmt.Errorf("store: set roster: %w", err)
	}
	return len(cells), nil
}

// rosterEntries checks the cells and turns them into entries to upsert and
// cells to clear.
func rosterEntries(tx *gorm.DB, cells []RosterCell, by int64) ([]RosterEntry, []RosterCell, error) {
	shifts, err := loadShifts(tx, cells)
	if err != nil {
		return nil, nil, err
	}
	agents, err := activeUserIDs(tx, cells)
	if err != nil {
		return nil, nil, err
	}
	var errs []FieldError
	var entries []RosterEntry
	var clear []RosterCell
	seen := map[string]int{}
	for i, c := range cells {
		row := i + 1
		bad := func(field, msg string) { errs = append(errs, FieldError{Row: row, Field: field, Message: msg}) }
		key := fmt.Sprint(c.AgentID, "/", c.Date)
		switch {
		case !agents[c.AgentID]:
			bad("agent_id", fmt.Sprintf("no active user has id %d", c.AgentID))
		case !validDate(c.Date):
			bad("date", "must be YYYY-MM-DD")
		case seen[key] > 0:
			bad("date", fmt.Sprintf("agent %d's %s is also in row %d", c.AgentID, c.Date, seen[key]))
		case c.ShiftID != nil && c.DayOff:
			bad("shift_id", "a day off has no shift")
		case c.ShiftID != nil && shifts[*c.ShiftID] == nil:
			bad("shift_id", fmt.Sprintf("no shift has id %d", *c.ShiftID))
		case len(c.Note) > 255:
			bad("note", "is at most 255 bytes")
		case c.ShiftID == nil && !c.DayOff:
			clear = append(clear, c)
		default:
			entries = append(entries, newRosterEntry(c, shifts, by))
		}
		seen[key] = row
	}
	if len(errs) > 0 {
		return nil, nil, &ValidationError{Fields: errs}
	}
	return entries, clear, nil
}

func newRosterEntry(c RosterCell, shifts map[int64]*Shift, by int64) RosterEntry {
	e := RosterEntry{AgentID: c.AgentID, Date: c.Date, ShiftID: c.ShiftID, DayOff: c.DayOff, Note: c.Note, UpdatedBy: by}
	if sh := shifts[ptrVal(c.ShiftID)]; sh != nil {
		e.ShiftName, e.Start, e.End, e.BreakMinutes, e.Timezone = sh.Name, sh.Start, sh.End, sh.BreakMinutes, sh.Timezone
	}
	return e
}

func ptrVal(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func loadShifts(tx *gorm.DB, cells []RosterCell) (map[int64]*Shift, error) {
	var ids []int64
	for _, c := range cells {
		if c.ShiftID != nil && !slices.Contains(ids, *c.ShiftID) {
			ids = append(ids, *c.ShiftID)
		}
	}
	out := map[int64]*Shift{}
	if len(ids) == 0 {
		return out, nil
	}
	var shifts []Shift
	if err := tx.Where("id IN ?", ids).Find(&shifts).Error; err != nil {
		return nil, fmt.Errorf("shifts: %w", err)
	}
	for i := range shifts {
		out[shifts[i].ID] = &shifts[i]
	}
	return out, nil
}

func activeUserIDs(tx *gorm.DB, cells []RosterCell) (map[int64]bool, error) {
	var ids []int64
	for _, c := range cells {
		if !slices.Contains(ids, c.AgentID) {
			ids = append(ids, c.AgentID)
		}
	}
	var found []int64
	if err := tx.Model(&User{}).Where("id IN ? AND disabled = ?", ids, false).Pluck("id", &found).Error; err != nil {
		return nil, fmt.Errorf("agents: %w", err)
	}
	out := map[int64]bool{}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

func writeRoster(tx *gorm.DB, entries []RosterEntry, clear []RosterCell) error {
	for _, c := range clear {
		if err := tx.Where("agent_id = ? AND date = ?", c.AgentID, c.Date).Delete(&RosterEntry{}).Error; err != nil {
			return fmt.Errorf("clear %d %s: %w", c.AgentID, c.Date, err)
		}
	}
	if len(entries) == 0 {
		return nil
	}
	upsert := clause.OnConflict{
		Columns: []clause.Column{{Name: "agent_id"}, {Name: "date"}},
		DoUpdates: clause.AssignmentColumns([]string{"shift_id", "day_off", "shift_name", "shift_start", "shift_end",
			"break_minutes", "timezone", "note", "updated_by", "updated_at"}),
	}
	if err := tx.Clauses(upsert).CreateInBatches(entries, 500).Error; err != nil {
		return fmt.Errorf("upsert: %w", err)
	}
	return nil
}

// RosterAssignment gives agents (listed, or a group's members) one shift,
// a day off, or nothing (Clear) on every date from From to To, optionally
// only on some weekdays.
type RosterAssignment struct {
	AgentIDs []int64
	GroupID  int64
	From, To string // YYYY-MM-DD, inclusive
	Weekdays []int  // ISO: 1 = Monday ... 7 = Sunday; empty = every day
	ShiftID  *int64
	DayOff   bool
	Clear    bool
	Note     string
	By       int64
}

// AssignRoster applies a bulk assignment in one transaction and returns how
// many cells it set or cleared.
func (s *Store) AssignRoster(ctx context.Context, a RosterAssignment) (int, error) {
	dates, err := a.dates()
	if err != nil {
		return 0, err
	}
	agents := a.AgentIDs
	if a.GroupID != 0 {
		members, err := s.groupMembers(ctx, a.GroupID)
		if err != nil {
			return 0, err
		}
		agents = append(agents, members...)
	}
	if len(agents) == 0 {
		return 0, Invalid("agent_ids", "name agents or a group with members")
	}
	if n := len(agents) * len(dates); n > MaxRosterCells {
		return 0, Invalid("to", fmt.Sprintf("%d agents × %d days = %d cells; at most %d per request", len(agents), len(dates), n, MaxRosterCells))
	}
	switch {
	case a.Clear && (a.ShiftID != nil || a.DayOff):
		return 0, Invalid("clear", "clears the dates; give no shift_id or day_off with it")
	case !a.Clear && (a.ShiftID == nil) == !a.DayOff:
		return 0, Invalid("shift_id", "give a shift_id, or day_off, or clear")
	}
	var cells []RosterCell
	slices.Sort(agents)
	for _, id := range slices.Compact(agents) {
		for _, d := range dates {
			cells = append(cells, RosterCell{AgentID: id, Date: d, ShiftID: a.ShiftID, DayOff: a.DayOff, Note: a.Note})
		}
	}
	return s.SetRoster(ctx, cells, a.By)
}

// dates lists the assignment's dates.
func (a *RosterAssignment) dates() ([]string, error) {
	from, err1 := time.Parse(time.DateOnly, a.From)
	to, err2 := time.Parse(time.DateOnly, a.To)
	switch {
	case err1 != nil:
		return nil, Invalid("from", "must be YYYY-MM-DD")
	case err2 != nil:
		return nil, Invalid("to", "must be YYYY-MM-DD")
	case to.Before(from):
		return nil, Invalid("to", "is before from")
	case to.Sub(from) >= MaxRosterDays*24*time.Hour:
		return nil, Invalid("to", fmt.Sprintf("the range is longer than %d days", MaxRosterDays))
	}
	for _, w := range a.Weekdays {
		if w < 1 || w > 7 {
			return nil, Invalid("weekdays", "are 1 (Monday) to 7 (Sunday)")
		}
	}
	var out []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		iso := int(d.Weekday())
		if iso == 0 {
			iso = 7
		}
		if len(a.Weekdays) == 0 || slices.Contains(a.Weekdays, iso) {
			out = append(out, d.Format(time.DateOnly))
		}
	}
	if len(out) == 0 {
		return nil, Invalid("weekdays", "no date in the range falls on them")
	}
	return out, nil
}

// groupMembers lists a group's active members (ErrInvalid for an unknown group).
func (s *Store) groupMembers(ctx context.Context, groupID int64) ([]int64, error) {
	var g Group
	if err := s.conn(ctx).Where("id = ?", groupID).Limit(1).Find(&g).Error; err != nil {
		return nil, fmt.Errorf("store: group %d: %w", groupID, err)
	}
	if g.ID == 0 {
		return nil, Invalid("group_id", fmt.Sprintf("no group has id %d", groupID))
	}
	var ids []int64
	err := s.conn(ctx).Model(&User{}).Where("disabled = ? AND id IN (?)", false,
		s.conn(ctx).Table("user_groups").Select("user_id").Where("group_id = ?", groupID)).Order("id").Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: members of group %d: %w", groupID, err)
	}
	return ids, nil
}

// RosterFilter selects roster entries from From to To (inclusive dates).
type RosterFilter struct {
	From, To string
	AgentID  int64
	GroupID  int64
	Page     Page
}

// ListRoster pages through roster entries by date, then agent.
func (s *Store) ListRoster(ctx context.Context, f RosterFilter) ([]RosterView, int64, error) {
	if !validDate(f.From) {
		return nil, 0, Invalid("from", "must be YYYY-MM-DD")
	}
	if !validDate(f.To) || f.To < f.From {
		return nil, 0, Invalid("to", "must be YYYY-MM-DD, not before from")
	}
	q := s.conn(ctx).Table("roster_entries AS e").Where("e.date >= ? AND e.date <= ?", f.From, f.To)
	if f.AgentID != 0 {
		q = q.Where("e.agent_id = ?", f.AgentID)
	}
	if f.GroupID != 0 {
		q = q.Where("e.agent_id IN (?)", s.conn(ctx).Table("user_groups").Select("user_id").Where("group_id = ?", f.GroupID))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count roster: %w", err)
	}
	var out []RosterView
	err := f.Page.apply(q).Select("e.*, COALESCE(u.username, '') AS username, COALESCE(u.display_name, '') AS display_name").
		Joins("LEFT JOIN users u ON u.id = e.agent_id").Order("e.date, e.agent_id").Scan(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: list roster: %w", err)
	}
	return out, total, nil
}
