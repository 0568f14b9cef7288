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
	// ErrNoSuchContact: the contact to dial does not exist.
	ErrNoSuchContact = errors.New("acd: no such contact")
	// ErrNotYourContact: the contact is neither assigned to the agent nor
	// in a campaign of one of the agent's groups.
	ErrNotYourContact = errors.New("acd: the contact is neither assigned to you nor in a campaign of your groups")
	// ErrNotContactPhone: the number keyed is not one of the contact's, or
	// the contact has no number left to dial.
	ErrNotContactPhone = errors.New("acd: not a phone of the contact")
	// ErrManualNoContact: a callback or do-not-call asked on a manual call
	// dialed without a contact (there is nobody to book it for).
	ErrManualNoContact = errors.New("acd: the call was dialed without a contact")
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
	CampaignID int64  // optional: the call counts for this campaign (its caller-ID pool); a contact's campaign when ContactID is set
	// ContactID, optional, is the contact called (verification, history,
	// callbacks and do-not-call from the disposition). The agent must own
	// the contact or serve its campaign; Phone, when given, must be one of
	// the contact's numbers, and "" dials its first dialable one.
	ContactID int64
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
	var contact *store.Contact
	if req.ContactID != 0 {
		c, err := d.contactFor(ctx, &req)
		if err != nil {
			return DialResult{}, err
		}
		contact = c
	} else {
		phone, _, err := dialplan.NormalizePhone(req.Phone)
		if err != nil {
			return DialResult{}, fmt.Errorf("%w %q: %v", ErrBadTarget, req.Phone, err)
		}
		req.Phone = phone // E.164, as the dialer dials and the blacklist holds numbers
	}
	cid, err := d.callerIDFor(ctx, req, contact)
	if err != nil {
		return DialResult{}, err
	}
	var ids []string
	if contact != nil && contact.IDNumber != "" {
		ids = []string{contact.IDNumber}
	}
	blocked, err := d.cfg.Store.BlockedValues(ctx, []string{req.Phone}, ids)
	if err != nil {
		return DialResult{}, err
	}
	if blocked[req.Phone] || len(ids) > 0 && blocked[ids[0]] || contact != nil && contact.Status == store.ContactBlocked {
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

// contactFor loads the contact of a manual dial and checks it: the agent
// owns it (assigned) or serves its campaign (a group of theirs); the
// campaign is the contact's; the phone is one of the contact's numbers, or
// its first dialable one when none is given. req is completed in place.
func (d *Desk) contactFor(ctx context.Context, req *DialRequest) (*store.Contact, error) {
	c, err := d.cfg.Store.GetContact(ctx, req.ContactID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w %d", ErrNoSuchContact, req.ContactID)
	}
	if err != nil {
		return nil, err
	}
	if req.CampaignID != 0 && req.CampaignID != c.CampaignID {
		return nil, fmt.Errorf("%w: contact %d is in campaign %d, not %d", ErrNotYourContact, c.ID, c.CampaignID, req.CampaignID)
	}
	req.CampaignID = c.CampaignID
	if c.OwnerAgentID == nil || *c.OwnerAgentID != req.AgentID {
		ok, err := d.servesCampaign(ctx, req.AgentID, c.CampaignID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrNotYourContact
		}
	}
	if req.Phone == "" {
		if req.Phone = firstDialable(c); req.Phone == "" {
			return nil, fmt.Errorf("%w: contact %d has no dialable number left", ErrNotContactPhone, c.ID)
		}
		return c, nil
	}
	phone, _, err := dialplan.NormalizePhone(req.Phone)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBadTarget, req.Phone, err)
	}
	if phone != c.Phone && phone != c.AltPhone {
		return nil, fmt.Errorf("%w %d", ErrNotContactPhone, c.ID)
	}
	req.Phone = phone
	return c, nil
}

