package dialer

import (
	"container/heap"
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// SimOptions choose what a simulation runs.
type SimOptions struct {
	Mode Mode
	// Priors for the pacer; nil means the default scenario's, whatever the
	// simulated world is, so the pacer has to learn it as it would live.
	Priors *Priors
	// Trace, when set, receives every call when it ends (pacing.md).
	Trace func(TraceCall) error
	// Tick is how often the pacer is asked (default 0.5 s); it is also asked
	// whenever an agent becomes free.
	Tick float64
}

// simEpoch is time zero of simulated shifts, for the pacer's time.Time API.
var simEpoch = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

// Simulate runs one shift of sc under the pacer on a virtual clock: events in
// time order, nothing sleeps, and a seed gives the same shift every time.
// Customers are drawn in dial order from the seed, so two modes run with the
// same seed meet the same customers. A cancelled ctx stops it.
func Simulate(ctx context.Context, sc Scenario, opt SimOptions) (SimResult, error) {
	if err := sc.Validate(); err != nil {
		return SimResult{}, err
	}
	if opt.Tick <= 0 {
		opt.Tick = 0.5
	}
	pacer, err := NewPacer(PacerConfig{Mode: opt.Mode, MaxAbandonRate: sc.MaxAbandonRate, Priors: opt.Priors,
		ConnectWithin: time.Duration(sc.ConnectWithinS * float64(time.Second)), Start: simEpoch})
	if err != nil {
		return SimResult{}, err
	}
	s := &sim{ctx: ctx, sc: sc, opt: opt, pacer: pacer, shift: sc.ShiftSeconds(),
		customers: rand.New(rand.NewPCG(uint64(sc.Seed), 1)), handling: rand.New(rand.NewPCG(uint64(sc.Seed), 2)),
		agents: make([]simAgent, sc.Agents)}
	s.res = SimResult{Mode: opt.Mode, Agents: sc.Agents, Hours: sc.Hours, Seed: sc.Seed, MaxAbandonRate: sc.MaxAbandonRate}
	if err := s.run(); err != nil {
		return SimResult{}, err
	}
	s.res.finish(sc, s.windows)
	return s.res, nil
}

type sim struct {
	ctx       context.Context
	sc        Scenario
	opt       SimOptions
	pacer     *Pacer
	shift     float64
	now       float64
	customers *rand.Rand // outcomes and ring times, drawn in dial order
	handling  *rand.Rand // talk and wrap-up times, drawn in connect order
	events    eventQueue
	seq       uint64
	calls     []simCall
	agents    []simAgent
	free      []int // free agents, longest free first
	waiting   []int // humans waiting for an agent, first answered first
	res       SimResult
	windows   []windowCount // per 10 minutes of answer time, for the window figures
}

type simCall struct {
	outcome                   Outcome
	dial, answer, connect     float64
	agentFree, end            float64
	agent                     int
	answered, connected, done bool
}

type simAgent struct {
	freeSince float64
}

// Event kinds, in the order they happen when simultaneous: a call ends and
// its agent frees before a waiting human gives up, so "becomes free within
// connect_within_s" includes the boundary.
type evKind uint8

const (
	evTalkEnd evKind = iota
	evAgentFree
	evAnswer
	evVerdict
	evEnd
	evGiveUp
	evTick
)

type simEvent struct {
	at   float64
	kind evKind
	seq  uint64
	id   int
}

type eventQueue []simEvent

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if a.at != b.at {
		return a.at < b.at
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	return a.seq < b.seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

func (s *sim) at(d float64, kind evKind, id int) {
	s.seq++
	heap.Push(&s.events, simEvent{at: d, kind: kind, seq: s.seq, id: id})
}

func (s *sim) t() time.Time { return simEpoch.Add(time.Duration(s.now * float64(time.Second))) }

func (s *sim) run() error {
	for i := range s.agents {
		s.free = append(s.free, i)
		s.pacer.AgentFree(s.t(), AgentID(i))
	}
	s.at(0, evTick, 0)
	for n := 0; s.events.Len() > 0; n++ {
		if n%4096 == 0 && s.ctx.Err() != nil {
			return fmt.Errorf("dialer: simulation stopped at %.0f s: %w", s.now, s.ctx.Err())
		}
		e := heap.Pop(&s.events).(simEvent)
		s.now = e.at
		if err := s.handle(e); err != nil {
			return err
		}
	}
	return nil
}

func (s *sim) handle(e simEvent) error {
	switch e.kind {
	case evTick:
		s.decide()
		if next := s.now + s.opt.Tick; next < s.shift {
			s.at(next, evTick, 0)
		}
	case evAnswer:
		s.answer(e.id)
	case evVerdict:
		s.pacer.Machine(s.t(), CallID(e.id))
		return s.end(e.id)
	case evEnd:
		return s.end(e.id)
	case evGiveUp:
		return s.giveUp(e.id)
	case evTalkEnd:
		return s.end(e.id)
	case evAgentFree:
		s.agentFree(e.id)
	}
	return nil
}

// decide asks the pacer and dials what it says, inside the shift only.
func (s *sim) decide() {
	if s.now >= s.shift {
		return
	}
	for n := s.pacer.Decide(s.t()); n > 0; n-- {
		s.dial()
	}
}

// dial draws the customer: outcome first, then how long each stage takes.
func (s *sim) dial() {
	id := len(s.calls)
	o, r := s.sc.Outcomes, s.customers
	c := simCall{dial: s.now, agent: -1}
	u := r.Float64()
	switch {
	case u < o.Human:
		c.outcome = OutcomeHuman
		s.at(s.now+s.sc.RingS.Human.Sample(r), evAnswer, id)
	case u < o.Human+o.Machine:
		c.outcome = OutcomeMachine
		s.at(s.now+s.sc.RingS.Machine.Sample(r), evAnswer, id)
	case u < o.Human+o.Machine+o.NoAnswer:
		c.outcome = OutcomeNoAnswer
		s.at(s.now+s.sc.NoAnswerS.Sample(r), evEnd, id)
	default:
		c.outcome = OutcomeFailed
		s.at(s.now+s.sc.FailedS.Sample(r), evEnd, id)
	}
	s.calls = append(s.calls, c)
	s.res.Dials++
	s.pacer.Dialed(s.t(), CallID(id))
}

func (s *sim) answer(id int) {
	c := &s.calls[id]
	c.answer, c.answered = s.now, true
	s.pacer.Answered(s.t(), CallID(id))
	if c.outcome == OutcomeMachine {
		s.at(s.now+s.sc.AMDS.Sample(s.customers), evVerdict, id)
		return
	}
	s.pacer.Human(s.t(), CallID(id))
	s.countWindow(s.now, false)
	if len(s.free) > 0 {
		a := s.free[0]
		s.free = s.free[1:]
		s.connect(id, a)
		return
	}
	s.waiting = append(s.waiting, id)
	s.at(s.now+s.sc.ConnectWithinS, evGiveUp, id)
}

// connect bridges call id to agent a, who is then busy for talk + wrap-up.
func (s *sim) connect(id, a int) {
	c := &s.calls[id]
	talk, wrap := s.sc.TalkS.Sample(s.handling), s.sc.WrapS.Sample(s.handling)
	c.connect, c.connected, c.agent = s.now, true, a
	c.end, c.agentFree = s.now+talk, s.now+talk+wrap
	s.res.waitSum += s.now - s.agents[a].freeSince
	s.res.Connected++
	s.res.busy += overlap(c.connect, c.agentFree, 0, s.shift)
	s.pacer.Connected(s.t(), CallID(id), AgentID(a))
	s.at(c.end, evTalkEnd, id)
	s.at(c.agentFree, evAgentFree, a)
}

func (s *sim) giveUp(id int) error {
	c := &s.calls[id]
	if c.connected {
		return nil
	}
	for i, w := range s.waiting {
		if w == id {
			s.waiting = append(s.waiting[:i], s.waiting[i+1:]...)
			break
		}
	}
	s.res.Abandoned++
	s.countWindow(c.answer, true)
	s.pacer.Abandoned(s.t(), CallID(id))
	return s.end(id)
}

func (s *sim) agentFree(a int) {
	s.agents[a].freeSince = s.now
	s.pacer.AgentFree(s.t(), AgentID(a))
	if len(s.waiting) > 0 {
		id := s.waiting[0]
		s.waiting = s.waiting[1:]
		s.connect(id, a)
		return
	}
	s.free = append(s.free, a)
	s.decide()
}

// end finishes a call, tells the pacer, and writes its trace line.
func (s *sim) end(id int) error {
	c := &s.calls[id]
	c.done = true
	if !c.connected {
		c.end = s.now
	}
	s.pacer.Ended(s.t(), CallID(id), c.outcome)
	switch c.outcome {
	case OutcomeHuman:
		s.res.Humans++
	case OutcomeMachine:
		s.res.Machines++
	case OutcomeNoAnswer:
		s.res.NoAnswers++
	default:
		s.res.Failed++
	}
	if s.opt.Trace == nil {
		return nil
	}
	if err := s.opt.Trace(c.trace(id)); err != nil {
		return fmt.Errorf("dialer: simulation trace: %w", err)
	}
	return nil
}

func overlap(a0, a1, b0, b1 float64) float64 {
	lo, hi := max(a0, b0), min(a1, b1)
	return max(hi-lo, 0)
}
