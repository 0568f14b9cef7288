package acd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/store"
)

// SignInRequest signs an agent's softphone in.
type SignInRequest struct {
	AgentID       int64
	AuthSessionID int64 // the desktop login
	DesktopAt     *time.Time
	Mode          store.SoftphoneMode // registered (default) or nailed_up
	// Ready makes the agent ready at once; otherwise the agent starts on a
	// break with BreakReason (default "other").
	Ready       bool
	BreakReason string
}

// AgentView is an agent as the desk sees it now.
type AgentView struct {
	AgentID   int64               `json:"agent_id"`
	Name      string              `json:"name"`
	Extension string              `json:"extension"`
	Node      string              `json:"node"`
	Mode      store.SoftphoneMode `json:"mode"`
	SessionID int64               `json:"session_id"`
	State     store.AgentState    `json:"state"`
	Reason    string              `json:"reason,omitempty"`
	CallUUID  string              `json:"call_uuid,omitempty"`
	Since     time.Time           `json:"since"`
	SinceS    int64               `json:"time_in_state_s"`
	GroupIDs  []int64             `json:"group_ids"`
	// Next is the state after-call work ends in, when the agent chose one.
	Next       store.AgentState `json:"next,omitempty"`
	NextReason string           `json:"next_reason,omitempty"`
	// Disposition is true while a call waits for the agent's disposition.
	Disposition string `json:"disposition_call_uuid,omitempty"`
	// Verify is the latest IVR verification of the call (R11).
	Verify *VerifyView `json:"verify,omitempty"`
}

func (r *router) view(a *agent) AgentView {
	v := AgentView{AgentID: a.id, Name: a.name, Extension: a.ext, Node: a.node, Mode: a.mode, SessionID: a.session,
		State: a.state, Reason: a.reason, CallUUID: a.callUUID, Since: a.since, SinceS: int64(r.now().Sub(a.since).Seconds()),
		GroupIDs: a.groups, Next: a.next, NextReason: a.nextReason, Verify: verifyOf(a)}
	if a.acw != nil {
		v.Disposition = a.acw.uuid
	}
	return v
}

// SignIn checks the agent's extension is registered (or opens the nailed-up
// leg), records the session and the first state, and puts the agent in the
// router.
func (d *Desk) SignIn(ctx context.Context, req SignInRequest) (AgentView, error) {
	select {
	case <-d.started:
	case <-ctx.Done():
		return AgentView{}, ctx.Err()
	}
	select {
	case <-d.stop:
		return AgentView{}, ErrStopped
	default:
	}
	u, err := d.cfg.Store.GetUser(ctx, req.AgentID)
	if err != nil {
		return AgentView{}, fmt.Errorf("acd: sign in: %w", err)
	}
	if u.Extension == nil || *u.Extension == "" {
		return AgentView{}, ErrNoExtension
	}
	ext := *u.Extension
	if req.Mode == "" {
		req.Mode = store.SoftphoneRegistered
	}
	first := store.FirstState{State: store.AgentReady}
	if !req.Ready {
		if req.BreakReason == "" {
			req.BreakReason = "other"
		}
		if _, err := d.cfg.Store.GetBreakReason(ctx, req.BreakReason); err != nil {
			return AgentView{}, fmt.Errorf("%w %q", ErrUnknownReason, req.BreakReason)
		}
		first = store.FirstState{State: store.AgentBreak, Reason: req.BreakReason}
	}
	for _, g := range u.Groups {
		first.GroupIDs = append(first.GroupIDs, g.ID)
	}
	if _, err := d.cfg.Store.OpenAgentSessionOf(ctx, u.ID); err == nil {
		return AgentView{}, ErrSignedIn
	}
	node, ok := d.cfg.Switch.Locate(ctx, ext)
	if !ok {
		return AgentView{}, fmt.Errorf("%w: %s", ErrNotRegistered, ext)
	}
	var nailed controller.Leg
	if req.Mode == store.SoftphoneNailedUp {
		if nailed, err = d.nailUp(ctx, u, ext, node); err != nil {
			return AgentView{}, err
		}
	}
	sess := &store.AgentSession{AgentID: u.ID, AuthSessionID: req.AuthSessionID, DesktopLoginAt: req.DesktopAt,
		Extension: ext, Mode: req.Mode, SignedInAt: d.clock.Now()}
	if err := d.cfg.Store.OpenAgentSession(ctx, sess, first); err != nil {
		d.dropLeg(nailed)
		if errors.Is(err, store.ErrConflict) {
			return AgentView{}, ErrSignedIn
		}
		return AgentView{}, err
	}
	a := &agent{id: u.ID, name: u.DisplayName, ext: ext, node: node, groups: first.GroupIDs, level: u.Level, skills: store.SkillList(u.Skills), session: sess.ID,
		mode: req.Mode, nailed: nailed, state: first.State, reason: first.Reason, since: sess.SignedInAt}
	if a.name == "" {
		a.name = u.Username
	}
	var view AgentView
	err = d.do(ctx, func() {
		a.lastSeen, a.idleSince = d.r.now(), d.r.now()
		d.r.agents[a.id] = a
		d.publishState(a)
		if nailed != nil {
			go d.watchNailed(a.id, nailed)
		}
		if a.state == store.AgentReady {
			d.r.dispatch()
		}
		view = d.r.view(a)
	})
	if err != nil {
		d.dropLeg(nailed)
	}
	d.log.Info("acd: softphone signed in", "agent", a.id, "extension", ext, "node", node, "mode", req.Mode)
	return view, err
}

