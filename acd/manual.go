package acd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/dialplan"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
	"github.com/google/uuid"
)

// Manual dial and the answer button (R38).
//
// Answer: a phone without auto-answer rings on the agent's leg; the agent
// clicks answer on the desktop and the desk sends uuid_phone_event <leg>
// talk, which mod_sofia turns into a NOTIFY (Event: talk) the phone answers
// (uuid_answer would answer FreeSWITCH's side, not the phone).
//
// Dial: the agent dials a number from the desktop (api.md dial, {uuid} new).
// The desk reserves the agent (from ready or a break, which the agent goes
// back to afterwards), checks the blacklist, chooses the caller ID from the
// campaign's pool (or acd.caller_id without a campaign), stores the attempt,
// rings the customer pinned to the agent's node and, on answer, connects
// them like a progressive call: recorded, controlled, closed by the
// disposition (the attempt's outcome human). A number not answered releases
// the agent and closes the attempt with the hangup's class.

// Actions of the answer button and manual dial.
const (
	ActionAnswer = "answer"
	ActionDial   = "dial"
)

// Errors of the answer button and manual dial.
var (
	ErrNotRinging   = errors.New("acd: no phone of yours is ringing for that call")
	ErrBlocked      = errors.New("acd: the number is on the blacklist")
	ErrCallerID     = errors.New("acd: the caller ID is not in the pool")
	ErrNotYourGroup = errors.New("acd: the campaign is not one of your groups'")
)

// manualRing is how long a manually dialed number rings.
const manualRing = 45 * time.Second

// noteRinging remembers the agent leg ringing for a call, for the answer
// button (on the router).
func (c *conversation) noteRinging(agentID int64, leg string) {
	c.d.post(func() {
		if a := c.d.r.agents[agentID]; a != nil && a.conv == c {
			a.ringing = leg
		}
	})
}

// Answer answers the agent's ringing phone for the call (the customer's
// leg uuid): uuid_phone_event talk.
func (d *Desk) Answer(ctx context.Context, agentID int64, callUUID string) error {
	var leg string
	var err error
	derr := d.do(ctx, func() {
		a := d.r.agents[agentID]
		conv := d.r.convs[callUUID]
		switch {
		case a != nil && a.acw != nil && a.acw.uuid == callUUID:
			err = ErrCallEnded
		case conv == nil:
			err = ErrNoSuchCall
		case a == nil || a.conv != conv:
			err = ErrNotYourCall
		case a.ringing == "" || a.state != store.AgentReserved:
			err = ErrNotRinging
		default:
			leg = a.ringing
		}
	})
	if err = errors.Join(derr, err); err != nil {
		return err
	}
	if err := d.cfg.Switch.PhoneEvent(ctx, leg, "talk"); err != nil {
		return fmt.Errorf("acd: answer the phone: %w", err)
	}
	return nil
}

// DialRequest is a manual dial.
type DialRequest struct {
	AgentID    int64
	Phone      string // as keyed; normalised to E.164 before the checks and the dial
	CallerID   string // from the pool; "" takes the pool's first
	CampaignID int64  // optional: the call counts for this campaign (its caller-ID pool)
	ContactID  int64  // optional: the contact called (verification, history)
}

// DialResult is the call a manual dial started.
type DialResult struct {
	CallUUID  string `json:"call_uuid"`
	CallerID  string `json:"caller_id"`
	AttemptID int64  `json:"attempt_id"`
}

// Dial starts a manual call for the agent; it returns once the customer's
// number is ringing (the call arrives on the agent's stream as any call).
func (d *Desk) Dial(ctx context.Context, req DialRequest) (DialResult, error) {
	if d.cfg.Gateway == "" {
		return DialResult{}, ErrNoGateway
	}
	phone, _, err := dialplan.NormalizePhone(req.Phone)
	if err != nil {
		return DialResult{}, fmt.Errorf("%w %q: %v", ErrBadTarget, req.Phone, err)
	}
	req.Phone = phone // E.164, as the dialer dials and the blacklist holds numbers
	cid, err := d.callerIDFor(ctx, req)
	if err != nil {
		return DialResult{}, err
	}
	blocked, err := d.cfg.Store.BlockedValues(ctx, []string{req.Phone}, nil)
	if err != nil {
		return DialResult{}, err
	}
	if blocked[req.Phone] {
		return DialResult{}, ErrBlocked
	}
	id := uuid.NewString()
	res, err := d.reserveForDial(ctx, req.AgentID, id)
	if err != nil {
		return DialResult{}, err
	}
	now := d.clock.Now()
	att := &store.Attempt{CallUUID: id, CampaignID: req.CampaignID, ContactID: req.ContactID, AgentID: req.AgentID,
		Destination: req.Phone, CallerID: cid, State: string(controller.StateDialing), CreatedAt: now}
	if err := d.cfg.Store.SaveAttempt(ctx, att); err != nil {
		d.Release(context.WithoutCancel(ctx), res, "dial failed")
		return DialResult{}, err
	}
	leg, err := d.cfg.Switch.Originate(ctx, controller.OriginateRequest{UUID: id, Gateway: d.cfg.Gateway, Number: req.Phone,
		CallerIDNumber: cid, CallerIDName: cid, Timeout: manualRing, Node: res.Node, ContactID: req.ContactID, AgentID: req.AgentID})
	if err != nil {
		d.Release(context.WithoutCancel(ctx), res, "dial failed")
		d.closeUnanswered(id, store.ResultNetworkFailure)
		return DialResult{}, fmt.Errorf("acd: dial: %w", err)
	}
	d.publish(feed.CallEvent(feed.Call{CallUUID: id, CampaignID: req.CampaignID, AgentID: req.AgentID, Status: feed.CallRinging, Since: now}))
	d.log.Info("acd: manual dial", "call", id, "agent", req.AgentID, "campaign", req.CampaignID)
	go d.followDial(leg, res, req, att.ID)
	return DialResult{CallUUID: id, CallerID: cid, AttemptID: att.ID}, nil
}

