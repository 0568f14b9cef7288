// Package dialer decides who is called and when. This part of it is the
// pacing component: how many calls to dial now so that agents wait little
// and answered customers almost never wait for an agent.
//
// The Pacer is pure: no goroutines, no clock, no I/O, not safe for
// concurrent use. Its owner (a campaign runner, or the simulator of
// pacing_sim.go) feeds it what happens to calls and agents, each event with
// its time, and asks Decide on a timer (every half second is plenty) and
// whenever an agent becomes free. The simulator drives exactly this code
// on a virtual clock, so what `callcenter bench pacing` measures is what
// the live dialer does.
package dialer

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Mode is how a campaign paces its calls.
type Mode string

const (
	// ModeProgressive dials one call per free agent and keeps nothing in
	// flight beyond that: no call can be abandoned, agents wait for answers.
	ModeProgressive Mode = "progressive"
	// ModePredictive dials ahead of free agents, inside the abandonment cap.
	ModePredictive Mode = "predictive"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == ModeProgressive || m == ModePredictive }

// CallID names one dialed call for the pacer (the owner's counter or
// attempt ID); AgentID names an agent.
type (
	CallID  int64
	AgentID int64
)

// PacerConfig sets up a Pacer.
type PacerConfig struct {
	Mode Mode
	// MaxAbandonRate is the cap on abandoned / answered humans, held over a
	// rolling 24 hours and 30 days (0.03 is 3 %). Zero allows none.
	MaxAbandonRate float64
	// ConnectWithin is how long an answered human may wait for an agent
	// before the call counts as abandoned (2 s by the rules; 0 means 2 s).
	ConnectWithin time.Duration
	// Priors are the rates assumed before calls are seen (default: the
	// default scenario of pacing.md).
	Priors *Priors
	// Start is time zero of the pacer's clock; zero means the first event.
	Start time.Time
}

// Pacer decides how many calls to dial. See the package comment for how it
// is driven. Call IDs must be unique; events for unknown calls or agents
// are ignored, so a late event after a restart does no harm.
type Pacer struct {
	cfg       PacerConfig
	epoch     time.Time
	within    float64
	model     *model
	budget    budget
	calls     *table[CallID, pacedCall]
	agents    *table[AgentID, pacedAgent]
	fc        forecast
	bold      boldness
	resolving cohort // calls by dial time, until each has resolved
	talking   cohort // talks by connect time, until each has ended
	lastGain  float64
	lastRate  float64
	pending   []float64 // risks of the calls Decide asked for, not yet Dialed
}

type callState uint8

const (
	callRinging  callState = iota
	callAnswered           // answered, no human/machine verdict yet
	callWaiting            // a human waiting for an agent
	callDone               // connected, machine, or abandoned: no longer needs an agent
)

type pacedCall struct {
	risk     float64 // chance its human is abandoned, when dialed
	learn    int     // handle in the resolving cohort
	state    callState
	dialed   float64
	answered float64
	agent    AgentID
	hasAgent bool
}

type agentState uint8

const (
	agentFree agentState = iota
	agentTalking
	agentWrapping
	agentBusy // not ready for a reason the pacer cannot forecast
)

type pacedAgent struct {
	state agentState
	since float64
	talk  int // handle in the talk cohort while talking
}

// NewPacer makes a pacer. An unknown mode or a cap outside [0, 1) is an error.
func NewPacer(cfg PacerConfig) (*Pacer, error) {
	if !cfg.Mode.Valid() {
		return nil, fmt.Errorf("dialer: pacing mode %q: want progressive or predictive", cfg.Mode)
	}
	if !(cfg.MaxAbandonRate >= 0 && cfg.MaxAbandonRate < 1) {
		return nil, fmt.Errorf("dialer: max abandon rate %v: want a fraction from 0 to below 1", cfg.MaxAbandonRate)
	}
	if cfg.ConnectWithin <= 0 {
		cfg.ConnectWithin = 2 * time.Second
	}
	pri := PriorsFrom(DefaultScenario())
	if cfg.Priors != nil {
		pri = *cfg.Priors
	}
	p := &Pacer{cfg: cfg, epoch: cfg.Start, within: cfg.ConnectWithin.Seconds(), model: newModel(pri),
		calls: newTable[CallID, pacedCall](), agents: newTable[AgentID, pacedAgent]()}
	p.budget.init(cfg.MaxAbandonRate)
	p.bold.init()
	p.fc.ringing = rowCache{quantum: 0.1, life: 5}
	p.fc.answered = rowCache{quantum: 0.1, life: 5}
	p.fc.wrapping = rowCache{quantum: 0.1, life: 5}
	p.fc.talking = rowCache{quantum: 5, life: 60}
	return p, nil
}

