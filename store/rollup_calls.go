package store

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The outbound and agent rollups: what an attempt's start and finish and an
// agent's closed state row add to campaign_*, agent_* and agent_state_*.

// rollupClassColumns is the column each finished class counts in.
var rollupClassColumns = map[ResultClass]string{ResultMachine: "machine", ResultBusy: "busy", ResultNoAnswer: "no_answer",
	ResultRejected: "rejected", ResultNetworkFailure: "network_failure", ResultInvalidNumber: "invalid_number",
	ResultCancelled: "cancelled", ResultAbandoned: "abandoned", ResultLost: "lost", ResultSuccess: "success"}

// attemptDial is what starting an attempt adds. Attempts of no campaign
// (inbound calls, legs the controller records) are counted by the queue
// rollups, never as campaign 0.
func attemptDial(r rollup, a *Attempt) {
	if a.CampaignID == 0 {
		return
	}
	r.both(rollupKey{table: "campaign_hours", id: a.CampaignID, hour: hourOf(a.CreatedAt)}, "dials", 1)
}

// attemptFinished is what a finished attempt adds, read from its row: the
// columns only the dialer and the desk write (outcome, amd, connected,
// talk_ms, answer_to_agent_ms, inbound), never those a late switch record
// may rewrite. A call an agent took counts for the agent whatever its
// kind (campaign, inbound, manual); only campaign calls count for a
// campaign.
func attemptFinished(r rollup, a *Attempt) {
	if a.Outcome == "" {
		return
	}
	hour := hourOf(a.CreatedAt)
	if a.AgentID != 0 && a.Connected {
		ak := rollupKey{table: "agent_hours", id: a.AgentID, hour: hour}
		r.both(ak, "calls", 1)
		r.both(ak, "inbound_calls", b2i(a.Inbound))
		r.both(ak, "talk_ms", a.TalkMS)
		r.both(ak, "inbound_talk_ms", a.TalkMS*b2i(a.Inbound))
	}
	if a.CampaignID == 0 {
		return
	}
	k := rollupKey{table: "campaign_hours", id: a.CampaignID, hour: hour}
	r.both(k, "finished", 1)
	if col, ok := rollupClassColumns[a.Outcome]; ok {
		r.both(k, col, 1)
	}
	r.both(k, "answered", b2i(a.Outcome.Answered() || a.Connected))
	r.both(k, "human", b2i(humanAnswer(a.Outcome, a.AMD)))
	r.both(k, "reached", b2i(a.Outcome.Reached()))
	r.both(k, "connected", b2i(a.Connected))
	r.both(k, "talk_ms", a.TalkMS)
	if a.AnswerToAgentMS != nil {
		r.both(k, "wait_ms", *a.AnswerToAgentMS)
		r.both(k, "wait_n", 1)
	}
}

// humanAnswer: a person answered (talked to an agent, was abandoned, or the
// detector said human).
func humanAnswer(c ResultClass, amd AMDVerdict) bool {
	return c == ResultHuman || c == ResultSuccess || c == ResultAbandoned || c == ResultAnswered && amd == AMDHuman
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// callRef is the attempt an agent's after-call work belongs to.
type callRef struct {
	CampaignID int64
	CreatedAt  time.Time
}

// stateClosed is what a closed agent state row adds: its time cut at UTC
// hours to the agent's hours, a break's also to its reason's row with one
// entry in the hour it began, and, for after-call work on a
// campaign call, the time on the call's campaign hour.
func stateClosed(r rollup, e *AgentStateEvent, call *callRef) {
	if e.EndedAt == nil {
		return
	}
	if e.State == AgentSignedOut {
		return
	}
	brk := e.State == AgentBreak
	base := rollupKey{table: "agent_state_hours", id: e.AgentID, state: e.State, reason: e.Reason}
	start, end := e.At.UTC(), e.EndedAt.UTC()
	if brk {
		k := base
		k.hour = hourOf(start)
		r.both(k, "entries", 1)
	}
	for a := start; a.Before(end); {
		cut := minTime(end, hourOf(a).Add(time.Hour))
		ms := cut.Sub(a).Milliseconds()
		r.both(rollupKey{table: "agent_hours", id: e.AgentID, hour: hourOf(a)}, string(e.State)+"_ms", ms)
		if brk {
			k := base
			k.hour = hourOf(a)
			r.both(k, "ms", ms)
		}
		a = cut
	}
	if e.State == AgentACW && call != nil && call.CampaignID != 0 {
		r.both(rollupKey{table: "campaign_hours", id: call.CampaignID, hour: hourOf(call.CreatedAt)}, "acw_ms", e.DurationMS)
	}
}

// rollFinished adds the finished attempts (by id) to the rollups, reading
// their rows as they now stand in the transaction.
func rollFinished(tx *gorm.DB, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	var rows []Attempt
	if err := tx.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return fmt.Errorf("store: read finished attempts: %w", err)
	}
	r := rollup{}
	for i := range rows {
		attemptFinished(r, &rows[i])
	}
	return r.apply(tx)
}

// rollClosedStates adds the agent's state rows just closed.
func rollClosedStates(tx *gorm.DB, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var rows []AgentStateEvent
	if err := tx.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return fmt.Errorf("store: read closed states: %w", err)
	}
	calls, err := acwCalls(tx, rows)
	if err != nil {
		return err
	}
	r := rollup{}
	for i := range rows {
		stateClosed(r, &rows[i], calls[rows[i].CallUUID])
	}
	return r.apply(tx)
}

// acwCalls finds the attempts after-call work rows belong to.
func acwCalls(tx *gorm.DB, rows []AgentStateEvent) (map[string]*callRef, error) {
	var uuids []string
	for _, e := range rows {
		if e.State == AgentACW && e.CallUUID != "" {
			uuids = append(uuids, e.CallUUID)
		}
	}
	out := map[string]*callRef{}
	if len(uuids) == 0 {
		return out, nil
	}
	var refs []struct {
		CallUUID   string
		CampaignID int64
		CreatedAt  time.Time
	}
	if err := tx.Model(&Attempt{}).Select("call_uuid, campaign_id, created_at").Where("call_uuid IN ?", uuids).Find(&refs).Error; err != nil {
		return nil, fmt.Errorf("store: calls of after-call work: %w", err)
	}
	for _, r := range refs {
		out[r.CallUUID] = &callRef{CampaignID: r.CampaignID, CreatedAt: r.CreatedAt}
	}
	return out, nil
}
