package acd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// convPhase is where a conversation stands.
type convPhase int

const (
	phaseConnecting   convPhase = iota // ringing the agent
	phaseTalking                       // customer bridged to the agent
	phaseHeld                          // the agent put the customer on hold
	phaseConsulting                    // the agent talks to a consult leg, customer on music
	phaseConference                    // three-way
	phaseTransferring                  // the customer waits on music for the next party
	phaseOutside                       // customer bridged to an outside number, no agent
	phaseEnded
)

// party is an agent on the call, with the leg that reaches the agent.
type party struct {
	agentID int64
	leg     controller.Leg
	nailed  bool // the agent's persistent leg: parked, not hung up, when the call leaves it
	// cancel ends the search of a group consult not yet found (consult_group.go).
	cancel context.CancelFunc
}

// conversation owns one customer and every leg joined to them. Only its
// goroutine (run) touches its fields after start.
type conversation struct {
	d        *Desk
	req      dialer.ConnectRequest
	customer controller.Leg
	uuid     string
	phase    convPhase
	agent    *party
	consult  *party         // consult target agent, or nil
	other    controller.Leg // the consult or transfer leg to an outside number
	finish   func(context.Context, dialer.Disposition) error
	cmds     chan convCmd
	result   chan connectResult // the first connect's outcome, for Connect
	started  time.Time
	custGone bool
	bridged  bool // a bridge event seen on the customer's leg since the last intended unbridge
	// recording is set once the customer's recording has started.
	recording bool
	// internal events from helper goroutines
	inner chan func()
	// mode tells the offer which path the call came by.
	mode feed.OfferMode
	// verify is the IVR verification in progress (verify.go), or nil.
	verify *verifyRun
	done   chan struct{} // closed when the loop returns
}

type connectResult struct {
	conn dialer.Connection
	err  error
}

// convCmd is a call control from the agent's desktop.
type convCmd struct {
	agentID int64
	action  string
	target  string
	reply   chan error
	leg     *string // agentLeg query: the agent's leg uuid
}

var errAgentMissed = errors.New("acd: the agent's phone did not answer")

// Connect hands an answered customer leg to the desk (dialer.Desk).
func (d *Desk) Connect(ctx context.Context, req dialer.ConnectRequest) (dialer.Connection, error) {
	dctx, cancel := d.deadline(ctx, req.Deadline)
	defer cancel()
	mode := feed.OfferPredictive
	if req.Reservation != nil {
		mode = feed.OfferProgressive
	}
	if req.CallbackID != 0 {
		mode = feed.OfferCallback
	}
	if req.CampaignID == 0 && req.Reservation == nil {
		mode = feed.OfferInbound
	}
	for {
		res := req.Reservation
		if res == nil {
			w := &waiter{group: req.GroupID, node: req.Leg.Node(), purpose: "connect", callUUID: req.Leg.UUID(),
				grant: make(chan dialer.Reservation, 1), need: needOf(req.Skill, req.MinLevel)}
			r, err := d.waitInQueue(dctx, req, w)
			if err != nil {
				return dialer.Connection{}, connectErr(ctx, err)
			}
			res = &r
		}
		c := &conversation{d: d, req: req, customer: req.Leg, uuid: req.Leg.UUID(), finish: req.Finish,
			cmds: make(chan convCmd), result: make(chan connectResult, 1), inner: make(chan func(), 8), mode: mode,
			done: make(chan struct{})}
		conn, err := c.start(dctx, *res)
		if err == nil {
			return conn, nil
		}
		if errors.Is(err, errAgentMissed) && req.Reservation == nil && dctx.Err() == nil {
			continue // another agent may take it
		}
		return dialer.Connection{}, connectErr(ctx, err)
	}
}

// connectErr maps a wait that ran out to ErrNoAgent.
func connectErr(parent context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		if parent.Err() != nil {
			return parent.Err()
		}
		return dialer.ErrNoAgent
	}
	if errors.Is(err, errAgentMissed) {
		return dialer.ErrNoAgent
	}
	return err
}

// deadline is ctx ending at t by the desk's clock (zero t: no deadline).
func (d *Desk) deadline(ctx context.Context, t time.Time) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	if t.IsZero() {
		return ctx, cancel
	}
	timer := d.clock.AfterFunc(t.Sub(d.clock.Now()), cancel)
	return ctx, func() { timer.Stop(); cancel() }
}

