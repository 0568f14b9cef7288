package messaging

import (
	"errors"
	"fmt"
)

// Classes of failure, wrapped by every sender's errors: the caller asks
// errors.Is(err, ErrPermanent) to mark the address invalid, anything else is
// retried per the campaign's strategy.
var (
	// ErrPermanent: the provider refused this address or number for good
	// (SMTP 5xx, an SMPP invalid destination, a gateway's "bad number").
	ErrPermanent = errors.New("messaging: permanent failure")
	// ErrTemporary: try again later (SMTP 4xx, throttling, a lost bind).
	ErrTemporary = errors.New("messaging: temporary failure")
	// ErrNotConfigured: the medium has no sender.
	ErrNotConfigured = errors.New("messaging: not configured")
	// ErrBadMessage: the message itself cannot be sent (no recipient, an
	// empty body, a template that does not parse); permanent for this try.
	ErrBadMessage = errors.New("messaging: bad message")
)

// Failure is a provider's refusal: its code and words, and whether it is
// permanent.
type Failure struct {
	Permanent bool
	Code      string // the provider's code: "550", "0x0000000B", "LimitExceeded"
	Text      string
}

func (f *Failure) Error() string {
	kind := "temporary"
	if f.Permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("messaging: %s failure %s: %s", kind, f.Code, f.Text)
}

// Unwrap lets errors.Is find the class.
func (f *Failure) Unwrap() error {
	if f.Permanent {
		return ErrPermanent
	}
	return ErrTemporary
}

// IsPermanent reports whether err says the address is bad for good.
func IsPermanent(err error) bool {
	return errors.Is(err, ErrPermanent) || errors.Is(err, ErrBadMessage)
}

// FailureCode is the provider's code in err, or "".
func FailureCode(err error) string {
	var f *Failure
	if errors.As(err, &f) {
		return f.Code
	}
	return ""
}
