package controller

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// CallRecorder persists a call's record. The store implements it; the
// controller calls it from the call's owner goroutine on answer, bridge and
// hangup, so the calls for one leg arrive in order. A nil CallRecorder
// means nothing is persisted.
type CallRecorder interface {
	RecordCall(ctx context.Context, c CallRecord) error
}

// Call is one leg owned by the controller. All changes to its record are
// made by a single owner goroutine that consumes the leg's events in order;
// everyone else reads snapshots (Record) or waits on the channels.
type Call struct {
	uuid     string
	snap     atomic.Pointer[CallRecord]
	mb       mailbox
	answered chan struct{}
	bridged  chan struct{}
	done     chan struct{}
	hooks    callHooks
	// applied and disorder count the events the owner consumed and those
	// that came with a lower Event-Sequence than one before (tests, metrics).
	applied  atomic.Int64
	disorder atomic.Int64
}

// callHooks connects a call to its node without the call knowing the node.
type callHooks struct {
	log      *slog.Logger
	rec      CallRecorder
	created  func()          // first sign of life: frees the pending slot
	finished func()          // unregister from routing
	stop     <-chan struct{} // pool closing
	// lostAfter ends a call that never shows a sign of life (its events
	// and job result were lost); zero disables it.
	lostAfter time.Duration
}

// hangupGrace is how long the owner waits for CHANNEL_HANGUP_COMPLETE after
// a hangup or a failed job before it closes the record on its own.
const hangupGrace = 5 * time.Second

const recordTimeout = 5 * time.Second

type jobResult struct{ body string }

type closeCall struct{ reason string }

// resyncCall carries a live leg's call state from `show channels` after a
// reconnect, so an answer missed during the gap is not missed for good.
type resyncCall struct{ callState string }

// abandonCall drops a call whose originate never reached the switch: no
// record is written, because no attempt was made.
type abandonCall struct{}

func newCall(rec CallRecord, hooks callHooks) *Call {
	c := &Call{
		uuid:     rec.UUID,
		answered: make(chan struct{}),
		bridged:  make(chan struct{}),
		done:     make(chan struct{}),
		hooks:    hooks,
	}
	c.mb.sig = make(chan struct{}, 1)
	r := rec.clone()
	c.snap.Store(&r)
	return c
}

// UUID is the leg's channel uuid (its origination_uuid).
func (c *Call) UUID() string { return c.uuid }

// Record returns a snapshot of the call's record.
func (c *Call) Record() CallRecord { return c.snap.Load().clone() }

// Answered is closed when the leg is answered.
func (c *Call) Answered() <-chan struct{} { return c.answered }

// Bridged is closed when the leg is first bridged.
func (c *Call) Bridged() <-chan struct{} { return c.bridged }

// Done is closed when the leg has ended and its final record is set.
func (c *Call) Done() <-chan struct{} { return c.done }

// Wait blocks until the call ends or ctx is done and returns the record.
func (c *Call) Wait(ctx context.Context) (CallRecord, error) {
	select {
	case <-c.done:
		return c.Record(), nil
	case <-ctx.Done():
		return c.Record(), ctx.Err()
	}
}

func (c *Call) deliver(m any) { c.mb.put(m) }
