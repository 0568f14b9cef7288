package ivr

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// ErrHandbackTimeout is returned by Channel.Handback when nobody took the
// call back in time.
var ErrHandbackTimeout = errors.New("ivr: handback timed out")

// Channel is what a flow needs from the call. The server implements it over
// the outbound event socket; flow tests use a fake. Methods return ErrHangup
// once the caller has hung up.
type Channel interface {
	Play(ctx context.Context, file string) error
	// Collect runs play_and_get_digits and returns the digits, or "" when
	// every try failed.
	Collect(ctx context.Context, spec CollectSpec) (string, error)
	// SetVar sets a channel variable; an empty value unsets it.
	SetVar(ctx context.Context, name, value string) error
	Transfer(ctx context.Context, exten, dialplanContext string) error
	Hangup(ctx context.Context, cause string) error
	// Handback plays file (may be empty) while waiting until the call is
	// bridged elsewhere (nil), the caller hangs up (ErrHangup) or timeout
	// passes (ErrHandbackTimeout).
	Handback(ctx context.Context, file string, timeout time.Duration) error
}

// CollectSpec is one play_and_get_digits.
type CollectSpec struct {
	Min, Max     int
	Tries        int
	Timeout      time.Duration
	DigitTimeout time.Duration
	Terminators  string
	File         string
	InvalidFile  string
	Var          string
	Pattern      string
}

// Collect defaults, as commonly used with play_and_get_digits.
const (
	defaultTries       = 3
	defaultTimeout     = 5 * time.Second
	defaultTerminators = "#"
	defaultInvalid     = "silence_stream://250"
	defaultPattern     = `^\d+$`
)

func collectSpec(s Step, expand func(string) string) CollectSpec {
	spec := CollectSpec{
		Min: s.Min, Max: s.Max, Tries: s.Tries,
		Timeout:      time.Duration(s.TimeoutMS) * time.Millisecond,
		DigitTimeout: time.Duration(s.DigitTimeoutMS) * time.Millisecond,
		Terminators:  s.Terminators,
		File:         expand(s.File),
		InvalidFile:  expand(s.InvalidFile),
		Var:          s.Var,
		Pattern:      s.Pattern,
	}
	if spec.Tries <= 0 {
		spec.Tries = defaultTries
	}
	if spec.Timeout <= 0 {
		spec.Timeout = defaultTimeout
	}
	if spec.DigitTimeout <= 0 {
		spec.DigitTimeout = spec.Timeout
	}
	if spec.Terminators == "" {
		spec.Terminators = defaultTerminators
	}
	if spec.InvalidFile == "" {
		spec.InvalidFile = defaultInvalid
	}
	if spec.Pattern == "" {
		spec.Pattern = defaultPattern
	}
	return spec
}

// Args is the play_and_get_digits argument: min max tries timeout
// terminators file invalid_file var regexp digit_timeout (milliseconds).
func (c CollectSpec) Args() string {
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	return strconv.Itoa(c.Min) + " " + strconv.Itoa(c.Max) + " " + strconv.Itoa(c.Tries) + " " +
		ms(c.Timeout) + " " + c.Terminators + " " + c.File + " " + c.InvalidFile + " " +
		c.Var + " " + c.Pattern + " " + ms(c.DigitTimeout)
}
