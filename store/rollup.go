package store

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Rollups keep the report figures current as calls and agent states land:
// StartAttempt, FinishAttempt, the lost-call sweep and every agent state
// change add to them in their own transaction, so a report over ten million
// attempts sums a few thousand rows and is never a night behind.
// RebuildRollups recomputes them from the raw rows with the same functions
// (attemptRollup, stateRollup), so both always agree exactly.
//
// Every rollup row is one UTC hour (tables *_hours), and again one day of
// ReportZone (tables *_days, whose hour column is the day's midnight): a
// report over whole days of that zone sums days, any other period hours.

// CampaignHour is one campaign's outbound figures for the attempts that began
// in one UTC hour.
// The primary key leads with the hour: a report's period is one range of
// the clustered index.
type CampaignHour struct {
	Hour           time.Time `gorm:"primaryKey" json:"hour"`
	CampaignID     int64     `gorm:"primaryKey;autoIncrement:false;index" json:"campaign_id"`
	Dials          int64     `gorm:"not null;default:0" json:"dials"`
	Finished       int64     `gorm:"not null;default:0" json:"finished"`
	Answered       int64     `gorm:"not null;default:0" json:"answered"`
	Human          int64     `gorm:"not null;default:0" json:"human"`
	Machine        int64     `gorm:"not null;default:0" json:"machine"`
	Abandoned      int64     `gorm:"not null;default:0" json:"abandoned"`
	Connected      int64     `gorm:"not null;default:0" json:"connected"`
	Reached        int64     `gorm:"not null;default:0" json:"reached"`
	Success        int64     `gorm:"not null;default:0" json:"success"`
	Busy           int64     `gorm:"not null;default:0" json:"busy"`
	NoAnswer       int64     `gorm:"not null;default:0" json:"no_answer"`
	Rejected       int64     `gorm:"not null;default:0" json:"rejected"`
	NetworkFailure int64     `gorm:"not null;default:0" json:"network_failure"`
	InvalidNumber  int64     `gorm:"not null;default:0" json:"invalid_number"`
	Cancelled      int64     `gorm:"not null;default:0" json:"cancelled"`
	Lost           int64     `gorm:"not null;default:0" json:"lost"`
	TalkMS         int64     `gorm:"column:talk_ms;not null;default:0" json:"talk_ms"`
	WaitMS         int64     `gorm:"column:wait_ms;not null;default:0" json:"wait_ms"` // answer to agent, summed
	WaitN          int64     `gorm:"column:wait_n;not null;default:0" json:"wait_n"`
	ACWMS          int64     `gorm:"column:acw_ms;not null;default:0" json:"acw_ms"` // agents' after-call work on these calls
}

// AgentHour is one agent's calls that began in one UTC hour, and the time
// the agent spent in each state within the hour.
type AgentHour struct {
	Hour    time.Time `gorm:"primaryKey" json:"hour"`
	AgentID int64     `gorm:"primaryKey;autoIncrement:false;index" json:"agent_id"`
	Calls   int64     `gorm:"not null;default:0" json:"calls"` // every call the agent took: campaign, inbound, manual
	TalkMS  int64     `gorm:"column:talk_ms;not null;default:0" json:"talk_ms"`
	// InboundCalls and InboundTalkMS are the inbound callers' share of Calls and TalkMS.
	InboundCalls  int64 `gorm:"not null;default:0" json:"inbound_calls"`
	InboundTalkMS int64 `gorm:"column:inbound_talk_ms;not null;default:0" json:"inbound_talk_ms"`
	ReadyMS       int64 `gorm:"column:ready_ms;not null;default:0" json:"ready_ms"`
	ReservedMS    int64 `gorm:"column:reserved_ms;not null;default:0" json:"reserved_ms"`
	OnCallMS      int64 `gorm:"column:on_call_ms;not null;default:0" json:"on_call_ms"`
	HoldMS        int64 `gorm:"column:hold_ms;not null;default:0" json:"hold_ms"`
	ACWMS         int64 `gorm:"column:acw_ms;not null;default:0" json:"acw_ms"`
	BreakMS       int64 `gorm:"column:break_ms;not null;default:0" json:"break_ms"`
}

// AgentStateHour is the time one agent spent on break for one reason within
// one UTC hour, and how many breaks began in it.
type AgentStateHour struct {
	Hour    time.Time  `gorm:"primaryKey" json:"hour"`
	AgentID int64      `gorm:"primaryKey;autoIncrement:false" json:"agent_id"`
	State   AgentState `gorm:"primaryKey;type:varchar(16)" json:"state"`
	Reason  string     `gorm:"primaryKey;type:varchar(32)" json:"reason"`
	MS      int64      `gorm:"column:ms;not null;default:0" json:"ms"`
	Entries int64      `gorm:"not null;default:0" json:"entries"`
}

// CampaignDay, AgentDay and AgentStateDay are the same figures per day of
// ReportZone; Hour is the day's start.
type CampaignDay struct{ CampaignHour }

// AgentDay is AgentHour per day of ReportZone.
type AgentDay struct{ AgentHour }

// AgentStateDay is AgentStateHour per day of ReportZone.
type AgentStateDay struct{ AgentStateHour }

// TableName names the day tables.
func (CampaignDay) TableName() string   { return "campaign_days" }
func (AgentDay) TableName() string      { return "agent_days" }
func (AgentStateDay) TableName() string { return "agent_state_days" }

// ReportZone is the zone of the day rollups: China Standard Time (UTC+8
// all year, so every day is 24 whole hours).
var ReportZone = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// rollupTables are every rollup table, hours then days.
var rollupTables = []string{"campaign_hours", "agent_hours", "agent_state_hours", "queue_hours", "ivr_hours", "ivr_answer_hours",
	"message_hours", "qa_hours", "campaign_days", "agent_days", "agent_state_days", "queue_days", "ivr_days", "ivr_answer_days", "message_days",
	"qa_days"}