// sec is t on the pacer's clock, in seconds.
func (p *Pacer) sec(t time.Time) float64 {
	if p.epoch.IsZero() {
		p.epoch = t
	}
	return t.Sub(p.epoch).Seconds()
}

// Dialed records a call just originated.
func (p *Pacer) Dialed(t time.Time, id CallID) {
	now := p.sec(t)
	p.learn(now)
	c := pacedCall{dialed: now, learn: p.resolving.push(now)}
	if len(p.pending) > 0 {
		c.risk, p.pending = p.pending[0], p.pending[1:]
	}
	p.calls.put(id, c)
}

// Answered records that the far end answered; Human or Machine follows
// when answering-machine detection gives its verdict (at once when there is
// no detection: call Human right after).
func (p *Pacer) Answered(t time.Time, id CallID) {
	c := p.calls.get(id)
	if c == nil || c.state != callRinging {
		return
	}
	c.state, c.answered = callAnswered, p.sec(t)
}

// Human records that a person answered: the call needs an agent now.
func (p *Pacer) Human(t time.Time, id CallID) {
	p.verdict(t, id, classHuman)
}

// Machine records that an answering machine answered; it never needs an
// agent.
func (p *Pacer) Machine(t time.Time, id CallID) {
	p.verdict(t, id, classMachine)
}

func (p *Pacer) verdict(t time.Time, id CallID, cl class) {
	c := p.calls.get(id)
	if c == nil || (c.state != callRinging && c.state != callAnswered) {
		return
	}
	now := p.sec(t)
	if c.state == callRinging { // no separate answer event: answered now
		c.answered = now
	}
	p.learnResolve(c, cl, c.answered-c.dialed)
	p.model.verdict[cl].add(now - c.answered)
	c.state = callDone
	if cl == classHuman {
		c.state = callWaiting
		p.budget.human(now)
		p.bold.human(c.risk)
	}
}

// Connected records that the call was bridged to agent a.
func (p *Pacer) Connected(t time.Time, id CallID, a AgentID) {
	now := p.sec(t)
	if c := p.calls.get(id); c != nil {
		if c.state == callRinging || c.state == callAnswered {
			p.Human(t, id)
		}
		c.state, c.agent, c.hasAgent = callDone, a, true
	}
	p.agents.put(a, pacedAgent{state: agentTalking, since: now, talk: p.talking.push(now)})
}

// Abandoned records that an answered human got no agent in time. It
// counts against the cap.
func (p *Pacer) Abandoned(t time.Time, id CallID) {
	c := p.calls.get(id)
	if c == nil {
		return
	}
	c.state = callDone
	p.budget.abandon(p.sec(t))
	p.bold.abandoned()
}

// Ended records the end of a call. For a call never answered, outcome says
// why (OutcomeNoAnswer or OutcomeFailed) and teaches the pacer how long
// such calls take; for a connected call it means the customer hung up and
// the agent is in wrap-up.
func (p *Pacer) Ended(t time.Time, id CallID, outcome Outcome) {
	c := p.calls.get(id)
	if c == nil {
		return
	}
	call := *c
	c = &call
	p.calls.remove(id)
	now := p.sec(t)
	switch {
	case c.state == callRinging:
		cl := classOf(outcome)
		if cl == classHuman || cl == classMachine {
			cl = classNoAnswer // ended before any answer event
		}
		p.learnResolve(c, cl, now-c.dialed)
	case c.hasAgent:
		if a := p.agents.get(c.agent); a != nil && a.state == agentTalking {
			if !p.talking.resolve(a.talk, classHuman, now-a.since) {
				p.model.learnTalk(classHuman, now-a.since)
			}
			a.state, a.since = agentWrapping, now
		}
	}
}

func (p *Pacer) learnResolve(c *pacedCall, cl class, d float64) {
	if !p.resolving.resolve(c.learn, cl, d) {
		p.model.learnResolve(cl, d)
	}
}

// Calls are learned from in dial order once a minute old (every kind has
// resolved by then), talks in connect order up to 20 minutes old.
const (
	resolveCohortS = 60
	talkCohortS    = 1200
)

