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

// CallRecord is the controller's view of one leg: what Leg.Record returns
// and what EventHangup summarises.
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
	AMD         AMDVerdict  // answering-machine verdict, when one is known
	Machine     bool        // AMD is AMDMachine
	// Reason explains an end the switch did not report itself, e.g. a call
	// that ended while the node was disconnected.
	Reason string
}

// recordChange tells the owner what an event changed, so it knows which
// typed events to publish and when to wake waiters.
type recordChange struct {
	created, ringing, early, answered, bridged, firstBridge, amd, hungup, final bool
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
func (r *CallRecord) apply(e *event, now time.Time) recordChange {
	var ch recordChange
	at := e.Time()
	if at.IsZero() {
		at = now
	}
	switch e.Name {
	case "CHANNEL_CREATE":
		ch.created = setTime(&r.CreatedAt, at)
	case "CHANNEL_PROGRESS":
		ch.ringing = r.advance(StateRinging)
	case "CHANNEL_PROGRESS_MEDIA":
		ch.early = r.advance(StateEarly)
	case "CHANNEL_ANSWER":
		ch.answered = r.advance(StateAnswered)
		setTime(&r.AnsweredAt, at)
	case "CHANNEL_BRIDGE":
		r.applyBridge(e, at, &ch)
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
	if v := amdVerdict(e); v != AMDUnknown && v != r.AMD { // AMD results ride on few events
		r.AMD, r.Machine, ch.amd = v, v == AMDMachine, true
	}
	if ch.final {
		r.finish(now)
	}
	return ch
}

// applyBridge records a bridge; a bridge also proves an answer whose event
// was missed.
func (r *CallRecord) applyBridge(e *event, at time.Time, ch *recordChange) {
	for _, h := range [...]string{hdrBridgeA, hdrBridgeB, hdrOtherLeg} {
		if u := e.get(h); u != "" && u != r.UUID && !slices.Contains(r.OtherUUIDs, u) {
			r.OtherUUIDs = append(r.OtherUUIDs, u)
		}
	}
	if r.State == StateEnded {
		return
	}
	ch.answered = r.advance(StateAnswered)
	setTime(&r.AnsweredAt, at)
	r.Bridged, ch.bridged = true, true
	ch.firstBridge = setTime(&r.BridgedAt, at)
}

func (r *CallRecord) applyHangup(e *event, at time.Time) bool {
	if c := e.get(hdrHangupCause); c != "" && r.HangupCause == "" {
		r.HangupCause = c
	}
	r.Bridged, r.Held = false, false
	setTime(&r.HungupAt, at)
	return r.advance(StateEnded)
}

// applyCDR reads the billing variables FreeSWITCH puts on HANGUP_COMPLETE.
func (r *CallRecord) applyCDR(e *event) {
	if code, err := strconv.Atoi(e.get(varSIPStatus)); err == nil && code > 0 {
		r.SIPCode = code
	}
	if s, err := strconv.Atoi(e.get(varBillSec)); err == nil {
		r.BillSec = s
	}
	if r.AnsweredAt.IsZero() {
		if ep, err := strconv.ParseInt(e.get(varAnswerEpoch), 10, 64); err == nil && ep > 0 {
			r.AnsweredAt = time.Unix(ep, 0)
		}
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
func (r *CallRecord) finish(now time.Time) {
	r.advance(StateEnded)
	r.Bridged, r.Held = false, false
	if r.HungupAt.IsZero() {
		r.HungupAt = now
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

// hangupInfo is the end of the leg as EventHangup reports it.
func (r CallRecord) hangupInfo() *Hangup {
	return &Hangup{Cause: r.HangupCause, SIPCode: r.SIPCode, Result: r.Result, BillSec: r.BillSec, Reason: r.Reason,
		Created: r.CreatedAt, Answered: r.AnsweredAt, Bridged: r.BridgedAt, Hungup: r.HungupAt}
}