// dayOf is the start of t's day in ReportZone, in UTC.
func dayOf(t time.Time) time.Time {
	l := t.In(ReportZone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, ReportZone).UTC()
}

// rollupKey names one rollup row: the table, its id column value (campaign,
// agent or queue group), the hour, for agent states the state and reason,
// for IVR flows the flow and for their survey answers the variable and the
// digits.
type rollupKey struct {
	table   string
	id      int64
	hour    time.Time
	state   AgentState
	reason  string
	flow    string
	dvar    string
	digits  string
	channel string
	agent   int64 // qa rows: the agent (id is the campaign)
}

// rollup is a set of increments, keyed by row and column.
type rollup map[rollupKey]slotCounts

func (r rollup) add(k rollupKey, col string, n int64) {
	if n == 0 {
		return
	}
	c := r[k]
	if c == nil {
		c = slotCounts{}
		r[k] = c
	}
	c[col] += n
}

// merge adds every increment of o to r.
func (r rollup) merge(o rollup) {
	for k, counts := range o {
		for col, n := range counts {
			r.add(k, col, n)
		}
	}
}

// deferRollups is the context key of a group transaction's increments.
type deferRollups struct{}

func hourOf(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// both adds to an hour row and to the row of its day.
func (r rollup) both(k rollupKey, col string, n int64) {
	r.add(k, col, n)
	k.table = strings.Replace(k.table, "_hours", "_days", 1)
	k.hour = dayOf(k.hour)
	r.add(k, col, n)
}

// apply upserts the increments (portable ON CONFLICT / ON DUPLICATE KEY).
// Inside a group transaction (txGroup) they are added to the group's and
// written once when every write of the group has run: increments commute,
// and many calls of one campaign and hour then cost one upsert per row.
func (r rollup) apply(tx *gorm.DB) error {
	if d, ok := tx.Statement.Context.Value(deferRollups{}).(rollup); ok {
		d.merge(r)
		return nil
	}
	for _, k := range r.keys() {
		if err := upsertRollup(tx, k, r[k]); err != nil {
			return err
		}
	}
	return nil
}

// keys orders the rows so concurrent transactions lock them in one order.
func (r rollup) keys() []rollupKey {
	ks := slices.Collect(maps.Keys(r))
	slices.SortFunc(ks, func(a, b rollupKey) int {
		switch {
		case a.table != b.table:
			return cmp.Compare(a.table, b.table)
		case a.id != b.id:
			return cmp.Compare(a.id, b.id)
		case !a.hour.Equal(b.hour):
			return a.hour.Compare(b.hour)
		case a.state != b.state:
			return cmp.Compare(string(a.state), string(b.state))
		case a.reason != b.reason:
			return cmp.Compare(a.reason, b.reason)
		case a.flow != b.flow:
			return cmp.Compare(a.flow, b.flow)
		case a.dvar != b.dvar:
			return cmp.Compare(a.dvar, b.dvar)
		case a.channel != b.channel:
			return cmp.Compare(a.channel, b.channel)
		case a.agent != b.agent:
			return cmp.Compare(a.agent, b.agent)
		}
		return cmp.Compare(a.digits, b.digits)
	})
	return ks
}

func (k rollupKey) row() (map[string]any, []clause.Column) {
	if k.table == "campaign_slots" {
		return map[string]any{"campaign_id": k.id, "slot": k.hour}, []clause.Column{{Name: "campaign_id"}, {Name: "slot"}}
	}
	row := map[string]any{"hour": k.hour}
	cols := []clause.Column{{Name: "hour"}}
	kind := strings.TrimSuffix(strings.TrimSuffix(k.table, "_hours"), "_days")
	idCol := map[string]string{"campaign": "campaign_id", "queue": "group_id", "ivr": "campaign_id", "ivr_answer": "campaign_id",
		"message": "campaign_id", "qa": "campaign_id"}[kind]
	if idCol == "" {
		idCol = "agent_id"
	}
	if kind == "ivr" || kind == "ivr_answer" {
		row["flow"] = k.flow
		cols = append(cols, clause.Column{Name: "flow"})
	}
	row[idCol] = k.id
	cols = append(cols, clause.Column{Name: idCol})
	switch kind {
	case "agent_state":
		row["state"], row["reason"] = k.state, k.reason
		cols = append(cols, clause.Column{Name: "state"}, clause.Column{Name: "reason"})
	case "ivr_answer":
		row["dtmf_var"], row["digits"] = k.dvar, k.digits
		cols = append(cols, clause.Column{Name: "dtmf_var"}, clause.Column{Name: "digits"})
	case "message":
		row["channel"] = k.channel
		cols = append(cols, clause.Column{Name: "channel"})
	case "qa":
		row["agent_id"] = k.agent
		cols = append(cols, clause.Column{Name: "agent_id"})
	}
	return row, cols
}

func upsertRollup(tx *gorm.DB, k rollupKey, counts slotCounts) error {
	row, cols := k.row()
	set := map[string]any{}
	for col, n := range counts {
		row[col] = n
		set[col] = gorm.Expr(col+" + ?", n)
	}
	err := tx.Table(k.table).Clauses(clause.OnConflict{Columns: cols, DoUpdates: clause.Assignments(set)}).Create(row).Error
	if err != nil {
		return fmt.Errorf("store: rollup %s %d %s: %w", k.table, k.id, k.hour.Format(time.RFC3339), err)
	}
	return nil
}
