package acd

import (
	"context"
	"slices"
	"time"

	"github.com/bankcc/callcenter/clock"
	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
	"github.com/google/uuid"
)

// agent is one signed-in agent, owned by the router goroutine.
type agent struct {
	id        int64
	name      string
	ext       string
	node      string
	groups    []int64
	level     int      // store.User.Level: calls may need a minimum level
	skills    []string // store.User.Skills: calls may need one of them
	session   int64
	mode      store.SoftphoneMode
	nailed    controller.Leg // the persistent agent leg (nailed_up mode), nil otherwise
	state     store.AgentState
	reason    string
	since     time.Time
	idleSince time.Time // when the agent last became ready: longest idle first
	callUUID  string
	resID     string
	conv      *conversation
	acw       *acwCall
	// next is the state after-call work ends in (ready or break).
	next       store.AgentState
	nextReason string
	lastSeen   time.Time
	preview    *previewWait
	// signOutBy is a forced sign-out waiting for the call to end.
	signOutWhy store.SessionEnd
	signOutBy  int64
	// verify is the latest IVR verification of the agent's call (verify.go).
	verify *VerifyView
	// ringing is the agent leg last rung for the agent's call (manual.go).
	ringing string
}

func (a *agent) inGroup(g int64) bool { return slices.Contains(a.groups, g) }

// busy reports whether the agent is in a call's hands.
func (a *agent) busy() bool {
	return a.state == store.AgentReserved || a.state == store.AgentOnCall || a.state == store.AgentHold || a.conv != nil
}

// acwCall is a call the agent must close with a disposition.
type acwCall struct {
	uuid    string
	finish  func(ctx context.Context, d dialer.Disposition) error
	timer   clock.Timer
	endedAt time.Time
	// disposing: the agent's disposition is being stored; ACW ends only
	// when the store has taken it (a refusal leaves the agent in ACW).
	disposing bool
	expired   bool // ACWMax passed while disposing
}

type previewWait struct {
	resID  string
	choice chan dialer.PreviewChoice
	offer  dialer.PreviewOffer
}

// waiter is a Reserve or a queued Connect waiting for an agent.
type waiter struct {
	group       int64
	prefer      int64
	preferUntil time.Time
	node        string // only agents registered here ("" any)
	arrived     time.Time
	purpose     string
	callUUID    string
	need        need                    // skill or level the call requires (routing.go)
	grant       chan dialer.Reservation // buffered 1
	granted     *dialer.Reservation
	timer       clock.Timer
}

type router struct {
	d        *Desk
	agents   map[int64]*agent
	waiting  []*waiter
	convs    map[string]*conversation // by the customer's uuid
	watchers map[*watcher]struct{}
	regs     map[string]string     // extension -> node, from registration events
	grants   map[int64][]time.Time // per group, when its last queued customers got agents (queue.go)
}

func newRouter(d *Desk) *router {
	return &router{d: d, agents: map[int64]*agent{}, convs: map[string]*conversation{},
		watchers: map[*watcher]struct{}{}, regs: map[string]string{}, grants: map[int64][]time.Time{}}
}

func (r *router) now() time.Time { return r.d.clock.Now() }

// setState moves an agent, records it and tells the agent, the monitor and
// the group's watchers.
func (r *router) setState(a *agent, st store.AgentState, reason, callUUID string) {
	from := a.state
	now := r.now()
	a.state, a.reason, a.callUUID, a.since = st, reason, callUUID, now
	if st == store.AgentReady {
		a.idleSince = now
	}
	r.d.jr.state(store.AgentStateChange{AgentID: a.id, SessionID: a.session, State: st, Reason: reason,
		CallUUID: callUUID, At: now, GroupIDs: a.groups})
	r.d.publishStateOf(a)
	r.notify(a, from, st, now)
	if st == store.AgentReady {
		r.dispatch()
	}
}

// dispatch gives waiting calls and reservations to ready agents, in the
// order they arrived.
func (r *router) dispatch() {
	for i := 0; i < len(r.waiting); {
		w := r.waiting[i]
		a := r.pick(w)
		if a == nil {
			i++
			continue
		}
		r.waiting = slices.Delete(r.waiting, i, i+1)
		r.grant(w, a)
	}
}

// pick chooses the agent for a waiter: the preferred agent (waited for
// until preferUntil), else the longest-idle ready agent of the group on the
// waiter's node.
func (r *router) pick(w *waiter) *agent {
	if w.prefer != 0 {
		if a := r.agents[w.prefer]; a != nil && r.fits(a, w) {
			return a
		}
		if r.now().Before(w.preferUntil) {
			return nil
		}
	}
	var best *agent
	for _, a := range r.agents {
		if !r.fits(a, w) {
			continue
		}
		if best == nil || a.idleSince.Before(best.idleSince) || (a.idleSince.Equal(best.idleSince) && a.id < best.id) {
			best = a
		}
	}
	return best
}

func (r *router) grant(w *waiter, a *agent) {
	res := dialer.Reservation{ID: uuid.NewString(), AgentID: a.id, Extension: a.ext, Node: a.node}
	a.resID = res.ID
	if w.timer != nil {
		w.timer.Stop()
	}
	w.granted = &res
	r.noteGrant(w)
	r.setState(a, store.AgentReserved, "", w.callUUID)
	w.grant <- res
}