// learn hands the model what the cohorts have complete at time now.
func (p *Pacer) learn(now float64) {
	p.resolving.pop(now, resolveCohortS, p.model.learnResolve)
	p.talking.pop(now, talkCohortS, p.model.learnTalk)
}

// AgentFree records that agent a is ready for a call (signed in, back from
// a break, or done with wrap-up).
func (p *Pacer) AgentFree(t time.Time, a AgentID) {
	now := p.sec(t)
	if ag := p.agents.get(a); ag != nil && ag.state == agentWrapping {
		p.model.wrap.add(now - ag.since)
	}
	p.agents.put(a, pacedAgent{state: agentFree, since: now})
}

// AgentBusy records that agent a is signed in but not available for a
// reason the pacer cannot forecast (a break, a manual call).
func (p *Pacer) AgentBusy(t time.Time, a AgentID) {
	p.agents.put(a, pacedAgent{state: agentBusy, since: p.sec(t)})
}

// AgentGone records that agent a signed out.
func (p *Pacer) AgentGone(t time.Time, a AgentID) {
	p.agents.remove(a)
}

// Preload adds humans answered and abandoned at time t before this pacer
// existed (the campaign's history), so the 24-hour and 30-day cap holds
// across restarts.
func (p *Pacer) Preload(t time.Time, humans, abandoned int) {
	p.budget.preload(p.sec(t), humans, abandoned)
}

// Decide answers how many calls to dial at time t. The owner dials them
// and calls Dialed for each before the next Decide.
func (p *Pacer) Decide(t time.Time) int {
	now := p.sec(t)
	p.learn(now)
	if p.cfg.Mode == ModeProgressive {
		return p.progressive()
	}
	p.lastRate = p.budget.targetRate(now, p.pendingAbandons())
	p.lastGain = p.bold.gainFor(p.lastRate)
	limit := probeLimit(p.lastGain)
	risks := p.predictive(now, limit)
	p.bold.observe(now, risks, limit)
	n := sort.SearchFloat64s(risks, math.Nextafter(p.lastGain, 1))
	p.pending = append(p.pending[:0], risks[:n]...)
	return n
}

// pendingAbandons is how many of the calls in flight the pacer expects to
// be abandoned, from the risk each was dialed with.
func (p *Pacer) pendingAbandons() float64 {
	ph, e := p.model.pHuman(), 0.0
	for i := range p.calls.vals {
		switch c := &p.calls.vals[i]; c.state {
		case callRinging, callAnswered:
			e += ph * c.risk
		case callWaiting:
			e += c.risk
		}
	}
	return e
}

// progressive is one call per free agent, counting every call not yet
// connected or over.
func (p *Pacer) progressive() int {
	n := 0
	for _, a := range p.agents.vals {
		if a.state == agentFree {
			n++
		}
	}
	for _, c := range p.calls.vals {
		if !c.hasAgent {
			n--
		}
	}
	return max(n, 0)
}

// PacerState is a snapshot for monitoring: what the pacer has learned and
// how bold it is.
type PacerState struct {
	HumanRate     float64 `json:"human_rate"` // learned probability a dial reaches a human
	MeanHumanRing float64 `json:"mean_human_ring_s"`
	MeanTalk      float64 `json:"mean_talk_s"`
	MeanWrap      float64 `json:"mean_wrap_s"`
	Risk          float64 `json:"risk"`                // abandon risk accepted per extra call at the last Decide
	TargetRate    float64 `json:"target_abandon_rate"` // the rate the budget aimed at then
	Humans24h     int     `json:"humans_24h"`
	Abandoned24h  int     `json:"abandoned_24h"`
	Humans30d     int     `json:"humans_30d"`
	Abandoned30d  int     `json:"abandoned_30d"`
	InFlight      int     `json:"in_flight"`
}

// State reports the snapshot.
func (p *Pacer) State() PacerState {
	w := p.budget.windows
	return PacerState{HumanRate: p.model.pHuman(), MeanHumanRing: p.model.resolve[classHuman].mean(),
		MeanTalk: p.model.talk.mean(), MeanWrap: p.model.wrap.mean(), Risk: p.lastGain, TargetRate: p.lastRate,
		Humans24h: w[0].humans, Abandoned24h: w[0].abandoned, Humans30d: w[1].humans, Abandoned30d: w[1].abandoned,
		InFlight: p.calls.len()}
}
