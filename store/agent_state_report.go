package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// StateTime is how long one agent spent in one state on one local date.
type StateTime struct {
	AgentID    int64      `json:"agent_id"`
	Date       string     `json:"date"`
	State      AgentState `json:"state"`
	DurationMS int64      `json:"duration_ms"`
}

// AgentStateTimes sums the time each agent spent in each state per local
// date over [f.From, f.To) (rows still open count up to now), for the agent
// reports: talk (on_call + hold), acw, break, ready, occupancy.
func (s *Store) AgentStateTimes(ctx context.Context, f AgentStateFilter, loc *time.Location) ([]StateTime, error) {
	rows, err := s.AgentStateHistory(ctx, f)
	if err != nil {
		return nil, err
	}
	return splitStateTimes(rows, f.From, f.To, loc, s.now()), nil
}

type stateKey struct {
	agent int64
	date  string
	state AgentState
}

// splitStateTimes clips each row to [from, to) and cuts it at local
// midnights, summing per agent, date and state; pure.
func splitStateTimes(rows []AgentStateEvent, from, to time.Time, loc *time.Location, now time.Time) []StateTime {
	sums := map[stateKey]time.Duration{}
	for _, r := range rows {
		end := now
		if r.EndedAt != nil {
			end = *r.EndedAt
		}
		a, b := maxTime(r.At, from), minTime(end, to)
		for a.Before(b) {
			local := a.In(loc)
			midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc)
			cut := minTime(b, midnight)
			sums[stateKey{r.AgentID, local.Format(time.DateOnly), r.State}] += cut.Sub(a)
			a = cut
		}
	}
	out := make([]StateTime, 0, len(sums))
	for k, d := range sums {
		out = append(out, StateTime{AgentID: k.agent, Date: k.date, State: k.state, DurationMS: d.Milliseconds()})
	}
	slices.SortFunc(out, func(x, y StateTime) int {
		switch {
		case x.AgentID != y.AgentID:
			return cmp.Compare(x.AgentID, y.AgentID)
		case x.Date != y.Date:
			return strings.Compare(x.Date, y.Date)
		}
		return slices.Index(AgentStates, x.State) - slices.Index(AgentStates, y.State)
	})
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
