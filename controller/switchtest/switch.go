package switchtest

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/bankcc/callcenter/clock"
	"github.com/bankcc/callcenter/controller"
)

// Op names a Switch method, as recorded in Command.
type Op string

// Ops, one per Switch method that acts on FreeSWITCH.
const (
	OpOriginate     Op = "originate"
	OpEavesdrop     Op = "eavesdrop"
	OpAnswer        Op = "answer"
	OpPhoneEvent    Op = "phone_event"
	OpBridge        Op = "bridge"
	OpTransfer      Op = "transfer"
	OpConference    Op = "conference"
	OpPark          Op = "park"
	OpHold          Op = "hold"
	OpUnhold        Op = "unhold"
	OpBreak         Op = "break"
	OpBroadcast     Op = "broadcast"
	OpBeepDetect    Op = "beep_detect"
	OpDisplaceStart Op = "displace_start"
	OpDisplaceStop  Op = "displace_stop"
	OpRecordStart   Op = "record_start"
	OpRecordStop    Op = "record_stop"
	OpRecordMask    Op = "record_mask"
	OpHangup        Op = "hangup"
	OpSetVar        Op = "setvar"
	OpSetVars       Op = "setvars"
	OpChannels      Op = "channels"
	OpSetLane       Op = "set_lane"
	OpRemoveLane    Op = "remove_lane"
)

// Command is one call the code under test made. UUID is the channel it
// acted on; Args hold the rest in the method's order (bridge: the other
// uuid; transfer: leg, dest, dialplan, context; broadcast: path, leg;
// hangup: cause; setvar: name, value; record_mask: path, "true"/"false").
type Command struct {
	Op        Op
	UUID      string
	Args      []string
	Originate controller.OriginateRequest // originate, eavesdrop (as originated)
	Vars      map[string]string           // setvars
	Lane      controller.Lane             // set_lane
	Err       error                       // what the fake returned
}

// DefaultNode is the node of legs not pinned elsewhere.
const DefaultNode = "fake1"

// Switch is the fake. Its methods are safe for concurrent use.
type Switch struct {
	t     testing.TB
	clock clock.Clock

	mu    sync.Mutex
	cmds  []Command
	legs  map[string]*Leg
	fail  map[Op]error
	regs  map[string]string // SIP user -> node
	lanes map[int64]controller.Lane
	subs  map[*poolSub]struct{}
}

var _ controller.Switch = (*Switch)(nil)

// Option configures a Switch.
type Option func(*Switch)

// WithClock stamps events with c (a clock.Fake makes times exact).
func WithClock(c clock.Clock) Option { return func(s *Switch) { s.clock = c } }

// New returns a fake switch; t fails the test on a far-end step for an
// unknown leg.
func New(t testing.TB, opts ...Option) *Switch {
	s := &Switch{t: t, clock: clock.Real(), legs: map[string]*Leg{}, fail: map[Op]error{},
		regs: map[string]string{}, lanes: map[int64]controller.Lane{}, subs: map[*poolSub]struct{}{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// FailNext makes the next command of op return err (and do nothing).
func (s *Switch) FailNext(op Op, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[op] = err
}

// Commands returns every command so far, in order.
func (s *Switch) Commands() []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cmds)
}

// CommandsOf returns the commands of one op, in order.
func (s *Switch) CommandsOf(op Op) []Command {
	var out []Command
	for _, c := range s.Commands() {
		if c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

// Lanes returns the lanes set and not removed.
func (s *Switch) Lanes() map[int64]controller.Lane {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.lanes)
}

// Leg returns a leg the fake knows (originated or inbound), nil if none.
func (s *Switch) Leg(uuid string) *Leg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.legs[uuid]
}

// record notes a command and returns the injected failure, if any; s.mu
// is held.
func (s *Switch) record(c Command) error {
	c.Err = s.fail[c.Op]
	delete(s.fail, c.Op)
	s.cmds = append(s.cmds, c)
	return c.Err
}

// do records a command on a channel and runs fn on its leg unless the
// command fails or the leg is unknown (ErrNoSuchCall, like the Pool).
func (s *Switch) do(c Command, fn func(l *Leg) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.legs[c.UUID]
	if l == nil || l.rec.State == controller.StateEnded {
		c.Err = fmt.Errorf("%w: %s", controller.ErrNoSuchCall, c.UUID)
		s.cmds = append(s.cmds, c)
		return c.Err
	}
	if err := s.record(c); err != nil {
		return err
	}
	if fn == nil {
		return nil
	}
	return fn(l)
}

// String renders a command for failure messages.
func (c Command) String() string {
	out := string(c.Op)
	if c.UUID != "" {
		out += " " + c.UUID
	}
	for _, a := range c.Args {
		out += " " + a
	}
	if c.Op == OpOriginate || c.Op == OpEavesdrop {
		out += " " + c.Originate.Endpoint + c.Originate.Gateway + "/" + c.Originate.Number +
			" campaign=" + strconv.FormatInt(c.Originate.CampaignID, 10)
	}
	return out
}
