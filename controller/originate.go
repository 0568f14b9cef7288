package controller

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bankcc/callcenter/dialplan"
	"github.com/google/uuid"
)

// defaultRing is FreeSWITCH's own originate timeout.
const defaultRing = 60 * time.Second

// Originate dials one leg with `bgapi originate` on the node with the most
// headroom and returns as soon as FreeSWITCH has accepted the job; the
// Call then follows the leg's events. The leg's uuid and the job's uuid are
// ours and registered before the command goes out, so no event is missed.
//
// An error means the leg was certainly not dialed. When the outcome is
// unknown (the reply was lost), the Call is returned without error and the
// reconnect reconciliation decides whether it lives: a call is never dialed
// twice by the controller.
func (p *Pool) Originate(ctx context.Context, req OriginateRequest) (*Call, error) {
	if req.UUID == "" {
		req.UUID = uuid.NewString()
	}
	args, err := originateArgs(req)
	if err != nil {
		return nil, fmt.Errorf("controller: originate contact %d: %w", req.ContactID, err)
	}
	n, err := p.pick(ctx, req.Node)
	if err != nil {
		return nil, fmt.Errorf("controller: originate contact %d: %w", req.ContactID, err)
	}
	job := uuid.NewString()
	c, err := n.startCall(req, job)
	if err != nil {
		n.pending.Add(-1)
		return nil, fmt.Errorf("controller: originate contact %d: %w", req.ContactID, err)
	}
	if err := n.sendOriginate(ctx, c, args, job); err != nil {
		return nil, fmt.Errorf("controller: originate contact %d: %w", req.ContactID, err)
	}
	return c, nil
}

// startCall registers the call and starts its owner goroutine.
func (n *node) startCall(req OriginateRequest, job string) (*Call, error) {
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
		log: n.log, rec: n.rec, stop: n.stop,
		created:   func() { once.Do(func() { n.pending.Add(-1) }) },
		finished:  func() { n.reg.remove(req.UUID, job) },
		lostAfter: ring + 30*time.Second,
	}
	c := newCall(rec, hooks)
	if !n.reg.add(c, job) {
		return nil, fmt.Errorf("%w: uuid %s already in use", ErrInvalid, req.UUID)
	}
	go c.run(rec)
	return c, nil
}

// sendOriginate writes the bgapi with our Job-UUID header while holding the
// command slot, after the pacer's last check, so the spacing FreeSWITCH
// sees is the spacing we allowed.
func (n *node) sendOriginate(ctx context.Context, c *Call, args, job string) error {
	conn := n.cmds.pick()
	if conn == nil {
		c.deliver(abandonCall{})
		return fmt.Errorf("%w: %s", ErrNodeDown, n.cfg.Name)
	}
	cmd := "bgapi originate " + args + "\r\nJob-UUID: " + job
	r, err := conn.withTurn(ctx, func() (reply, error) {
		n.pace.beforeWrite()
		return conn.sendLocked(cmd)
	})
	switch {
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
