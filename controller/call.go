package controller

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bankcc/callcenter/clock"
)

// Leg is one call leg driven through a Switch: what Originate and
// Eavesdrop return. *Call implements it for the Pool; controller/switchtest
// has a fake one.
type Leg interface {
	// UUID is the leg's channel uuid.
	UUID() string
	// Node is the FreeSWITCH node that carries the leg.
	Node() string
	// Events returns a new stream of the leg's typed events, from its first
	// event on (none is missed by subscribing late), closed after its
	// EventHangup. Every call returns its own stream; each must be read to
	// its end.
	Events() <-chan Event
	// Answered is closed when the leg is answered (or first bridged).
	Answered() <-chan struct{}
	// Bridged is closed when the leg is first bridged.
	Bridged() <-chan struct{}
	// Done is closed when the leg has ended and its final record is set.
	Done() <-chan struct{}
	// Record returns a snapshot of the leg's record.
	Record() CallRecord
	// Wait blocks until the leg ends or ctx is done and returns the record.
	Wait(ctx context.Context) (CallRecord, error)
}

// Call is one leg owned by the controller. All changes to its record are
// made by a single owner goroutine that consumes the leg's events in order
// and publishes typed events; everyone else reads snapshots, waits on the
// channels or reads an event stream.
type Call struct {
	uuid     string
	node     string
	snap     atomic.Pointer[CallRecord]
	mb       mailbox
	stream   legStream
	answered chan struct{}
	bridged  chan struct{}
	done     chan struct{}
	hooks    callHooks
	// applied and disorder count the events the owner consumed and those
	// that came with a lower Event-Sequence than one before (tests, metrics).
	applied  atomic.Int64
	disorder atomic.Int64
}

var _ Leg = (*Call)(nil)

// callHooks connects a call to its node without the call knowing the node.
type callHooks struct {
	log      *slog.Logger
	clock    clock.Clock
	created  func()          // first sign of life: frees the pending slot
	finished func()          // unregister from routing, free the lane's channel
	stop     <-chan struct{} // pool closing
	// lostAfter ends a call that never shows a sign of life (its events
	// and job result were lost); zero disables it.
	lostAfter time.Duration
}

// hangupGrace is how long the owner waits for CHANNEL_HANGUP_COMPLETE after
// a hangup or a failed job before it closes the record on its own.
const hangupGrace = 5 * time.Second

type jobResult struct{ body string }

type closeCall struct{ reason string }

// resyncCall carries a live leg's call state from `show channels` after a
// reconnect, so an answer missed during the gap is not missed for good.
type resyncCall struct{ callState string }

// abandonCall drops a call whose originate never reached the switch.
type abandonCall struct{}

func newCall(rec CallRecord, hooks callHooks) *Call {
	hooks.clock = clock.Or(hooks.clock)
	c := &Call{
		uuid:     rec.UUID,
		node:     rec.Node,
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

// Node is the name of the node that carries the leg.
func (c *Call) Node() string { return c.node }

// Events returns a new stream of the leg's typed events (see Leg).
func (c *Call) Events() <-chan Event { return c.stream.subscribe() }

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

// mailbox is an unbounded FIFO: the node's router must never block on a
// slow call owner, or every call on that node would stall.
type mailbox struct {
	mu  sync.Mutex
	q   []any
	sig chan struct{}
}

func (m *mailbox) put(v any) {
	m.mu.Lock()
	m.q = append(m.q, v)
	m.mu.Unlock()
	select {
	case m.sig <- struct{}{}:
	default:
	}
}

func (m *mailbox) take() []any {
	m.mu.Lock()
	q := m.q
	m.q = nil
	m.mu.Unlock()
	return q
}