// callerIDFor checks the chosen caller ID against the pool: the campaign's
// caller IDs (the campaign must be one of the agent's groups'), else the
// desk's own caller ID.
func (d *Desk) callerIDFor(ctx context.Context, req DialRequest) (string, error) {
	var pool []string
	if req.CampaignID != 0 {
		camp, err := d.cfg.Store.GetCampaign(ctx, req.CampaignID)
		if err != nil {
			return "", err
		}
		u, err := d.cfg.Store.GetUser(ctx, req.AgentID)
		if err != nil {
			return "", err
		}
		if camp.GroupID == nil || !slices.ContainsFunc(u.Groups, func(g store.Group) bool { return g.ID == *camp.GroupID }) {
			return "", ErrNotYourGroup
		}
		pool = camp.CallerIDs
	}
	if len(pool) == 0 && d.cfg.CallerID != "" {
		pool = []string{d.cfg.CallerID}
	}
	switch {
	case req.CallerID == "" && len(pool) > 0:
		return pool[0], nil
	case req.CallerID == "":
		return "", nil // the gateway's own
	case slices.Contains(pool, req.CallerID):
		return req.CallerID, nil
	}
	return "", fmt.Errorf("%w %v", ErrCallerID, pool)
}

// reserveForDial takes the agent (ready or on a break) for the call; after
// it the agent returns to the break they were on.
func (d *Desk) reserveForDial(ctx context.Context, agentID int64, callUUID string) (dialer.Reservation, error) {
	var res dialer.Reservation
	var err error
	derr := d.do(ctx, func() {
		a := d.r.agents[agentID]
		switch {
		case a == nil:
			err = ErrNotSignedIn
		case a.busy() || a.acw != nil || a.preview != nil:
			err = ErrCallInProgress
		case a.state != store.AgentReady && a.state != store.AgentBreak:
			err = &StateError{From: a.state, To: store.AgentReserved, Why: "manual dial from ready or a break"}
		default:
			if a.state == store.AgentBreak {
				a.next, a.nextReason = store.AgentBreak, a.reason
			}
			w := &waiter{callUUID: callUUID, purpose: "manual", grant: make(chan dialer.Reservation, 1)}
			d.r.grant(w, a)
			res = <-w.grant
		}
	})
	return res, errors.Join(derr, err)
}

// followDial connects the answered customer to the agent, or gives the
// agent back and closes the attempt when nobody answers.
func (d *Desk) followDial(leg controller.Leg, res dialer.Reservation, req DialRequest, attemptID int64) {
	select {
	case <-leg.Answered():
	case <-leg.Done():
		d.Release(context.Background(), res, "not answered")
		d.closeUnanswered(leg.UUID(), store.ResultClass(leg.Record().Result))
		return
	}
	fin := func(ctx context.Context, disp dialer.Disposition) error {
		at := disp.EndedAt
		if at.IsZero() {
			at = d.clock.Now()
		}
		result := disp.Result
		if disp.Auto && result == "" {
			result = "auto"
		}
		_, err := d.cfg.Store.CloseInboundCall(ctx, leg.UUID(), disp.AgentID, result, at)
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.AgentRing+5*time.Second)
	defer cancel()
	_, err := d.Connect(ctx, dialer.ConnectRequest{Leg: leg, CampaignID: req.CampaignID, ContactID: req.ContactID, AttemptID: attemptID,
		Reservation: &res, Finish: fin})
	if err != nil {
		d.log.Info("acd: manual call not connected", "call", leg.UUID(), "agent", req.AgentID, "err", err)
		d.Release(context.Background(), res, "not connected")
		_ = d.cfg.Switch.Hangup(context.Background(), leg.UUID(), "NORMAL_CLEARING")
		_ = fin(context.Background(), dialer.Disposition{AgentID: req.AgentID, Result: "not_connected"})
	}
}

// closeUnanswered finishes a manual attempt that never reached anyone.
func (d *Desk) closeUnanswered(callUUID string, class store.ResultClass) {
	if !class.Valid() {
		class = store.ResultNetworkFailure
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.cfg.Store.FinishUnansweredCall(ctx, callUUID, class, d.clock.Now()); err != nil {
		d.log.Error("acd: close a manual attempt", "call", callUUID, "err", err)
	}
}
