package ivr

import "errors"

// Sentinel errors; callers test them with errors.Is.
var (
	// ErrBadFlow reports a flow that does not validate.
	ErrBadFlow = errors.New("ivr: invalid flow")
	// ErrHangup reports that the caller hung up while the flow ran.
	ErrHangup = errors.New("ivr: caller hung up")
	// ErrNoFlow reports a call that names no known flow.
	ErrNoFlow = errors.New("ivr: no such flow")
	// ErrServerClosed is returned by Listen after Shutdown.
	ErrServerClosed = errors.New("ivr: server closed")
)
