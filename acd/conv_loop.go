package acd

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// Call control actions (api.md POST /api/v1/me/calls/{uuid}/{action}).
const (
	ActionHangup     = "hangup"
	ActionHold       = "hold"
	ActionUnhold     = "unhold"
	ActionTransfer   = "transfer"
	ActionConsult    = "consult"
	ActionConference = "conference"
	actionAgentLeg   = "agent_leg" // internal: the agent's leg, for eavesdrop
)

func doneOf(l controller.Leg) <-chan struct{} {
	if l == nil {
		return nil
	}
	return l.Done()
}

// loop reacts to the legs' events and the agent's controls until the
// customer and every other leg are gone.
func (c *conversation) loop() {
	custEv := c.customer.Events()
	for c.phase != phaseEnded {
		var agentDone, consultDone <-chan struct{}
		if c.agent != nil && c.agent.leg != nil {
			agentDone = c.agent.leg.Done()
		}
		if c.consult != nil {
			consultDone = doneOf(c.consult.leg)
		}
		select {
		case e, ok := <-custEv:
			if !ok {
				custEv = nil
				continue
			}
			c.onCustomerEvent(e)
		case <-agentDone:
			c.onAgentGone()
		case <-consultDone:
			c.onConsultGone()
		case cmd := <-c.cmds:
			cmd.reply <- c.control(cmd)
		case f := <-c.inner:
			f()
		}
	}
	close(c.done)
	c.closeOut()
}

// closeOut forgets the conversation in the router; an agent it still holds
// (reserved for a transfer the customer did not wait for) is given back.
// Posted after every change the conversation posted, so it sees them all.
func (c *conversation) closeOut() {
	c.custGone = true // the customer's leg is gone or hung up by end
	for {             // a joinLater or consult answer that lost the race with the end gives its agent back
		select {
		case f := <-c.inner:
			f()
			continue
		default:
		}
		break
	}
	c.d.post(func() {
		delete(c.d.r.convs, c.uuid)
		for _, a := range c.d.r.agents {
			if a.conv == c {
				a.conv, a.resID = nil, ""
				c.d.r.afterCall(a)
			}
		}
	})
}

func (c *conversation) onCustomerEvent(e controller.Event) {
	switch e.Kind {
	case controller.EventBridge:
		c.bridged = true
	case controller.EventPark:
		// The bridge broke without us asking (park_after_bridge): put the
		// customer back with the agent, or end the call.
		if c.bridged && c.phase == phaseTalking && !c.custGone {
			c.bridged = false
			if c.agent != nil && c.agent.leg != nil && !ended(c.agent.leg) {
				if err := c.d.cfg.Switch.Bridge(context.Background(), c.uuid, c.agent.leg.UUID()); err == nil {
					return
				}
			}
			_ = c.d.cfg.Switch.Hangup(context.Background(), c.uuid, "NORMAL_CLEARING")
		}
	case controller.EventHangup:
		c.onCustomerGone()
	}
}

func ended(l controller.Leg) bool {
	select {
	case <-l.Done():
		return true
	default:
		return false
	}
}

// onCustomerGone: the customer hung up (or was hung up).
func (c *conversation) onCustomerGone() {
	if c.custGone {
		return
	}
	c.custGone = true
	c.verifyAbandoned()
	switch c.phase {
	case phaseConsulting:
		// The agent stays with the consult party; the call ends when either leaves.
		return
	case phaseConference:
		c.endConsult(store.AgentReady)
	case phaseOutside:
		if c.consult != nil && c.consult.leg != nil {
			_ = c.d.cfg.Switch.Hangup(context.Background(), c.consult.leg.UUID(), "NORMAL_CLEARING")
		}
		c.consult = nil
	}
	c.agentLeaves(true)
	c.end()
}