// publishState tells the agent and the monitor where the agent stands
// (the first state of a session is recorded by the store with the session).
func (d *Desk) publishState(a *agent) {
	d.publishStateOf(a)
	d.r.notify(a, store.AgentSignedOut, a.state, a.since)
}

// nailUp rings the agent's phone once and keeps the answered leg parked
// between calls.
func (d *Desk) nailUp(ctx context.Context, u *store.User, ext, node string) (controller.Leg, error) {
	leg, err := d.cfg.Switch.Originate(ctx, controller.OriginateRequest{Endpoint: "user/" + ext, Node: node,
		Timeout: d.cfg.AgentRing, AgentID: u.ID, CallerIDName: "callcenter", CallerIDNumber: "0",
		Vars: map[string]string{"cc_agent_leg": "nailed"}})
	if err != nil {
		return nil, fmt.Errorf("acd: nailed-up leg to %s: %w", ext, err)
	}
	select {
	case <-leg.Answered():
		return leg, nil
	case <-leg.Done():
		return nil, fmt.Errorf("acd: nailed-up leg to %s not answered (%s)", ext, leg.Record().HangupCause)
	case <-ctx.Done():
		d.dropLeg(leg)
		return nil, ctx.Err()
	}
}

func (d *Desk) dropLeg(leg controller.Leg) {
	if leg == nil {
		return
	}
	_ = d.cfg.Switch.Hangup(context.Background(), leg.UUID(), "NORMAL_CLEARING")
}

// watchNailed notices the nailed-up leg ending (the agent hung the phone
// up): calls then ring the phone as in registered mode.
func (d *Desk) watchNailed(agentID int64, leg controller.Leg) {
	<-leg.Done()
	d.post(func() {
		if a := d.r.agents[agentID]; a != nil && a.nailed == leg {
			a.nailed = nil
			d.log.Info("acd: nailed-up leg ended; calls will ring the phone", "agent", agentID)
		}
	})
}

// SignOut signs the agent's softphone out; refused while on a call.
func (d *Desk) SignOut(ctx context.Context, agentID int64) error {
	var err error
	derr := d.do(ctx, func() {
		a := d.r.agents[agentID]
		switch {
		case a == nil:
			err = ErrNotSignedIn
		case a.busy():
			err = &StateError{From: a.state, To: store.AgentSignedOut, Why: "finish the call first"}
		default:
			d.r.signOut(a, store.EndSignOut, 0)
		}
	})
	return errors.Join(derr, err)
}