// start attaches the conversation to the reserved agent and runs it; it
// returns when the agent is bridged to the customer, or why not.
func (c *conversation) start(ctx context.Context, res dialer.Reservation) (dialer.Connection, error) {
	var p *party
	var err error
	c.started = c.d.clock.Now()
	derr := c.d.do(ctx, func() {
		a := c.d.r.agents[res.AgentID]
		if a == nil || a.resID != res.ID || a.conv != nil {
			err = ErrNoReservation
			return
		}
		a.conv = c
		a.callUUID = c.uuid
		c.d.r.convs[c.uuid] = c
		p = &party{agentID: a.id}
		if a.nailed != nil {
			p.leg, p.nailed = a.nailed, true
		}
	})
	if err = errors.Join(derr, err); err != nil {
		return dialer.Connection{}, err
	}
	go c.run(ctx, p, res)
	r := <-c.result
	return r.conn, r.err
}

// run is the conversation's goroutine.
func (c *conversation) run(ctx context.Context, p *party, res dialer.Reservation) {
	conn, err := c.join(ctx, p, res.Node, c.mode)
	c.result <- connectResult{conn, err}
	if err != nil {
		close(c.done)
		c.d.post(func() { delete(c.d.r.convs, c.uuid) })
		return
	}
	c.loop()
}

// join rings the agent (or uses the nailed-up leg) and bridges the customer
// to the agent; on failure the agent is given back and the customer leg is
// left as it was.
func (c *conversation) join(ctx context.Context, p *party, node string, mode feed.OfferMode) (dialer.Connection, error) {
	if node == "" {
		node = c.customer.Node()
	}
	c.offer(p.agentID, mode)
	if p.leg == nil {
		leg, err := c.ringAgent(ctx, p.agentID, node)
		if err != nil {
			c.giveBack(p, store.AgentBreak)
			return dialer.Connection{}, err
		}
		p.leg = leg
		select {
		case <-leg.Answered():
		case <-leg.Done():
			c.giveBack(p, store.AgentBreak)
			return dialer.Connection{}, fmt.Errorf("%w (%s)", errAgentMissed, leg.Record().HangupCause)
		case <-c.customer.Done():
			c.drop(p)
			c.giveBack(p, store.AgentReady)
			return dialer.Connection{}, dialer.ErrCustomerGone
		case <-ctx.Done():
			c.drop(p)
			c.giveBack(p, store.AgentReady)
			return dialer.Connection{}, ctx.Err()
		}
	}
	select {
	case <-c.customer.Done():
		c.drop(p)
		c.giveBack(p, store.AgentReady)
		return dialer.Connection{}, dialer.ErrCustomerGone
	default:
	}
	if err := c.d.cfg.Switch.Bridge(context.Background(), c.customer.UUID(), p.leg.UUID()); err != nil {
		c.drop(p)
		c.giveBack(p, store.AgentReady)
		select {
		case <-c.customer.Done():
			return dialer.Connection{}, dialer.ErrCustomerGone
		default:
		}
		return dialer.Connection{}, fmt.Errorf("acd: bridge %s to agent %d: %w", c.uuid, p.agentID, err)
	}
	c.agent = p
	c.phase = phaseTalking
	// Recording starts before the agent is shown on the call, so nothing
	// the agent says goes unrecorded however slow the switch answers; it
	// is started once per customer (a transfer's agent joins it).
	if !c.recording {
		c.recording = true
		if started, ok := c.startRecording(); ok {
			go c.keepRecording(p.agentID, started)
		}
	}
	now := c.d.clock.Now()
	c.d.post(func() {
		if a := c.d.r.agents[p.agentID]; a != nil && a.conv == c {
			c.d.r.setState(a, store.AgentOnCall, "", c.uuid)
		}
	})
	c.callEvent(p.agentID, feed.CallConnected, "")
	return dialer.Connection{AgentID: p.agentID, AgentLeg: p.leg.UUID(), ConnectedAt: now}, nil
}

