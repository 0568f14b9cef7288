// Package clock injects time. Code that schedules or measures (pacing,
// timeouts, calendars, retries, callbacks) takes a Clock instead of calling
// the time package, so tests run it on a Fake that moves only when told.
//
// Concurrency: Real is stateless; a Fake is safe for concurrent use, and
// its timers fire on the goroutine that calls Advance, in deadline order.
package clock

import "time"

// Clock tells the time and makes timers.
type Clock interface {
	Now() time.Time
	Since(t time.Time) time.Duration
	// NewTimer sends the time on C once d has passed.
	NewTimer(d time.Duration) Timer
	// AfterFunc calls f once d has passed (a Real clock on its own
	// goroutine, a Fake on the goroutine that advances it); C is nil.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a one-shot timer. Stop and Reset follow time.Timer (Go 1.23+):
// after either returns, no stale value is received from C.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
	Reset(d time.Duration) bool
}

// Real returns the system clock.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time                  { return time.Now() }
func (realClock) Since(t time.Time) time.Duration { return time.Since(t) }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

func (realClock) AfterFunc(d time.Duration, f func()) Timer {
	return realTimer{time.AfterFunc(d, f)}
}

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time        { return r.t.C }
func (r realTimer) Stop() bool                 { return r.t.Stop() }
func (r realTimer) Reset(d time.Duration) bool { return r.t.Reset(d) }

// Or returns c, or the real clock when c is nil, for optional fields.
func Or(c Clock) Clock {
	if c == nil {
		return Real()
	}
	return c
}
