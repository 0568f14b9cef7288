package controller

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bankcc/callcenter/clock"
	"github.com/bankcc/callcenter/dialplan"
	"github.com/google/uuid"
)

// defaultRing is FreeSWITCH's own originate timeout.
const defaultRing = 60 * time.Second

// Originate dials one leg with `bgapi originate` and returns as soon as
// FreeSWITCH has accepted the job; the Leg then follows the leg's events.
// The leg's uuid and the job's uuid are ours and registered before the
// command goes out, so no event is missed.
//
// The scheduler picks the node (the pinned one, else the one with most
// headroom) and the moment (node, gateway and lane calls per second, lanes
// weighted by priority); Originate waits for that without holding a
// connection, and fails at once with ErrNoCapacity when no channel is free
// for the request. The bgapi goes out on the node's originate connections,
// never on the connections that carry call control.
//
// An error means the leg was certainly not dialed. When the outcome is
// unknown (the reply was lost), the Leg is returned without error and the
// reconnect reconciliation decides whether it lives: a call is never dialed
// twice by the controller.
func (p *Pool) Originate(ctx context.Context, req OriginateRequest) (Leg, error) {
	c, err := p.originate(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("controller: originate contact %d: %w", req.ContactID, err)
	}
	return c, nil
}

func (p *Pool) originate(ctx context.Context, req OriginateRequest) (*Call, error) {
	if req.UUID == "" {
		req.UUID = uuid.NewString()
	}
	args, err := originateArgs(req)
	if err != nil {
		return nil, err
	}
	g, err := p.sched.acquire(ctx, req)
	if err != nil {
		return nil, err
	}
	n, job := g.node, uuid.NewString()
	c, err := n.startCall(req, job, g.release)
	if err != nil {
		n.pending.Add(-1)
		g.release()
		return nil, err
	}
	if err := n.sendOriginate(ctx, c, args, job); err != nil {
		return nil, err
	}
	return c, nil
}

// startCall registers the call and starts its owner goroutine. release
// gives the lane's channel back when the call ends.
func (n *node) startCall(req OriginateRequest, job string, release func()) (*Call, error) {
	rec := CallRecord{
		UUID: req.UUID, JobUUID: job, Node: n.cfg.Name, State: StateDialing,
		Destination: destination(req),
		CampaignID:  req.CampaignID, ContactID: req.ContactID, AgentID: req.AgentID,
	}
	ring := req.Timeout
	if ring <= 0 {
		ring = defaultRing
	}
	var once sync.Once
	hooks := callHooks{
		log: n.log, clock: n.clock, stop: n.stop,
		created: func() { once.Do(func() { n.pending.Add(-1) }) },
		finished: func() {
			n.reg.remove(req.UUID, job)
			if release != nil {
				release()
			}
		},
		lostAfter: ring + 30*time.Second,
	}
	c := newCall(rec, hooks)
	if !n.reg.add(c, job) {
		return nil, fmt.Errorf("%w: uuid %s already in use", ErrInvalid, req.UUID)
	}
	go c.run(rec)
	return c, nil
}

// errPaced asks the originate to wait before writing (writeGuard).
type errPaced struct{ wait time.Duration }

func (e errPaced) Error() string { return "paced" }

// sendOriginate writes the bgapi with our Job-UUID header on an originate
// connection. The write guard is asked right before the bytes go out; if it
// says wait, the connection is released first, so no connection is ever
// held while pacing.
func (n *node) sendOriginate(ctx context.Context, c *Call, args, job string) error {
	cmd := "bgapi originate " + args + "\r\nJob-UUID: " + job
	for {
		conn := n.orig.pick()
		if conn == nil {
			c.deliver(abandonCall{})
			return fmt.Errorf("%w: %s", ErrNodeDown, n.cfg.Name)
		}
		r, err := conn.withTurn(ctx, func() (reply, error) {
			if wait := n.guard.admit(n.clock.Now()); wait > 0 {
				return reply{}, errPaced{wait}
			}
			return conn.sendLocked(cmd)
		})
		var paced errPaced
		switch {
		case errors.As(err, &paced):
			n.guardWaits.Add(1)
			if !sleepClock(ctx, n.clock, paced.wait) {
				c.deliver(abandonCall{})
				return ctx.Err()
			}
			continue
		case err != nil && errorIsUnsent(err):
			c.deliver(abandonCall{})
			return fmt.Errorf("node %s: %w", n.cfg.Name, err)
		case err != nil:
			n.log.Warn("originate outcome unknown, reconcile will decide", "call_uuid", c.uuid, "job_uuid", job, "err", err)
			return nil
		case !r.ok():
			c.deliver(abandonCall{})
			return fmt.Errorf("%w: bgapi originate: %s", ErrRejected, firstLine(r.Text))
		}
		return nil
	}
}

// sleepClock waits d on clk unless ctx ends first.
func sleepClock(ctx context.Context, clk clock.Clock, d time.Duration) bool {
	t := clk.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-ctx.Done():
		return false
	}
}

func destination(req OriginateRequest) string {
	if req.Endpoint != "" {
		return req.Endpoint
	}
	return req.Number
}

// originateArgs builds the originate arguments. Customer legs ignore early
// media, so a 183 with ringback is not taken for an answer and the ring
// timeout still applies. Every leg parks after a bridge ends, so moving
// one side (to the IVR, to another agent) never hangs up the other: the
// controller decides what happens to it.
func originateArgs(req OriginateRequest) (string, error) {
	leg := dialplan.Leg{Vars: []dialplan.Var{dialplan.OriginationUUID(req.UUID)}, Endpoint: req.Endpoint}
	vars := map[string]string{"park_after_bridge": "true"}
	if req.Endpoint == "" {
		if req.Gateway == "" || req.Number == "" {
			return "", fmt.Errorf("%w: need a gateway and number, or an endpoint", ErrInvalid)
		}
		leg.Endpoint = dialplan.GatewayEndpoint(req.Gateway, req.Number)
		vars["ignore_early_media"] = "true"
	}
	for k, v := range map[string]int64{"cc_campaign_id": req.CampaignID, "cc_contact_id": req.ContactID, "cc_agent_id": req.AgentID} {
		if v != 0 {
			vars[k] = strconv.FormatInt(v, 10)
		}
	}
	maps.Copy(vars, req.Vars)
	o := dialplan.Originate{
		Legs: []dialplan.Leg{leg}, Target: dialplan.Park(),
		CallerIDName: req.CallerIDName, CallerIDNumber: req.CallerIDNumber, Timeout: req.Timeout,
	}
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		o.Global = append(o.Global, dialplan.Var{Name: k, Value: vars[k]})
	}
	if req.App != "" {
		o.Target = dialplan.App(req.App, req.AppArgs)
	}
	return o.Args()
}
