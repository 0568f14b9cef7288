package controller

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// CallState is where a leg is in its life. It only moves forward (see rank):
// an event that arrives late never takes a call back from ended to answered.
type CallState string

// Call states in the order a leg goes through them.
const (
	StateDialing  CallState = "dialing"
	StateRinging  CallState = "ringing"
	StateEarly    CallState = "early"
	StateAnswered CallState = "answered"
	StateEnded    CallState = "ended"
)

var stateRank = map[CallState]int{StateDialing: 0, StateRinging: 1, StateEarly: 2, StateAnswered: 3, StateEnded: 4}

// CallRecord is the controller's view of one leg; it is what CallRecorder
// persists (as an Attempt) and what Call.Record returns.
type CallRecord struct {
	UUID        string
	JobUUID     string
	Node        string
	OtherUUIDs  []string // legs this one was bridged to
	Destination string   // number or endpoint dialed
	CampaignID  int64
	ContactID   int64
	AgentID     int64
	State       CallState
	Bridged     bool
	Held        bool
	CreatedAt   time.Time
	AnsweredAt  time.Time
	BridgedAt   time.Time
	HungupAt    time.Time
	HangupCause string
	SIPCode     int
	BillSec     int
	Result      ResultClass // set when State is StateEnded
	Machine     bool        // answering machine detected (amd_result / avmd)
	// Reason explains an end the switch did not report itself, e.g. a call
	// that ended while the node was disconnected.
	Reason string
}

// recordChange tells the owner what an event changed, so it knows when to
// notify waiters and the recorder.
type recordChange struct {
	created, answered, bridged, hungup, final bool
}

func (r *CallRecord) advance(s CallState) bool {
	if stateRank[s] <= stateRank[r.State] {
		return false
	}
	r.State = s
	return true
}

// apply folds one channel event into the record. It is pure so that event
// orders (including the racy ones eslgo produces) are table-tested.
func (r *CallRecord) apply(e *event) recordChange {
	var ch recordChange
	at := e.Time()
	if at.IsZero() {
		at = time.Now()
	}
	switch e.Name {
	case "CHANNEL_CREATE":
		ch.created = setTime(&r.CreatedAt, at)
	case "CHANNEL_PROGRESS":
		r.advance(StateRinging)
	case "CHANNEL_PROGRESS_MEDIA":
		r.advance(StateEarly)
	case "CHANNEL_ANSWER":
		ch.answered = r.advance(StateAnswered)
		setTime(&r.AnsweredAt, at)
	case "CHANNEL_BRIDGE":
		ch.bridged = r.applyBridge(e, at)
	case "CHANNEL_UNBRIDGE":
		r.Bridged = false
	case "CHANNEL_HOLD":
		r.Held = r.State != StateEnded
	case "CHANNEL_UNHOLD":
		r.Held = false
	case "CHANNEL_HANGUP":
		ch.hungup = r.applyHangup(e, at)
	case "CHANNEL_HANGUP_COMPLETE":
		ch.hungup = r.applyHangup(e, at)
		r.applyCDR(e)
		ch.final = true
	case "CHANNEL_DESTROY":
		ch.hungup = r.applyHangup(e, at)
		ch.final = true
	}
	if ch.final {
		r.finish()
	}
	return ch
}

func (r *CallRecord) applyBridge(e *event, at time.Time) bool {
	for _, h := range []string{"Bridge-A-Unique-ID", "Bridge-B-Unique-ID", "Other-Leg-Unique-ID"} {
		if u := e.Get(h); u != "" && u != r.UUID && !slices.Contains(r.OtherUUIDs, u) {
			r.OtherUUIDs = append(r.OtherUUIDs, u)
		}
	}
	if r.State == StateEnded {
		return false
	}
	r.advance(StateAnswered)
	setTime(&r.AnsweredAt, at)
	r.Bridged = true
	return setTime(&r.BridgedAt, at)
}

func (r *CallRecord) applyHangup(e *event, at time.Time) bool {
	if c := e.Get("Hangup-Cause"); c != "" && r.HangupCause == "" {
		r.HangupCause = c
	}
	r.Bridged, r.Held = false, false
	setTime(&r.HungupAt, at)
	return r.advance(StateEnded)
}

// applyCDR reads the billing variables FreeSWITCH puts on HANGUP_COMPLETE.
func (r *CallRecord) applyCDR(e *event) {
	if code, err := strconv.Atoi(e.Var("sip_term_status")); err == nil && code > 0 {
		r.SIPCode = code
	}
	if s, err := strconv.Atoi(e.Var("billsec")); err == nil {
		r.BillSec = s
	}
	if r.AnsweredAt.IsZero() {
		if ep, err := strconv.ParseInt(e.Var("answer_epoch"), 10, 64); err == nil && ep > 0 {
			r.AnsweredAt = time.Unix(ep, 0)
		}
	}
	if strings.EqualFold(e.Var("amd_result"), "MACHINE") || strings.EqualFold(e.Var("avmd_detect"), "TRUE") {
		r.Machine = true
	}
}

// applyJob folds a BACKGROUND_JOB body ("+OK <uuid>" or "-ERR <CAUSE>").
// It reports whether the originate failed.
func (r *CallRecord) applyJob(body string) (failed bool) {
	body = strings.TrimSpace(body)
	if strings.HasPrefix(body, "+OK") {
		return false
	}
	cause := strings.TrimSpace(strings.TrimPrefix(body, "-ERR"))
	if cause == "" || strings.ContainsAny(cause, " \t") {
		cause = "NORMAL_UNSPECIFIED"
	}
	if r.HangupCause == "" {
		r.HangupCause = cause
	}
	return true
}

// finish moves the record to ended and classifies it.
func (r *CallRecord) finish() {
	r.advance(StateEnded)
	r.Bridged, r.Held = false, false
	if r.HungupAt.IsZero() {
		r.HungupAt = time.Now()
	}
	r.Result = Classify(r.HangupCause, r.SIPCode, !r.AnsweredAt.IsZero())
	if r.Machine && r.Result == ResultAnswered {
		r.Result = ResultMachine
	}
}

func (r CallRecord) clone() CallRecord {
	r.OtherUUIDs = slices.Clone(r.OtherUUIDs)
	return r
}

func setTime(t *time.Time, at time.Time) bool {
	if !t.IsZero() {
		return false
	}
	*t = at
	return true
}