// enqueue adds a waiter and tries to serve it at once.
func (r *router) enqueue(w *waiter) {
	w.arrived = r.now()
	r.waiting = append(r.waiting, w)
	if w.prefer != 0 && w.preferUntil.After(w.arrived) {
		w.timer = r.d.clock.AfterFunc(w.preferUntil.Sub(w.arrived), func() { r.d.post(r.dispatch) })
	}
	r.dispatch()
}

// withdraw takes a waiter back (its caller gave up); a grant that raced
// the caller's give-up is released.
func (r *router) withdraw(w *waiter) {
	if i := slices.Index(r.waiting, w); i >= 0 {
		r.waiting = slices.Delete(r.waiting, i, i+1)
		if w.timer != nil {
			w.timer.Stop()
		}
		return
	}
	if w.granted != nil {
		r.release(w.granted.ID, "withdrawn")
	}
}

// release gives a reserved agent back to ready.
func (r *router) release(resID, why string) bool {
	for _, a := range r.agents {
		if a.resID == resID && a.state == store.AgentReserved && a.conv == nil {
			a.resID, a.preview = "", nil
			r.afterCall(a)
			return true
		}
	}
	return false
}

// afterCall puts an agent whose call work is over where it goes next: a
// pending forced sign-out, a requested break, else ready.
func (r *router) afterCall(a *agent) {
	if a.signOutWhy != "" {
		r.signOut(a, a.signOutWhy, a.signOutBy)
		return
	}
	next, reason := a.next, a.nextReason
	a.next, a.nextReason = "", ""
	if next == store.AgentBreak {
		r.setState(a, store.AgentBreak, reason, "")
		return
	}
	r.setState(a, store.AgentReady, "", "")
}

// signOut ends an agent's session now.
func (r *router) signOut(a *agent, why store.SessionEnd, by int64) {
	if a.acw != nil {
		r.autoFinish(a)
	}
	now := r.now()
	from := a.state
	delete(r.agents, a.id)
	if a.nailed != nil {
		leg := a.nailed
		go func() { _ = r.d.cfg.Switch.Hangup(context.Background(), leg.UUID(), "NORMAL_CLEARING") }()
	}
	if a.preview != nil {
		close(a.preview.choice)
	}
	r.d.jr.signOut(a.session, now, why, by)
	r.d.publish(feed.StateEvent(feed.State{AgentID: a.id, AgentName: a.name, State: store.AgentSignedOut, Since: now, GroupIDs: a.groups}))
	r.notify(a, from, store.AgentSignedOut, now)
	r.d.log.Info("acd: softphone signed out", "agent", a.id, "why", why)
}

func (r *router) signOutAll(why store.SessionEnd) {
	for _, a := range r.agents {
		r.signOut(a, why, 0)
	}
}

// sweepLost signs out agents nobody has seen for LostAfter (the browser
// closed without signing out); agents on a call wait for it to end.
func (r *router) sweepLost() {
	cut := r.now().Add(-r.d.cfg.LostAfter)
	for _, a := range r.agents {
		if a.lastSeen.Before(cut) && !a.busy() && a.acw == nil {
			r.signOut(a, store.EndLost, 0)
		}
	}
}

func (r *router) registered(ext, node string) {
	r.regs[ext] = node
	for _, a := range r.agents {
		if a.ext == ext && a.nailed == nil {
			a.node = node
		}
	}
}

func (r *router) unregistered(ext string) {
	delete(r.regs, ext)
	for _, a := range r.agents {
		if a.ext == ext && a.nailed == nil && !a.busy() && a.acw == nil {
			r.signOut(a, store.EndLost, 0)
		}
	}
}

// autoFinish closes the agent's call with an automatic disposition.
func (r *router) autoFinish(a *agent) {
	c := a.acw
	a.acw = nil
	if c.timer != nil {
		c.timer.Stop()
	}
	if c.finish == nil {
		return
	}
	disp := dialer.Disposition{AgentID: a.id, Auto: true, EndedAt: c.endedAt}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.finish(ctx, disp); err != nil {
			r.d.log.Error("acd: automatic disposition", "call", c.uuid, "agent", a.id, "err", err)
		}
	}()
}

// startACW begins after-call work for the agent's ended call.
func (r *router) startACW(a *agent, callUUID string, finish func(context.Context, dialer.Disposition) error) {
	a.conv, a.resID = nil, ""
	if a.acw != nil { // an earlier call still open: close it automatically
		r.autoFinish(a)
	}
	c := &acwCall{uuid: callUUID, finish: finish, endedAt: r.now()}
	a.acw = c
	c.timer = r.d.clock.AfterFunc(r.d.cfg.ACWMax, func() {
		r.d.post(func() {
			switch {
			case a.acw != c || r.agents[a.id] != a:
			case c.disposing:
				c.expired = true // the agent's disposition decides
			default:
				r.autoFinish(a)
				r.afterCall(a)
			}
		})
	})
	r.setState(a, store.AgentACW, "", callUUID)
}
