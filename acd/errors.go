package acd

import (
	"errors"
	"fmt"

	"github.com/bankcc/callcenter/store"
)

// Errors the desk returns to the api.
var (
	ErrNotSignedIn    = errors.New("acd: the softphone is not signed in")
	ErrSignedIn       = errors.New("acd: the softphone is already signed in")
	ErrNotRegistered  = errors.New("acd: the extension is not registered on any FreeSWITCH node")
	ErrNoExtension    = errors.New("acd: the user has no extension (SIP user)")
	ErrNotYourCall    = errors.New("acd: the call is not yours")
	ErrCallEnded      = errors.New("acd: the call has ended")
	ErrNoSuchCall     = errors.New("acd: no such call")
	ErrBadTarget      = errors.New("acd: bad transfer target")
	ErrTargetBusy     = errors.New("acd: the target agent is not ready")
	ErrNotConsulting  = errors.New("acd: no consultation in progress")
	ErrBusy           = errors.New("acd: the call is changing; try again")
	ErrNoReservation  = errors.New("acd: no such reservation")
	ErrStopped        = errors.New("acd: the desk has stopped")
	ErrNoDisposition  = errors.New("acd: the call is not waiting for a disposition")
	ErrUnknownReason  = errors.New("acd: unknown break reason")
	ErrNotOnCall      = errors.New("acd: not on a call")
	ErrNoPreview      = errors.New("acd: no preview offer waiting")
	ErrNoGateway      = errors.New("acd: no gateway configured for outside numbers")
	ErrCallInProgress = errors.New("acd: the agent is on a call")
)

// StateError is a state change not allowed from the current state.
type StateError struct {
	From, To store.AgentState
	Why      string
}

func (e *StateError) Error() string {
	msg := fmt.Sprintf("acd: state %s not allowed from %s", e.To, e.From)
	if e.Why != "" {
		msg += ": " + e.Why
	}
	return msg
}