// agentLeaves sends the current agent to ACW and ends or frees the agent's
// leg. withFinish hands the attempt's closing to the agent (the call left
// the centre with them).
func (c *conversation) agentLeaves(withFinish bool) {
	p := c.agent
	if p == nil {
		return
	}
	c.agent = nil
	if p.nailed && p.leg != nil && !ended(p.leg) {
		if c.phase == phaseHeld {
			_ = c.d.cfg.Switch.Unhold(context.Background(), p.leg.UUID())
		}
		_ = c.d.cfg.Switch.Park(context.Background(), p.leg.UUID())
	}
	c.drop(p)
	var fin func(context.Context, dialer.Disposition) error
	if withFinish {
		fin, c.finish = c.finish, nil
	}
	c.toACW(p, fin)
}

// end closes the conversation; a Finish nobody took is made automatic.
func (c *conversation) end() {
	if c.finish != nil {
		fin := c.finish
		c.finish = nil
		go c.autoFinish(0, fin)
	}
	if !c.custGone {
		_ = c.d.cfg.Switch.Hangup(context.Background(), c.uuid, "NORMAL_CLEARING")
	}
	c.phase = phaseEnded
}

// onAgentGone: the agent's leg ended (the agent hung up first).
func (c *conversation) onAgentGone() {
	switch c.phase {
	case phaseConsulting:
		if !c.custGone && c.consult != nil && c.consult.leg != nil && !ended(c.consult.leg) {
			_ = c.complete() // the agent hung up: the customer goes to the consult party
			return
		}
	case phaseConference:
		if c.consult != nil && c.consult.agentID != 0 {
			old := c.agent
			c.agent, c.consult = c.consult, nil
			c.phase = phaseTalking
			c.toACW(old, nil)
			return
		}
	}
	c.agentLeaves(true)
	if c.consult != nil {
		c.endConsult(store.AgentReady)
	}
	c.end()
}

// onConsultGone: the consult or outside party hung up.
func (c *conversation) onConsultGone() {
	p := c.consult
	c.consult = nil
	if p.agentID != 0 {
		c.giveBackAfter(p)
	}
	switch {
	case c.phase == phaseOutside:
		c.end()
	case c.custGone:
		c.agentLeaves(true)
		c.end()
	case c.phase == phaseConsulting:
		c.returnToCustomer()
	}
}

// giveBackAfter sends a consult agent who talked to ACW without the
// attempt, or back to ready if the leg never answered.
func (c *conversation) giveBackAfter(p *party) {
	c.d.post(func() {
		a := c.d.r.agents[p.agentID]
		if a == nil || a.conv != c {
			return
		}
		a.conv, a.resID = nil, ""
		c.d.r.afterCall(a)
	})
}

// control runs one of the agent's call controls.
func (c *conversation) control(cmd convCmd) error {
	if cmd.action == actionAgentLeg {
		if c.agent == nil || c.agent.leg == nil {
			return ErrNotOnCall
		}
		*cmd.leg = c.agent.leg.UUID()
		return nil
	}
	if c.agent == nil || c.agent.agentID != cmd.agentID {
		return ErrNotYourCall
	}
	sw, ctx := c.d.cfg.Switch, context.Background()
	switch cmd.action {
	case ActionHangup:
		if c.custGone {
			c.endConsult(store.AgentReady)
			c.agentLeaves(true)
			c.end()
			return nil
		}
		// A customer who hung up at the same moment is gone already (the
		// switch no longer knows the channel): what the agent asked for is
		// done, and the hangup event ends the conversation.
		err := sw.Hangup(ctx, c.uuid, "NORMAL_CLEARING")
		if errors.Is(err, controller.ErrNoSuchCall) || errors.Is(err, controller.ErrRejected) {
			c.d.log.Info("acd: hangup of a call already gone", "call_uuid", c.uuid, "err", err)
			return nil
		}
		return err
	case ActionHold:
		if c.phase != phaseTalking {
			return ErrBusy
		}
		if err := sw.Hold(ctx, c.agent.leg.UUID()); err != nil {
			return err
		}
		c.phase = phaseHeld
		c.agentState(store.AgentHold)
		c.callEvent(c.agent.agentID, feed.CallHeld, "")
	case ActionUnhold:
		switch c.phase {
		case phaseHeld:
			if err := sw.Unhold(ctx, c.agent.leg.UUID()); err != nil {
				return err
			}
			c.phase = phaseTalking
			c.agentState(store.AgentOnCall)
			c.callEvent(c.agent.agentID, feed.CallConnected, "")
		case phaseConsulting:
			c.endConsult(store.AgentReady)
			c.returnToCustomer()
		default:
			return ErrBusy
		}
	case ActionTransfer:
		if c.phase == phaseConsulting {
			return c.complete()
		}
		return c.blindTransfer(cmd.target)
	case ActionConsult:
		return c.startConsult(cmd.target)
	case ActionConference:
		return c.conference()
	case ActionVerify:
		return c.startVerify(cmd.target)
	default:
		return fmt.Errorf("%w: unknown action %q", ErrBadTarget, cmd.action)
	}
	return nil
}

