package acd

import (
	"context"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// Consult to a group: the customer goes on hold (music) at once, as for a
// named agent, while the group's queue finds the longest-idle ready agent
// on the customer's node (up to a minute, off the conversation's loop);
// that agent's phone rings and, once answered, the consulting agent talks
// to them and can complete, conference or return as with any consult. The
// search is a placeholder consult party without a leg: unhold (or the
// agent hanging up) cancels it, and an agent found too late is given back.

// groupConsultWait bounds the search for a consult agent of a group.
const groupConsultWait = time.Minute

// startGroupConsult holds the customer and looks for an agent of the group.
func (c *conversation) startGroupConsult(groupID int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), groupConsultWait)
	pending := &party{cancel: cancel}
	if c.phase == phaseTalking {
		_ = c.d.cfg.Switch.Hold(context.Background(), c.agent.leg.UUID())
	}
	c.phase, c.consult = phaseConsulting, pending
	c.agentState(store.AgentHold)
	c.callEvent(c.agent.agentID, feed.CallConsulting, "")
	go func() {
		defer cancel()
		w := &waiter{group: groupID, node: c.customer.Node(), purpose: "consult", callUUID: c.uuid,
			grant: make(chan dialer.Reservation, 1)}
		res, err := c.d.wait(ctx, w, c.customer.Done())
		c.inner <- func() { c.groupConsultFound(pending, res, err) }
	}()
	return nil
}

// groupConsultFound runs on the loop when the search ends: the found agent
// is rung (or their nailed-up leg used) and becomes the consult party; a
// search that failed returns the agent to the customer.
func (c *conversation) groupConsultFound(pending *party, res dialer.Reservation, err error) {
	if err == nil && (c.consult != pending || c.agent == nil) {
		c.d.Release(context.Background(), res, "consult withdrawn")
		return
	}
	if c.consult != pending {
		return
	}
	var p *party
	if err == nil {
		p, err = c.takeReserved(res)
	}
	if err == nil && p.leg == nil {
		var leg controller.Leg
		if leg, err = c.ringAgent(context.Background(), p.agentID, c.customer.Node()); err != nil {
			c.giveBack(p, store.AgentReady)
		}
		p.leg = leg
	}
	if err != nil {
		c.consult = nil
		c.returnToCustomer()
		return
	}
	c.consult = p
	c.offer(p.agentID, feed.OfferTransfer)
	go c.whenAnswered(p.leg, func() { c.consultAnswered(p) })
}

// takeReserved binds a reserved agent to this conversation.
func (c *conversation) takeReserved(res dialer.Reservation) (*party, error) {
	var p *party
	derr := c.d.do(context.Background(), func() {
		a := c.d.r.agents[res.AgentID]
		if a == nil || a.resID != res.ID || a.conv != nil {
			return
		}
		a.conv = c
		p = &party{agentID: a.id}
		if a.nailed != nil {
			p.leg, p.nailed = a.nailed, true
		}
	})
	if derr != nil {
		return nil, derr
	}
	if p == nil {
		return nil, ErrNoReservation
	}
	return p, nil
}

// consultAnswered bridges the consulting agent to the consult party who
// answered; the customer hears music meanwhile.
func (c *conversation) consultAnswered(p *party) {
	if c.consult != p || c.agent == nil {
		return
	}
	sw, ctx := c.d.cfg.Switch, context.Background()
	c.bridged = false
	_ = sw.Unhold(ctx, c.agent.leg.UUID())
	if err := sw.Bridge(ctx, c.agent.leg.UUID(), p.leg.UUID()); err != nil {
		c.endConsult(store.AgentReady)
		c.returnToCustomer()
		return
	}
	if !c.custGone {
		_ = sw.Broadcast(ctx, c.uuid, c.d.cfg.MusicOnHold, controller.BroadcastALeg)
	}
	if p.agentID != 0 {
		id := p.agentID
		c.d.post(func() {
			if a := c.d.r.agents[id]; a != nil && a.conv == c {
				c.d.r.setState(a, store.AgentOnCall, "", c.uuid)
			}
		})
	}
}