// firstDialable is the contact's first number not known to be invalid,
// disconnected or wrong ("" if none): phone, then alt_phone.
func firstDialable(c *store.Contact) string {
	for _, p := range []struct {
		number string
		status store.NumberStatus
	}{{c.Phone, c.PhoneStatus}, {c.AltPhone, c.AltStatus}} {
		if p.number != "" && p.status.Dialable() {
			return p.number
		}
	}
	return ""
}

// servesCampaign reports whether the campaign's group is one of the agent's.
func (d *Desk) servesCampaign(ctx context.Context, agentID, campaignID int64) (bool, error) {
	camp, err := d.cfg.Store.GetCampaign(ctx, campaignID)
	if err != nil {
		return false, err
	}
	u, err := d.cfg.Store.GetUser(ctx, agentID)
	if err != nil {
		return false, err
	}
	return camp.GroupID != nil && slices.ContainsFunc(u.Groups, func(g store.Group) bool { return g.ID == *camp.GroupID }), nil
}

// callerIDFor checks the chosen caller ID against the pool: the campaign's
// caller IDs (the campaign must be one of the agent's groups', or the
// agent's own contact's), else the desk's own caller ID.
func (d *Desk) callerIDFor(ctx context.Context, req DialRequest, contact *store.Contact) (string, error) {
	var pool []string
	if req.CampaignID != 0 {
		camp, err := d.cfg.Store.GetCampaign(ctx, req.CampaignID)
		if err != nil {
			return "", err
		}
		if contact == nil { // contactFor checked the agent's right to the contact's campaign
			ok, err := d.servesCampaign(ctx, req.AgentID, req.CampaignID)
			if err != nil {
				return "", err
			}
			if !ok {
				return "", ErrNotYourGroup
			}
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
		if req.ContactID != 0 {
			return d.finishManual(ctx, leg, disp, result, at)
		}
		// Refused as invalid: the agent stays in after-call work to send
		// the disposition again without them.
		switch {
		case disp.CallbackAt != nil:
			return fmt.Errorf("%w: %w", ErrManualNoContact,
				store.Invalid("callback_at", "a call dialed without a contact books no callback (dial the contact to book one)"))
		case disp.DNC:
			return fmt.Errorf("%w: %w", ErrManualNoContact,
				store.Invalid("dnc", "a call dialed without a contact sets no do-not-call (add the number on the blacklist page)"))
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
		// Closed as before, the contact untouched: nobody talked to the
		// customer, so no disposition settles it.
		_, _ = d.cfg.Store.CloseInboundCall(context.Background(), leg.UUID(), req.AgentID, "not_connected", d.clock.Now())
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

// finishManual closes a manual call to a contact as a campaign call's
// disposition closes its attempt: the class (success or human), a callback
// booked, do-not-call, and the contact's status (store.FinishManualCall).
func (d *Desk) finishManual(ctx context.Context, leg controller.Leg, disp dialer.Disposition, result string, at time.Time) error {
	rec := leg.Record()
	class := store.ResultHuman
	if result == string(store.ResultSuccess) {
		class = store.ResultSuccess
	}
	f := store.ManualFinish{CallUUID: leg.UUID(), Class: class, AnsweredAt: timeOrNil(rec.AnsweredAt), ConnectedAt: timeOrNil(rec.BridgedAt),
		HungupAt: timeOrNil(rec.HungupAt), AgentID: disp.AgentID, Disposition: result, Now: d.clock.Now()}
	if f.HungupAt == nil {
		f.HungupAt = &at
	}
	if disp.DNC {
		f.DNC = &store.DNCRequest{Reason: "the customer asked not to be called (agent's disposition)"}
	}
	if disp.CallbackAt != nil {
		f.Callback = &store.Callback{DueAt: *disp.CallbackAt, Phone: disp.Phone, AgentID: disp.AgentID, Note: disp.Note}
	}
	_, err := d.cfg.Store.FinishManualCall(ctx, f)
	return err
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