func (c *conversation) agentState(st store.AgentState) {
	id := c.agent.agentID
	c.d.post(func() {
		if a := c.d.r.agents[id]; a != nil && a.conv == c {
			c.d.r.setState(a, st, "", c.uuid)
		}
	})
}

// target is where a transfer or consult goes.
type target struct {
	kind   string // agent, group, number
	id     int64
	number string
}

// ParseTarget reads "agent:7", "group:3" or "number:13800138000".
func ParseTarget(s string) (target, error) {
	kind, val, ok := strings.Cut(s, ":")
	if !ok || val == "" {
		return target{}, fmt.Errorf("%w %q: want agent:ID, group:ID or number:PHONE", ErrBadTarget, s)
	}
	switch kind {
	case "agent", "group":
		id, err := strconv.ParseInt(val, 10, 64)
		if err != nil || id <= 0 {
			return target{}, fmt.Errorf("%w %q: %s needs a numeric id", ErrBadTarget, s, kind)
		}
		return target{kind: kind, id: id}, nil
	case "number":
		for _, r := range val {
			if (r < '0' || r > '9') && r != '+' {
				return target{}, fmt.Errorf("%w %q: a number has digits only", ErrBadTarget, s)
			}
		}
		if len(val) < 3 || len(val) > 20 {
			return target{}, fmt.Errorf("%w %q: a number has 3-20 digits", ErrBadTarget, s)
		}
		return target{kind: "number", number: val}, nil
	}
	return target{}, fmt.Errorf("%w %q: want agent:ID, group:ID or number:PHONE", ErrBadTarget, s)
}

// reserveNow takes a named agent who is ready, for this conversation.
func (c *conversation) reserveNow(agentID int64) (*party, error) {
	var p *party
	var err error
	derr := c.d.do(context.Background(), func() {
		a := c.d.r.agents[agentID]
		if a == nil || a.state != store.AgentReady || a.node != c.customer.Node() {
			err = ErrTargetBusy
			return
		}
		c.d.r.grant(&waiter{callUUID: c.uuid, grant: make(chan dialer.Reservation, 1)}, a)
		a.conv = c
		p = &party{agentID: a.id}
		if a.nailed != nil {
			p.leg, p.nailed = a.nailed, true
		}
	})
	if derr != nil {
		return nil, derr
	}
	return p, err
}

// reserveGroup waits (up to a minute) for an agent of the group on the
// customer's node.
func (c *conversation) reserveGroup(ctx context.Context, groupID int64) (*party, error) {
	w := &waiter{group: groupID, node: c.customer.Node(), purpose: "transfer", callUUID: c.uuid, grant: make(chan dialer.Reservation, 1)}
	res, err := c.d.wait(ctx, w, c.customer.Done())
	if err != nil {
		return nil, err
	}
	var p *party
	derr := c.d.do(context.Background(), func() {
		a := c.d.r.agents[res.AgentID]
		if a == nil || a.resID != res.ID {
			return
		}
		a.conv = c
		p = &party{agentID: a.id}
		if a.nailed != nil {
			p.leg, p.nailed = a.nailed, true
		}
	})
	if derr != nil || p == nil {
		return nil, ErrNoReservation
	}
	return p, nil
}