// ForceSignOut is a supervisor's sign-out of an agent: at once, or when
// the agent's call ends.
func (d *Desk) ForceSignOut(ctx context.Context, agentID, by int64) (deferred bool, err error) {
	derr := d.do(ctx, func() {
		a := d.r.agents[agentID]
		switch {
		case a == nil:
			err = ErrNotSignedIn
		case a.busy():
			a.signOutWhy, a.signOutBy, deferred = store.EndForced, by, true
		default:
			d.r.signOut(a, store.EndForced, by)
		}
	})
	return deferred, errors.Join(derr, err)
}

// DesktopGone signs out the agent whose desktop session ended (logout,
// revocation), unless on a call (then the lost sweep does it after).
func (d *Desk) DesktopGone(ctx context.Context, agentID int64) {
	_ = d.do(ctx, func() {
		if a := d.r.agents[agentID]; a != nil && !a.busy() {
			d.r.signOut(a, store.EndDesktopLogout, 0)
		}
	})
}

// Touch notes that the agent's desktop is alive (a request or an open
// event stream); the lost sweep signs out agents not touched for LostAfter.
func (d *Desk) Touch(agentID int64) {
	d.post(func() {
		if a := d.r.agents[agentID]; a != nil {
			a.lastSeen = d.r.now()
		}
	})
}

// Agent returns the agent's current view (ErrNotSignedIn if not signed in).
func (d *Desk) Agent(ctx context.Context, agentID int64) (AgentView, error) {
	var v AgentView
	var err error
	derr := d.do(ctx, func() {
		a := d.r.agents[agentID]
		if a == nil {
			err = ErrNotSignedIn
			return
		}
		a.lastSeen = d.r.now()
		v = d.r.view(a)
	})
	return v, errors.Join(derr, err)
}

// SetState is the agent's own state change: ready, break (with a reason),
// acw, ready_after_acw. During a call and its after-call work ready and
// break choose the state that work ends in.
func (d *Desk) SetState(ctx context.Context, agentID int64, to store.AgentState, reason string) (AgentView, error) {
	if to == store.AgentBreak {
		if _, err := d.cfg.Store.GetBreakReason(ctx, reason); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return AgentView{}, fmt.Errorf("%w %q", ErrUnknownReason, reason)
			}
			return AgentView{}, err
		}
	}
	var v AgentView
	var err error
	derr := d.do(ctx, func() {
		a := d.r.agents[agentID]
		if a == nil {
			err = &StateError{From: store.AgentSignedOut, To: to, Why: "sign the softphone in first"}
			return
		}
		a.lastSeen = d.r.now()
		err = d.r.change(a, to, reason)
		v = d.r.view(a)
	})
	return v, errors.Join(derr, err)
}

// inCall: a call is offered to, connected to or held by the agent.
func inCall(s store.AgentState) bool {
	return s == store.AgentReserved || s == store.AgentOnCall || s == store.AgentHold
}

// ReadyAfterACW is the api's "ready_after_acw": ready once after-call work ends.
const ReadyAfterACW store.AgentState = "ready_after_acw"

func (r *router) change(a *agent, to store.AgentState, reason string) error {
	from := a.state
	switch {
	case from == store.AgentACW && (to == store.AgentReady || to == ReadyAfterACW):
		a.next, a.nextReason = store.AgentReady, ""
	case from == store.AgentACW && to == store.AgentBreak:
		a.next, a.nextReason = store.AgentBreak, reason
	case from == store.AgentACW && to == store.AgentACW:
	case to == store.AgentReady && (from == store.AgentBreak || from == store.AgentReady):
		if from == store.AgentBreak {
			r.setState(a, store.AgentReady, "", "")
		}
	case to == store.AgentBreak && (from == store.AgentReady || from == store.AgentBreak):
		if from != store.AgentBreak || a.reason != reason {
			r.setState(a, store.AgentBreak, reason, "")
		}
	case inCall(from) && to == store.AgentBreak:
		// A break asked for during a call starts when the call's work is
		// done, so no further call is offered after this one.
		a.next, a.nextReason = store.AgentBreak, reason
	case inCall(from) && (to == store.AgentReady || to == ReadyAfterACW):
		a.next, a.nextReason = store.AgentReady, "" // takes back a break asked for
	default:
		return &StateError{From: from, To: to}
	}
	return nil
}
