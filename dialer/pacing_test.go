package dialer

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

func newTestPacer(t *testing.T, mode Mode, cap float64, agents int) *Pacer {
	t.Helper()
	p, err := NewPacer(PacerConfig{Mode: mode, MaxAbandonRate: cap, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	for a := range agents {
		p.AgentFree(at(0), AgentID(a))
	}
	return p
}

func TestNewPacerRejects(t *testing.T) {
	for _, cfg := range []PacerConfig{{Mode: "preview"}, {Mode: ModePredictive, MaxAbandonRate: 1}, {Mode: ModePredictive, MaxAbandonRate: -0.1}} {
		if _, err := NewPacer(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

func TestProgressiveOneCallPerFreeAgent(t *testing.T) {
	p := newTestPacer(t, ModeProgressive, 0.03, 3)
	steps := []struct {
		name string
		do   func()
		want int
	}{
		{"three free agents", func() {}, 3},
		{"three calls ringing", func() { p.Dialed(at(1), 1); p.Dialed(at(1), 2); p.Dialed(at(1), 3) }, 0},
		{"one ends unanswered", func() { p.Ended(at(4), 1, OutcomeFailed) }, 1},
		{"a machine answers: still in flight", func() { p.Answered(at(9), 2) }, 1},
		{"the machine is dropped", func() { p.Machine(at(12), 2); p.Ended(at(12), 2, OutcomeMachine) }, 2},
		{"a human is connected", func() { p.Human(at(15), 3); p.Connected(at(15), 3, 0) }, 2},
		{"an agent goes on a break", func() { p.AgentBusy(at(16), 1) }, 1},
		{"an agent signs out", func() { p.AgentGone(at(17), 2) }, 0},
		{"the break ends", func() { p.AgentFree(at(18), 1) }, 1},
	}
	for _, s := range steps {
		s.do()
		if got := p.Decide(at(20)); got != s.want {
			t.Fatalf("%s: Decide = %d, want %d", s.name, got, s.want)
		}
	}
}

func TestPredictiveNeedsReadyAgents(t *testing.T) {
	p := newTestPacer(t, ModePredictive, 0.03, 0)
	if n := p.Decide(at(1)); n != 0 {
		t.Fatalf("no agents: Decide = %d", n)
	}
	// Two agents just connected: their talk plus wrap-up outlasts any ring.
	for a := range 2 {
		p.AgentFree(at(0), AgentID(a))
		p.Dialed(at(0), CallID(a))
		p.Connected(at(1), CallID(a), AgentID(a))
	}
	if n := p.Decide(at(2)); n != 0 {
		t.Fatalf("all agents talking: Decide = %d", n)
	}
}

// With no budget at all (a cap of 0) predictive takes no risk: one call for
// one free agent, and the next only when the first can no longer be a
// human (default priors: humans answer within 22 s).
func TestPredictiveWithoutBudgetTakesNoRisk(t *testing.T) {
	p := newTestPacer(t, ModePredictive, 0, 1)
	if n := p.Decide(at(0)); n != 1 {
		t.Fatalf("one free agent: Decide = %d, want 1", n)
	}
	p.Dialed(at(0), 1)
	if n := p.Decide(at(10)); n != 0 {
		t.Fatalf("its call could still be a human: Decide = %d, want 0", n)
	}
	if n := p.Decide(at(22.6)); n != 1 {
		t.Fatalf("its call rang past any human's answer: Decide = %d, want 1", n)
	}
}

// Predictive dials for an agent about to finish wrap-up (default priors:
// 30 s), in time for a human's ring, and not long before.
func TestPredictiveDialsAheadOfWrapUp(t *testing.T) {
	p := newTestPacer(t, ModePredictive, 0, 1)
	p.Dialed(at(0), 1)
	p.Connected(at(8), 1, 0)
	p.Ended(at(100), 1, OutcomeHuman) // wrap-up until about 130
	if n := p.Decide(at(105)); n != 0 {
		t.Fatalf("ready in 25 s: Decide = %d, want 0", n)
	}
	if n := p.Decide(at(122.5)); n < 1 {
		t.Fatalf("ready in 7.5 s: Decide = %d, want at least 1", n)
	}
}

// With budget to spend and many agents free it dials well beyond one call
// per agent; progressive would dial one each.
func TestPredictiveDialsAhead(t *testing.T) {
	p := newTestPacer(t, ModePredictive, 0.03, 20)
	p.Preload(at(-3600), 2000, 0)
	n := p.Decide(at(0))
	if n < 40 || n > 200 {
		t.Fatalf("20 free agents: Decide = %d, want several calls per agent (1 in 6.7 reaches a human)", n)
	}
}

// Unknown calls and agents are ignored, so late events do no harm.
func TestPacerIgnoresUnknownIDs(t *testing.T) {
	p := newTestPacer(t, ModePredictive, 0.03, 1)
	p.Answered(at(1), 99)
	p.Human(at(1), 99)
	p.Machine(at(1), 98)
	p.Abandoned(at(2), 99)
	p.Ended(at(3), 99, OutcomeNoAnswer)
	p.AgentGone(at(3), 42)
	if s := p.State(); s.InFlight != 0 || s.Abandoned24h != 0 || s.Humans24h != 0 {
		t.Fatalf("state after unknown events: %+v", s)
	}
}

// The pacer learns the answer rate and durations from the calls it sees.
func TestPacerLearns(t *testing.T) {
	p := newTestPacer(t, ModePredictive, 0.03, 1)
	now := 0.0
	for i := range 6000 {
		id := CallID(i)
		p.Dialed(at(now), id)
		switch i % 10 {
		case 0, 1, 2, 3, 4: // 50 % humans after 12 s, 40 s talk, 10 s wrap-up
			p.Answered(at(now+12), id)
			p.Human(at(now+12), id)
			p.Connected(at(now+12), id, 0)
			p.Ended(at(now+52), id, OutcomeHuman)
			p.AgentFree(at(now+62), 0)
		default:
			p.Ended(at(now+30), id, OutcomeNoAnswer)
		}
		now += 70
	}
	// What it remembers of the priors (50 calls' worth, faded by 3,000
	// newer observations) keeps it a little off the truth.
	s := p.State()
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"human rate", s.HumanRate, 0.5, 0.02},
		{"human ring", s.MeanHumanRing, 12.25, 0.5},
		{"talk", s.MeanTalk, 42.5, 4},
		{"wrap-up", s.MeanWrap, 10.25, 0.5},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("learned %s %.3f, want %.3f ± %.3f", c.name, c.got, c.want, c.tol)
		}
	}
}

func TestBudgetWindows(t *testing.T) {
	var b budget
	b.init(0.03)
	b.count(0, 1000, 20)
	b.count(3600, 500, 5)
	if w := b.windows; w[0].humans != 1500 || w[0].abandoned != 25 || w[1].humans != 1500 {
		t.Fatalf("windows %+v", w)
	}
	// 24 h after the first bucket it leaves the day, not the month.
	b.advance(24*3600 + 1)
	if w := b.windows; w[0].humans != 500 || w[0].abandoned != 5 || w[1].humans != 1500 || w[1].abandoned != 25 {
		t.Fatalf("after a day: %+v", w)
	}
	// unspent: the tighter window, aiming 10 % or 6 under the cap.
	// Day: 0.03*500 = 15 allowed, margin 6, 5 used → 4. Month: 45 - 6 - 25 = 14.
	if u := b.unspent(24*3600 + 1); u != 4 {
		t.Fatalf("unspent %v, want 4", u)
	}
	b.advance(31 * 24 * 3600)
	if w := b.windows; w[0].humans != 0 || w[1].humans != 0 || len(b.buckets) != 0 {
		t.Fatalf("after a month: %+v, %d buckets", w, len(b.buckets))
	}
	// History preloaded out of order lands in its buckets.
	b.preload(31*24*3600-7200, 300, 3)
	b.preload(31*24*3600-90000, 100, 9)
	if w := b.windows; w[0].humans != 300 || w[0].abandoned != 3 || w[1].humans != 400 || w[1].abandoned != 12 {
		t.Fatalf("after preload: %+v", w)
	}
}

func TestTargetRate(t *testing.T) {
	cases := []struct {
		name              string
		humans, abandoned int
		pending           float64
		want              float64 // of the cap
	}{
		{"no history: the next abandonment would break the cap", 0, 0, 0, 0},
		{"1.5 of headroom: a small share of it", 50, 0, 0, 0.5 / rateGuardSpan},
		{"budget spent: floor", 200, 3, 0, rateFloor},
		{"well under: ceiling", 4000, 10, 0, rateCeiling},
		{"at the aim", 1000, 30 - 6 - int(rateAimSlack), 0, rateAim}, // 30 allowed, 6 kept in hand
		{"two expected among calls in flight", 1000, 23, 2, rateAim * math.Exp(ratePerCall*(-1-rateAimSlack))},
		{"pending abandonments use up the headroom", 1000, 23, 6.5, 0},
	}
	for _, c := range cases {
		var b budget
		b.init(0.03)
		b.count(0, c.humans, c.abandoned)
		if got := b.targetRate(1, c.pending) / 0.03; math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: target %.3f of the cap, want %.3f", c.name, got, c.want)
		}
	}
}

// The gain curve: more rate wanted, more risk per call accepted, as the
// observed decisions say.
func TestBoldnessGainFor(t *testing.T) {
	var b boldness
	b.init()
	// Every decision could dial calls of risk 0, 0.01, 0.02, ... 0.2.
	risks := make([]float64, 21)
	for i := range risks {
		risks[i] = float64(i) / 100
	}
	for s := range 3000 {
		b.observe(float64(s)/2, risks, gainHigh)
	}
	prev := 0.0
	for _, want := range []float64{0.001, 0.01, 0.03, 0.06, 0.1} {
		g := b.gainFor(want)
		if g < prev {
			t.Fatalf("gain %.4f for rate %.3f below %.4f for a lower rate", g, want, prev)
		}
		prev = g
		// Dialing up to gain g, the average risk is about g/2.
		if math.Abs(g/2-want) > 0.4*want+0.005 {
			t.Errorf("rate %.3f: gain %.4f, want about %.4f", want, g, 2*want)
		}
	}
	if g := b.gainFor(0); g != riskMin {
		t.Errorf("rate 0: gain %v, want %v", g, riskMin)
	}
	// Abandonments twice as many as predicted halve the boldness.
	g := b.gainFor(0.03)
	for range 100 {
		b.human(0.05)
	}
	for range 10 {
		b.abandoned()
	}
	if h := b.gainFor(0.03); h > 0.7*g {
		t.Errorf("after twice the predicted abandonments gain %.4f, was %.4f", h, g)
	}
}