// detachAgent takes the customer off the current agent and gives them
// music while the next party is found.
func (c *conversation) detachAgent(withFinish bool) {
	c.bridged = false
	c.phase = phaseTransferring
	c.agentLeaves(withFinish)
	_ = c.d.cfg.Switch.Broadcast(context.Background(), c.uuid, c.d.cfg.MusicOnHold, controller.BroadcastALeg)
}

// blindTransfer moves the customer to another agent, a group or an
// outside number; the transferring agent goes to after-call work.
func (c *conversation) blindTransfer(to string) error {
	t, err := ParseTarget(to)
	if err != nil {
		return err
	}
	if c.phase != phaseTalking && c.phase != phaseHeld {
		return ErrBusy
	}
	switch t.kind {
	case "agent":
		p, err := c.reserveNow(t.id)
		if err != nil {
			return err
		}
		c.detachAgent(false)
		c.joinLater(func(context.Context) (*party, error) { return p, nil })
	case "group":
		c.detachAgent(false)
		c.joinLater(func(ctx context.Context) (*party, error) { return c.reserveGroup(ctx, t.id) })
	case "number":
		if c.d.cfg.Gateway == "" {
			return ErrNoGateway
		}
		c.detachAgent(true)
		leg, err := c.outside(t.number)
		if err != nil {
			c.end()
			return err
		}
		c.consult = &party{leg: leg}
		go c.whenAnswered(leg, func() {
			if c.custGone || c.consult == nil {
				return
			}
			if err := c.d.cfg.Switch.Bridge(context.Background(), c.uuid, leg.UUID()); err != nil {
				c.end()
				return
			}
			c.phase = phaseOutside
		})
	}
	return nil
}

// joinLater finds the next agent off the loop and joins them on it.
func (c *conversation) joinLater(find func(context.Context) (*party, error)) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		p, err := find(ctx)
		cancel()
		c.inner <- func() {
			ctx, cancel := context.WithTimeout(context.Background(), c.d.cfg.AgentRing+time.Second)
			defer cancel()
			if err != nil || c.custGone {
				if p != nil {
					c.giveBack(p, store.AgentReady)
				}
				c.end()
				return
			}
			if _, err := c.join(ctx, p, c.customer.Node(), feed.OfferTransfer); err != nil {
				if !c.custGone {
					c.end()
				}
			}
		}
	}()
}

// whenAnswered runs f on the loop once leg is answered (not if it ends first).
func (c *conversation) whenAnswered(leg controller.Leg, f func()) {
	select {
	case <-leg.Answered():
		c.inner <- f
	case <-leg.Done():
	}
}

// outside dials an outside number on the customer's node.
func (c *conversation) outside(number string) (controller.Leg, error) {
	return c.d.cfg.Switch.Originate(context.Background(), controller.OriginateRequest{Gateway: c.d.cfg.Gateway, Number: number,
		Node: c.customer.Node(), Timeout: 30 * time.Second, CallerIDNumber: c.d.cfg.CallerID, CallerIDName: c.d.cfg.CallerID,
		ContactID: c.req.ContactID, Vars: map[string]string{"cc_customer_uuid": c.uuid}})
}

