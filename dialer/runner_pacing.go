package dialer

import (
	"context"
	"errors"
	"sync"
	"time"
)

// decideEvery is how often the predictive loop asks the pacer.
const decideEvery = 500 * time.Millisecond

// predictive is the loop of predictive campaigns: the pacer, fed with the
// campaign's calls and its group's agents, says how many to dial; a due
// callback goes to an agent reserved for it instead.
func (r *runner) predictive(ctx context.Context, q *queue) string {
	camp := r.plan.Load().camp
	pc, err := r.newPacing(ctx)
	if err != nil {
		return r.idle(ctx, err.Error())
	}
	nudge := make(chan struct{}, 1)
	go r.feedAgents(ctx, AgentPool{GroupID: *camp.GroupID, Skill: camp.Skill, MinLevel: camp.MinLevel}, pc, nudge)
	t := r.o.Clock.NewTimer(decideEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return "stopped"
		case <-t.C():
			t.Reset(decideEvery)
		case <-nudge:
		}
		n := pc.decide(r.o.Clock.Now())
		for range n {
			cl, done, err := q.next(ctx, n)
			switch {
			case done:
				return "completed"
			case errors.Is(err, errStopLoop) || ctx.Err() != nil:
				return "stopped"
			case cl == nil:
			case cl.Callback != nil:
				r.goCall(func() { _ = r.agentDial(ctx, cl, nil) })
				continue
			}
			if cl == nil {
				break
			}
			phone, p := r.check(ctx, cl)
			if phone == "" {
				continue
			}
			a, err := r.start(ctx, p, cl, phone, 0)
			if errors.Is(err, errStopLoop) {
				return "stopped"
			}
			if a == nil {
				continue
			}
			pc.dialed(r.o.Clock.Now(), a)
			r.goCall(func() { r.voice(a, pc) })
		}
	}
}

// newPacing makes the campaign's pacer with its abandonment history, so
// the cap holds over 24 h and 30 days across restarts and instances.
func (r *runner) newPacing(ctx context.Context) (*pacing, error) {
	camp := r.plan.Load().camp
	now := r.o.Clock.Now()
	p, err := NewPacer(PacerConfig{Mode: ModePredictive, MaxAbandonRate: camp.MaxAbandonRate, ConnectWithin: ConnectWindow, Start: now})
	if err != nil {
		return nil, err
	}
	fig, err := r.o.Store.AbandonFigures(ctx, camp.ID, now)
	if err != nil {
		r.log.Warn("dialer: abandonment history", "err", err)
	} else {
		p.Preload(now.Add(-time.Hour), int(fig.Human24h), int(fig.Abandoned24h))
		p.Preload(now.Add(-25*time.Hour), int(fig.Human30d-fig.Human24h), int(fig.Abandoned30d-fig.Abandoned24h))
	}
	return &pacing{p: p, ours: map[AgentID]bool{}}, nil
}

// feedAgents tells the pacer what the agents the campaign's calls may go
// to do: the group's, with the campaign's skill and level.
func (r *runner) feedAgents(ctx context.Context, pool AgentPool, pc *pacing, nudge chan struct{}) {
	for ch := range r.o.Desk.Watch(ctx, pool) {
		if pc.agent(ch) {
			offer(nudge, struct{}{})
		}
	}
}

// pacing is the runner's Pacer, shared by the dialing loop and the call
// goroutines of one campaign (the Pacer itself is not safe for concurrent
// use). A nil *pacing (modes without pacing) ignores everything.
type pacing struct {
	mu   sync.Mutex
	p    *Pacer
	ours map[AgentID]bool // agents on a call of this campaign
}

func (pc *pacing) do(fn func(p *Pacer)) {
	if pc == nil {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	fn(pc.p)
}

func callID(a *attempt) CallID { return CallID(a.dial.AttemptID) }

func (pc *pacing) decide(t time.Time) (n int) {
	pc.do(func(p *Pacer) { n = p.Decide(t) })
	return n
}
func (pc *pacing) dialed(t time.Time, a *attempt) { pc.do(func(p *Pacer) { p.Dialed(t, callID(a)) }) }
func (pc *pacing) answered(t time.Time, a *attempt) {
	pc.do(func(p *Pacer) { p.Answered(t, callID(a)) })
}
func (pc *pacing) human(t time.Time, a *attempt)   { pc.do(func(p *Pacer) { p.Human(t, callID(a)) }) }
func (pc *pacing) machine(t time.Time, a *attempt) { pc.do(func(p *Pacer) { p.Machine(t, callID(a)) }) }
func (pc *pacing) abandoned(t time.Time, a *attempt) {
	pc.do(func(p *Pacer) { p.Abandoned(t, callID(a)) })
}
func (pc *pacing) ended(t time.Time, a *attempt, o Outcome) {
	pc.do(func(p *Pacer) { p.Ended(t, callID(a), o) })
}
func (pc *pacing) connected(t time.Time, a *attempt, agent int64) {
	pc.do(func(p *Pacer) {
		pc.ours[AgentID(agent)] = true
		p.Connected(t, callID(a), AgentID(agent))
	})
}

// agent applies one agent change; it reports whether an agent became free.
func (pc *pacing) agent(ch AgentChange) (free bool) {
	id := AgentID(ch.AgentID)
	pc.do(func(p *Pacer) {
		switch ch.To {
		case "ready":
			delete(pc.ours, id)
			p.AgentFree(ch.At, id)
			free = true
		case "signed_out":
			delete(pc.ours, id)
			p.AgentGone(ch.At, id)
		case "on_call", "hold", "acw":
			if !pc.ours[id] { // a call of another campaign or a manual one
				p.AgentBusy(ch.At, id)
			}
		default: // reserved, break
			p.AgentBusy(ch.At, id)
		}
	})
	return free
}
