package acd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
)

// convOf finds the conversation of a call for an agent's control: 403 when
// it is someone else's, 409 when it has ended for this agent.
func (d *Desk) convOf(ctx context.Context, agentID int64, uuid string) (*conversation, error) {
	var c *conversation
	var err error
	derr := d.do(ctx, func() {
		a := d.r.agents[agentID]
		if a != nil {
			a.lastSeen = d.r.now()
		}
		conv := d.r.convs[uuid]
		switch {
		case conv != nil && a != nil && a.conv == conv:
			c = conv
		case a != nil && a.acw != nil && a.acw.uuid == uuid:
			err = ErrCallEnded
		case conv != nil:
			err = ErrNotYourCall
		default:
			err = ErrNoSuchCall
		}
	})
	return c, errors.Join(derr, err)
}

// Control runs a call control of the agent on its call (the customer's
// leg uuid): hangup, hold, unhold, transfer {to}, consult {to}, conference.
func (d *Desk) Control(ctx context.Context, agentID int64, uuid, action, to string) error {
	c, err := d.convOf(ctx, agentID, uuid)
	if err != nil {
		return err
	}
	return c.send(ctx, convCmd{agentID: agentID, action: action, target: to})
}

func (c *conversation) send(ctx context.Context, cmd convCmd) error {
	cmd.reply = make(chan error, 1)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	select {
	case c.cmds <- cmd:
	case <-c.done:
		return ErrCallEnded
	case <-ctx.Done():
		return ErrBusy
	}
	select {
	case err := <-cmd.reply:
		return err
	case <-ctx.Done():
		return ErrBusy
	}
}

// Dispose is the agent's disposition of a call in after-call work: it
// closes the attempt (ConnectRequest.Finish, exactly once) and ends ACW.
func (d *Desk) Dispose(ctx context.Context, agentID int64, uuid string, disp dialer.Disposition) error {
	var fin func(context.Context, dialer.Disposition) error
	var acw *acwCall
	var err error
	derr := d.do(ctx, func() {
		a := d.r.agents[agentID]
		switch {
		case a == nil:
			err = ErrNotSignedIn
		case a.acw != nil && a.acw.uuid == uuid && a.acw.disposing:
			err = fmt.Errorf("%w: a disposition of this call is being stored", ErrBusy)
		case a.acw != nil && a.acw.uuid == uuid:
			acw = a.acw
			acw.disposing = true
			fin = acw.finish
		case a.callUUID == uuid && a.conv != nil:
			err = fmt.Errorf("%w: the call is still connected; hang up first", ErrNoDisposition)
		case d.r.convs[uuid] != nil:
			err = ErrNotYourCall
		default:
			err = ErrNoDisposition
		}
	})
	if err = errors.Join(derr, err); err != nil || acw == nil {
		return err
	}
	disp.AgentID, disp.EndedAt = agentID, acw.endedAt
	if fin != nil {
		err = fin(ctx, disp)
	}
	_ = d.do(context.WithoutCancel(ctx), func() { d.r.disposed(agentID, acw, err) })
	if err != nil {
		return fmt.Errorf("acd: close the attempt of %s: %w", uuid, err)
	}
	return nil
}

// disposed ends the agent's after-call work once the disposition is
// stored. A refused one (invalid) keeps the agent in ACW to correct it,
// unless ACWMax ran out meanwhile: then the call closes automatically.
func (r *router) disposed(agentID int64, c *acwCall, err error) {
	a := r.agents[agentID]
	if a == nil || a.acw != c {
		return
	}
	c.disposing = false
	switch {
	case err != nil && errors.Is(err, store.ErrInvalid) && !c.expired:
		return
	case err != nil && errors.Is(err, store.ErrInvalid):
		r.autoFinish(a)
	default: // stored, or failed for good (the reaper settles the attempt)
		a.acw = nil
		if c.timer != nil {
			c.timer.Stop()
		}
	}
	r.afterCall(a)
}

// Eavesdrop rings the supervisor's phone and joins it to the agent's leg of
// the call in the given mode.
func (d *Desk) Eavesdrop(ctx context.Context, supervisorID int64, uuid string, mode controller.EavesdropMode) (string, error) {
	u, err := d.cfg.Store.GetUser(ctx, supervisorID)
	if err != nil {
		return "", err
	}
	if u.Extension == nil || *u.Extension == "" {
		return "", ErrNoExtension
	}
	var c *conversation
	_ = d.do(ctx, func() { c = d.r.convs[uuid] })
	if c == nil {
		return "", ErrNoSuchCall
	}
	var agentLeg string
	if err := c.send(ctx, convCmd{action: actionAgentLeg, leg: &agentLeg, agentID: -1}); err != nil {
		return "", err
	}
	leg, err := d.cfg.Switch.Eavesdrop(ctx, controller.EavesdropRequest{TargetUUID: agentLeg, Endpoint: "user/" + *u.Extension,
		Mode: mode, CallerIDName: "monitor", AgentID: supervisorID})
	if err != nil {
		return "", fmt.Errorf("acd: eavesdrop: %w", err)
	}
	return leg.UUID(), nil
}

// Snapshot is the desk's live picture for GET /api/v1/monitor.
type Snapshot struct {
	Agents  []AgentView              `json:"agents"`
	ByState map[store.AgentState]int `json:"agents_by_state"`
	Queues  []QueueView              `json:"queues"`
	Calls   []CallView               `json:"calls"`
}

// QueueView is one group's waiting calls and reservations.
type QueueView struct {
	GroupID     int64 `json:"group_id"`
	Waiting     int   `json:"waiting"`
	LongestWait int64 `json:"longest_wait_s"`
}

// CallView is one conversation.
type CallView struct {
	CallUUID   string    `json:"call_uuid"`
	CampaignID int64     `json:"campaign_id"`
	AgentID    int64     `json:"agent_id"`
	Since      time.Time `json:"since"`
}

// Snapshot returns every signed-in agent, the queues and the calls.
func (d *Desk) Snapshot(ctx context.Context) (Snapshot, error) {
	s := Snapshot{Agents: []AgentView{}, ByState: map[store.AgentState]int{}, Queues: []QueueView{}, Calls: []CallView{}}
	err := d.do(ctx, func() {
		now := d.r.now()
		owner := map[*conversation]int64{}
		for _, a := range d.r.agents {
			s.Agents = append(s.Agents, d.r.view(a))
			s.ByState[a.state]++
			if a.conv != nil {
				owner[a.conv] = a.id
			}
		}
		queues := map[int64]*QueueView{}
		for _, w := range d.r.waiting {
			q := queues[w.group]
			if q == nil {
				q = &QueueView{GroupID: w.group}
				queues[w.group] = q
			}
			q.Waiting++
			if wait := int64(now.Sub(w.arrived).Seconds()); wait > q.LongestWait {
				q.LongestWait = wait
			}
		}
		for _, q := range queues {
			s.Queues = append(s.Queues, *q)
		}
		for id, c := range d.r.convs {
			s.Calls = append(s.Calls, CallView{CallUUID: id, CampaignID: c.req.CampaignID, AgentID: owner[c], Since: c.started})
		}
	})
	sortSnapshot(&s)
	return s, err
}

func sortSnapshot(s *Snapshot) {
	slices.SortFunc(s.Agents, func(a, b AgentView) int { return cmp.Compare(a.AgentID, b.AgentID) })
	slices.SortFunc(s.Queues, func(a, b QueueView) int { return cmp.Compare(a.GroupID, b.GroupID) })
	slices.SortFunc(s.Calls, func(a, b CallView) int { return a.Since.Compare(b.Since) })
}