// startConsult holds the customer (music) and calls the consult party;
// when it answers the agent is bridged to it.
func (c *conversation) startConsult(to string) error {
	t, err := ParseTarget(to)
	if err != nil {
		return err
	}
	if c.phase != phaseTalking && c.phase != phaseHeld {
		return ErrBusy
	}
	var p *party
	switch t.kind {
	case "agent":
		if p, err = c.reserveNow(t.id); err != nil {
			return err
		}
		if p.leg == nil {
			leg, err := c.ringAgent(context.Background(), p.agentID, c.customer.Node())
			if err != nil {
				c.giveBack(p, store.AgentReady)
				return err
			}
			p.leg = leg
		}
		c.offer(p.agentID, feed.OfferTransfer)
	case "number":
		if c.d.cfg.Gateway == "" {
			return ErrNoGateway
		}
		leg, err := c.outside(t.number)
		if err != nil {
			return err
		}
		p = &party{leg: leg}
	case "group":
		return c.startGroupConsult(t.id)
	default:
		return fmt.Errorf("%w %q: consult an agent, a group or a number", ErrBadTarget, to)
	}
	if c.phase == phaseTalking {
		_ = c.d.cfg.Switch.Hold(context.Background(), c.agent.leg.UUID())
	}
	c.phase, c.consult = phaseConsulting, p
	c.agentState(store.AgentHold)
	c.callEvent(c.agent.agentID, feed.CallConsulting, "")
	go c.whenAnswered(p.leg, func() { c.consultAnswered(p) })
	return nil
}

// endConsult hangs the consult party up (or parks a nailed-up agent leg).
func (c *conversation) endConsult(agentTo store.AgentState) {
	p := c.consult
	if p == nil {
		return
	}
	c.consult = nil
	if p.cancel != nil { // a group consult still searching
		p.cancel()
	}
	if p.leg != nil && !ended(p.leg) {
		if p.nailed {
			_ = c.d.cfg.Switch.Park(context.Background(), p.leg.UUID())
		} else {
			_ = c.d.cfg.Switch.Hangup(context.Background(), p.leg.UUID(), "NORMAL_CLEARING")
		}
	}
	if p.agentID != 0 {
		c.giveBack(p, agentTo)
	}
}

// returnToCustomer bridges the agent back to the customer after a consult.
func (c *conversation) returnToCustomer() {
	if c.agent == nil || c.custGone {
		c.agentLeaves(true)
		c.end()
		return
	}
	sw, ctx := c.d.cfg.Switch, context.Background()
	_ = sw.Unhold(ctx, c.agent.leg.UUID())
	if err := sw.Bridge(ctx, c.uuid, c.agent.leg.UUID()); err != nil {
		c.agentLeaves(true)
		c.end()
		return
	}
	c.phase = phaseTalking
	c.agentState(store.AgentOnCall)
	c.callEvent(c.agent.agentID, feed.CallConnected, "")
}

// complete finishes a consult transfer: the customer is bridged to the
// consult party and the agent leaves to ACW.
func (c *conversation) complete() error {
	p := c.consult
	if c.phase != phaseConsulting || p == nil {
		return ErrNotConsulting
	}
	if p.leg == nil {
		return ErrBusy // a group consult still searching
	}
	select {
	case <-p.leg.Answered():
	default:
		return ErrBusy // still ringing
	}
	c.bridged = false
	if err := c.d.cfg.Switch.Bridge(context.Background(), c.uuid, p.leg.UUID()); err != nil {
		return err
	}
	c.consult = nil
	if p.agentID != 0 {
		c.agentLeaves(false)
		c.agent, c.phase = p, phaseTalking
		c.callEvent(p.agentID, feed.CallConnected, "")
		return nil
	}
	c.agentLeaves(true)
	c.consult, c.phase = p, phaseOutside
	return nil
}

// conference joins customer, agent and consult party in one room.
func (c *conversation) conference() error {
	p := c.consult
	if c.phase != phaseConsulting || p == nil || c.custGone {
		return ErrNotConsulting
	}
	if p.leg == nil {
		return ErrBusy // a group consult still searching
	}
	room := "cc-" + c.uuid
	sw, ctx := c.d.cfg.Switch, context.Background()
	c.bridged = false
	for _, id := range []string{c.uuid, c.agent.leg.UUID(), p.leg.UUID()} {
		if err := sw.Conference(ctx, id, room); err != nil {
			return fmt.Errorf("acd: conference %s: %w", id, err)
		}
	}
	c.phase = phaseConference
	c.agentState(store.AgentOnCall)
	c.callEvent(c.agent.agentID, feed.CallConference, "")
	return nil
}