// ringAgent originates the agent's leg on the node the customer is on.
func (c *conversation) ringAgent(ctx context.Context, agentID int64, node string) (controller.Leg, error) {
	var ext string
	_ = c.d.do(ctx, func() {
		if a := c.d.r.agents[agentID]; a != nil {
			ext = a.ext
		}
	})
	if ext == "" {
		return nil, ErrNotSignedIn
	}
	leg, err := c.d.cfg.Switch.Originate(ctx, controller.OriginateRequest{Endpoint: "user/" + ext, Node: node,
		Timeout: c.d.cfg.AgentRing, AgentID: agentID, CampaignID: 0, ContactID: c.req.ContactID,
		CallerIDName: "callcenter", CallerIDNumber: "0", Vars: map[string]string{"cc_customer_uuid": c.uuid}})
	if err != nil {
		return nil, fmt.Errorf("%w: originate: %v", errAgentMissed, err)
	}
	c.noteRinging(agentID, leg.UUID()) // for the answer button (manual.go)
	return leg, nil
}

// drop ends an agent's leg for this call: a rung leg is hung up, a nailed-up
// leg is left parked for the next call.
func (c *conversation) drop(p *party) {
	if p == nil || p.leg == nil || p.nailed {
		return
	}
	_ = c.d.cfg.Switch.Hangup(context.Background(), p.leg.UUID(), "NORMAL_CLEARING")
}

// giveBack returns an agent the call never reached: ready, or on a break
// when the phone did not answer (an agent away from the desk gets no more
// calls until back).
func (c *conversation) giveBack(p *party, to store.AgentState) {
	c.d.post(func() {
		a := c.d.r.agents[p.agentID]
		if a == nil || (a.conv != c && a.conv != nil) {
			return
		}
		a.conv, a.resID, a.preview = nil, "", nil
		if to == store.AgentBreak && a.signOutWhy == "" {
			c.d.r.setState(a, store.AgentBreak, "other", "")
			return
		}
		c.d.r.afterCall(a)
	})
}

// toACW sends an agent who has left the call to after-call work; finish is
// the attempt's closing when the call leaves the centre with this agent.
func (c *conversation) toACW(p *party, finish func(context.Context, dialer.Disposition) error) {
	c.callEvent(p.agentID, feed.CallEnded, "")
	c.d.post(func() {
		a := c.d.r.agents[p.agentID]
		if a == nil || a.conv != c {
			if finish != nil {
				go c.autoFinish(p.agentID, finish)
			}
			return
		}
		c.d.r.startACW(a, c.uuid, finish)
	})
}

func (c *conversation) autoFinish(agentID int64, finish func(context.Context, dialer.Disposition) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := finish(ctx, dialer.Disposition{AgentID: agentID, Auto: true, EndedAt: c.d.clock.Now()}); err != nil {
		c.d.log.Error("acd: automatic disposition", "call", c.uuid, "err", err)
	}
}

// offer tells the agent a call is coming.
func (c *conversation) offer(agentID int64, mode feed.OfferMode) {
	o := feed.Offer{CallUUID: c.uuid, CampaignID: c.req.CampaignID, Mode: mode, AttemptID: c.req.AttemptID,
		Contact: c.contactFor(agentID), ScriptID: c.scriptID()}
	c.d.publish(feed.OfferEvent(agentID, o))
}

// scriptID is the campaign's script (0: none), so that the agent's desktop
// opens the script panel only for calls that have one.
func (c *conversation) scriptID() int64 {
	if c.req.CampaignID == 0 {
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	camp, err := c.d.cfg.Store.GetCampaign(ctx, c.req.CampaignID)
	if err != nil || camp.ScriptID == nil {
		return 0
	}
	return *camp.ScriptID
}

// contactFor loads the call's contact, masked unless the agent may see
// identifiers.
func (c *conversation) contactFor(agentID int64) *store.Contact {
	if c.req.ContactID == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ct, err := c.d.cfg.Store.GetContact(ctx, c.req.ContactID)
	if err != nil {
		return nil
	}
	if u, err := c.d.cfg.Store.GetUser(ctx, agentID); err != nil || !u.Can(store.PermPIIView) {
		ct.Phone, ct.AltPhone = maskPhone(ct.Phone), maskPhone(ct.AltPhone)
		if ct.IDNumber != "" {
			ct.IDNumber = maskPhone(ct.IDNumber)
		}
	}
	return ct
}

func (c *conversation) callEvent(agentID int64, st feed.CallStatus, cause string) {
	c.d.publish(feed.CallEvent(feed.Call{CallUUID: c.uuid, CampaignID: c.req.CampaignID, AgentID: agentID,
		Status: st, Since: c.d.clock.Now(), Cause: cause}))
}
