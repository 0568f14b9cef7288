package ivr

import (
	"context"
	"time"
)

// Outcome says how a flow ended.
type Outcome string

// Outcomes. Handback means the caller waits for (or was bridged back to) the
// agent who sent them in, as for identity verification.
const (
	OutcomeCompleted   Outcome = "completed"
	OutcomeHandback    Outcome = "handback"
	OutcomeTransferred Outcome = "transferred"
	OutcomeQueued      Outcome = "queued"
	OutcomeHangup      Outcome = "caller_hangup"
	OutcomeFailed      Outcome = "failed"
	OutcomeAborted     Outcome = "aborted"
)

// Answer is one collected, non-secret entry, in the order it was keyed.
type Answer struct {
	Var    string `json:"var"`
	Digits string `json:"digits"`
}

// Call is what the IVR knows about a call when it starts: its uuid, the
// chosen flow and the channel variables named cc_* or ivr_* (the controller
// passes context, such as the contact id, to the IVR that way).
type Call struct {
	UUID        string            `json:"call_uuid"`
	Flow        string            `json:"flow"`
	CallerID    string            `json:"caller_id,omitempty"`
	Destination string            `json:"destination,omitempty"`
	Vars        map[string]string `json:"vars,omitempty"`
}

// Result is reported once per call. Vars holds what the flow set or
// collected, except secret digits; Verified and Attempts come from the
// verify step.
type Result struct {
	CallUUID    string            `json:"call_uuid"`
	Flow        string            `json:"flow"`
	Outcome     Outcome           `json:"outcome"`
	Verified    bool              `json:"verified"`
	Attempts    int               `json:"attempts,omitempty"`
	Queue       string            `json:"queue,omitempty"`
	Transfer    string            `json:"transfer,omitempty"`
	Answers     []Answer          `json:"answers,omitempty"`
	Vars        map[string]string `json:"vars,omitempty"`
	ChannelVars map[string]string `json:"channel_vars,omitempty"`
	Error       string            `json:"error,omitempty"`
	Started     time.Time         `json:"started"`
	Ended       time.Time         `json:"ended"`
}

// Reporter receives each call's result; the controller implements it. It is
// called from the call's goroutine, so it must not block for long.
type Reporter interface {
	IVRResult(ctx context.Context, r Result)
}

// Verifier checks digits keyed by a caller (an ID number, a password)
// against what the system holds for the call. check is the verify step's
// Check (e.g. "id_number"). Implementations must not log digits.
type Verifier interface {
	VerifyDigits(ctx context.Context, call Call, check, digits string) (bool, error)
}
