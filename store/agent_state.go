package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AgentState is where an agent stands (R38). The acd owns the transitions;
// the store records every change with its times (attendance and reports).
type AgentState string

const (
	AgentSignedOut AgentState = "signed_out"
	AgentReady     AgentState = "ready"
	AgentReserved  AgentState = "reserved" // a call is being offered or connected to the agent
	AgentOnCall    AgentState = "on_call"
	AgentHold      AgentState = "hold"
	AgentACW       AgentState = "acw" // after-call work
	AgentBreak     AgentState = "break"
)

// AgentStates lists every state, in the order reports show them.
var AgentStates = []AgentState{AgentSignedOut, AgentReady, AgentReserved, AgentOnCall, AgentHold, AgentACW, AgentBreak}

// Valid reports whether st is a known state.
func (st AgentState) Valid() bool { return slices.Contains(AgentStates, st) }

// AgentStateEvent is one stretch of time an agent spent in one state: it
// opens when the state is entered and is closed (EndedAt, DurationMS) by the
// next change, in the same transaction, so an agent has at most one open row.
type AgentStateEvent struct {
	ID        int64      `gorm:"primaryKey" json:"id"`
	AgentID   int64      `gorm:"index:idx_agent_state_at,priority:1;index:idx_agent_state_open,priority:1;not null" json:"agent_id"`
	SessionID int64      `gorm:"index:idx_agent_state_breaks,priority:1;not null" json:"session_id"` // the AgentSession it happened in; 0 outside one
	State     AgentState `gorm:"type:varchar(16);index:idx_agent_state_breaks,priority:2;not null" json:"state"`
	Reason    string     `gorm:"type:varchar(32);not null" json:"reason,omitempty"` // break reason code
	CallUUID  string     `gorm:"type:varchar(64);not null" json:"call_uuid,omitempty"`
	At        time.Time  `gorm:"index:idx_agent_state_at,priority:2;index:idx_agent_state_breaks,priority:3;not null" json:"at"`
	EndedAt   *time.Time `gorm:"index:idx_agent_state_open,priority:2;index:idx_agent_state_breaks,priority:4" json:"ended_at"`
	// DurationMS is EndedAt-At, kept so reports can sum without date math.
	DurationMS int64 `gorm:"not null" json:"duration_ms"`
	// GroupIDs are the agent's groups when the state began ("3,7"), so
	// reports by group stay right after the agent moves.
	GroupIDs string `gorm:"type:varchar(255);not null" json:"-"`
}

// Groups returns the agent's group ids at the time.
func (e *AgentStateEvent) Groups() []int64 { return parseIDList(e.GroupIDs) }

// AgentStateChange is what the acd records when an agent's state changes.
type AgentStateChange struct {
	AgentID   int64
	SessionID int64 // the open AgentSession, 0 if none
	State     AgentState
	Reason    string // a break reason code (required for break)
	CallUUID  string // the customer leg, for reserved, on_call, hold, acw
	At        time.Time
	GroupIDs  []int64
}

func (ch *AgentStateChange) validate(tx *gorm.DB) error {
	switch {
	case ch.AgentID <= 0:
		return Invalid("agent_id", "is required")
	case !ch.State.Valid():
		return Invalid("state", fmt.Sprintf("unknown state %q", ch.State))
	case ch.At.IsZero():
		return Invalid("at", "is required")
	case len(ch.CallUUID) > 64:
		return Invalid("call_uuid", "is at most 64 bytes")
	case ch.State != AgentBreak && ch.Reason != "":
		return Invalid("reason", fmt.Sprintf("only a break has a reason, not %s", ch.State))
	case ch.State == AgentBreak:
		return checkBreakReason(tx, ch.Reason)
	}
	return nil
}

// RecordAgentState closes the agent's open state row at ch.At and opens the
// new one, in one transaction. A change dated before the open row began is
// refused (ErrInvalid): history only moves forward.
func (s *Store) RecordAgentState(ctx context.Context, ch AgentStateChange) (*AgentStateEvent, error) {
	var ev *AgentStateEvent
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		ev, err = recordAgentState(tx, ch)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: agent %d state %s: %w", ch.AgentID, ch.State, err)
	}
	return ev, nil
}

func recordAgentState(tx *gorm.DB, ch AgentStateChange) (*AgentStateEvent, error) {
	if err := ch.validate(tx); err != nil {
		return nil, err
	}
	at := ch.At.UTC().Truncate(time.Millisecond)
	if err := closeOpenState(tx, ch.AgentID, at); err != nil {
		return nil, err
	}
	ev := &AgentStateEvent{AgentID: ch.AgentID, SessionID: ch.SessionID, State: ch.State, Reason: ch.Reason,
		CallUUID: ch.CallUUID, At: at, GroupIDs: formatIDList(ch.GroupIDs)}
	if err := tx.Create(ev).Error; err != nil {
		return nil, fmt.Errorf("insert: %w", err)
	}
	return ev, nil
}

// closeOpenState ends the agent's open row (there is at most one) at at.
func closeOpenState(tx *gorm.DB, agentID int64, at time.Time) error {
	var open []AgentStateEvent
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("agent_id = ? AND ended_at IS NULL", agentID).Find(&open).Error
	if err != nil {
		return fmt.Errorf("open state: %w", err)
	}
	var closed []int64
	for _, o := range open {
		if at.Before(o.At) {
			return Invalid("at", fmt.Sprintf("%s is before the current state %s began (%s)", at.Format(time.RFC3339Nano), o.State, o.At.Format(time.RFC3339Nano)))
		}
		err := tx.Model(&AgentStateEvent{}).Where("id = ?", o.ID).
			Updates(map[string]any{"ended_at": at, "duration_ms": at.Sub(o.At).Milliseconds()}).Error
		if err != nil {
			return fmt.Errorf("close state %d: %w", o.ID, err)
		}
		closed = append(closed, o.ID)
	}
	return rollClosedStates(tx, closed)
}

// CurrentAgentStates returns every agent's open state row (the state each
// agent was last recorded in), for the acd's start-up and the monitor.
func (s *Store) CurrentAgentStates(ctx context.Context) ([]AgentStateEvent, error) {
	var out []AgentStateEvent
	if err := s.conn(ctx).Where("ended_at IS NULL").Order("agent_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: current agent states: %w", err)
	}
	return out, nil
}

// AgentStateFilter selects state rows that overlap [From, To).
type AgentStateFilter struct {
	AgentIDs []int64 // none = every agent
	State    AgentState
	From, To time.Time
}

// AgentStateHistory returns the state rows overlapping the period, per
// agent in time order (a row still open overlaps everything after it began).
func (s *Store) AgentStateHistory(ctx context.Context, f AgentStateFilter) ([]AgentStateEvent, error) {
	q := s.conn(ctx).Where("at < ? AND (ended_at IS NULL OR ended_at > ?)", f.To.UTC(), f.From.UTC())
	if len(f.AgentIDs) > 0 {
		q = q.Where("agent_id IN ?", f.AgentIDs)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	var out []AgentStateEvent
	if err := q.Order("agent_id, at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: agent state history: %w", err)
	}
	return out, nil
}

// formatIDList joins ids for a varchar(255) column, leaving out whole ids
// that do not fit (an agent in dozens of groups).
func formatIDList(ids []int64) string {
	var b strings.Builder
	for _, id := range ids {
		part := strconv.FormatInt(id, 10)
		if b.Len()+len(part)+1 > 255 {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(part)
	}
	return b.String()
}

func parseIDList(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}
