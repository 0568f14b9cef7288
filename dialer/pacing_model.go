package dialer

import (
	"math"
	"math/rand/v2"
)

// Priors are what the pacer believes before it has seen a call: the outcome
// proportions and the durations of pacing.md's scenario. The live dialer
// passes the campaign's measured rates (or the defaults); the pacer then
// learns from every call and forgets slowly, so a campaign whose answer
// rate drifts through the day is followed.
type Priors struct {
	Outcomes  Outcomes
	HumanRing Dist // dial to answer, for humans
	MachRing  Dist // dial to answer, for answering machines
	AMD       Dist // answer to machine verdict
	NoAnswer  Dist // dial to end, unanswered
	Failed    Dist // dial to end, failed
	Talk      Dist // connect to customer hang-up
	Wrap      Dist // customer hang-up to agent ready
	// Weight is how many calls the priors are worth (default 50).
	Weight float64
}

// PriorsFrom takes the priors from a scenario.
func PriorsFrom(sc Scenario) Priors {
	return Priors{Outcomes: sc.Outcomes, HumanRing: sc.RingS.Human, MachRing: sc.RingS.Machine, AMD: sc.AMDS,
		NoAnswer: sc.NoAnswerS, Failed: sc.FailedS, Talk: sc.TalkS, Wrap: sc.WrapS}
}

// Outcome classes, as pacing.md's trace names them.
type Outcome string

const (
	OutcomeHuman    Outcome = "human"
	OutcomeMachine  Outcome = "machine"
	OutcomeNoAnswer Outcome = "no_answer"
	OutcomeFailed   Outcome = "failed"
)

// class indexes the model's per-outcome arrays.
type class int

const (
	classHuman class = iota
	classMachine
	classNoAnswer
	classFailed
	nClasses
)

func classOf(o Outcome) class {
	switch o {
	case OutcomeHuman:
		return classHuman
	case OutcomeMachine:
		return classMachine
	case OutcomeNoAnswer:
		return classNoAnswer
	}
	return classFailed
}

// memory is how many observations the model remembers: older ones fade
// with weight (1-1/memory) per new observation.
const memory = 3000

// model is the pacer's learned picture of customers and agents.
type model struct {
	class   weights           // outcome proportions
	resolve [nClasses]*hist   // when each kind of call resolves (answer or end), from the dial
	verdict [2]*hist          // answer to human/machine verdict
	talk    *hist             // talk time
	wrap    *hist             // wrap time
	version int               // grows with every observation (caches key on it)
	scratch [nClasses]float64 // survival per class, reused by ringingHuman
}

func newModel(p Priors) *model {
	if p.Weight <= 0 {
		p.Weight = 50
	}
	o := p.Outcomes
	m := &model{}
	m.class.init([]float64{o.Human, o.Machine, o.NoAnswer, o.Failed}, p.Weight)
	m.resolve[classHuman] = priorHist(0.5, 240, p.HumanRing, p.Weight*max(o.Human, 0.05))
	m.resolve[classMachine] = priorHist(0.5, 240, p.MachRing, p.Weight*max(o.Machine, 0.05))
	m.resolve[classNoAnswer] = priorHist(0.5, 240, p.NoAnswer, p.Weight*max(o.NoAnswer, 0.05))
	m.resolve[classFailed] = priorHist(0.5, 240, p.Failed, p.Weight*max(o.Failed, 0.05))
	m.verdict[classHuman] = priorHist(0.5, 120, Const(0), p.Weight*0.5)
	m.verdict[classMachine] = priorHist(0.5, 120, p.AMD, p.Weight*0.5)
	m.talk = priorHist(5, 1440, p.Talk, p.Weight)
	m.wrap = priorHist(0.5, 1200, p.Wrap, p.Weight)
	return m
}

// pHuman is the learned probability that a dial reaches a human.
func (m *model) pHuman() float64 { return m.class.p(int(classHuman)) }

// ringingHuman is the probability that a call unresolved after age seconds is
// answered by a human within (age, age+d] for each d in ds (written to out).
func (m *model) ringingHuman(age float64, ds []float64, out []float64) {
	surv := 0.0
	for c := range nClasses {
		s := m.class.p(int(c)) * (1 - m.resolve[c].cdf(age))
		m.scratch[c] = s
		surv += s
	}
	h := m.resolve[classHuman]
	if surv <= 1e-12 || m.scratch[classHuman] <= 1e-12 {
		clear(out)
		return
	}
	base, ph := h.cdf(age), m.class.p(int(classHuman))
	for i, d := range ds {
		out[i] = ph * (h.cdf(age+d) - base) / surv
	}
}

// answeredHuman is, for a call answered age seconds ago and still without
// a verdict, the probability that it turns out human within each d.
func (m *model) answeredHuman(age float64, ds []float64, out []float64) {
	ph, pm := m.class.p(int(classHuman)), m.class.p(int(classMachine))
	gh, gm := m.verdict[classHuman], m.verdict[classMachine]
	sh, sm := ph*(1-gh.cdf(age)), pm*(1-gm.cdf(age))
	if sh <= 1e-12 {
		clear(out)
		return
	}
	base := gh.cdf(age)
	for i, d := range ds {
		out[i] = ph * (gh.cdf(age+d) - base) / (sh + sm)
	}
}

// wrapFree is, for an agent in wrap-up for age seconds, the probability
// of being ready within each d.
func (m *model) wrapFree(age float64, ds []float64, out []float64) {
	base := m.wrap.cdf(age)
	if 1-base <= 1e-9 {
		clear(out) // longer than any wrap-up seen: doing something else
		return
	}
	for i, d := range ds {
		out[i] = (m.wrap.cdf(age+d) - base) / (1 - base)
	}
}

// talkFree is, for an agent talking for age seconds, the probability of
// being ready (talk end plus wrap-up) within each d.
func (m *model) talkFree(age float64, ds []float64, out []float64) {
	clear(out)
	if len(ds) == 0 || m.wrap.cdf(ds[len(ds)-1]) == 0 {
		return // wrap-up alone outlasts the horizon
	}
	base := m.talk.cdf(age)
	if 1-base <= 1e-9 {
		return
	}
	const step = 1.0 // talk end resolution; talk times are minutes long
	for u := 0.0; u < ds[len(ds)-1]; u += step {
		pEnd := (m.talk.cdf(age+u+step) - m.talk.cdf(age+u)) / (1 - base)
		if pEnd <= 0 {
			continue
		}
		for i, d := range ds {
			if d > u {
				out[i] += pEnd * m.wrap.cdf(d-u-step/2)
			}
		}
	}
}

// learnResolve takes one resolved call: its class and how long after the
// dial it resolved.
func (m *model) learnResolve(cl class, d float64) {
	m.class.add(int(cl))
	m.resolve[cl].add(d)
}

func (m *model) learnTalk(_ class, d float64) { m.talk.add(d) }

// cohort hands observations to the model in the order their calls
// started, each once every earlier one is known. Learning from calls as
// they finish would favour the quick ones: a burst of dials first teaches
// "everything fails after 3 s", a new shift "talks are short". An entry
// still open after maxAge is let go; it is learned directly when it ends.
type cohort struct {
	entries []cohortEntry
	base    int // absolute index of entries[0]
}

type cohortEntry struct {
	start float64
	value float64
	cl    class
	done  bool
}

// push opens an entry started at start and returns its handle.
func (c *cohort) push(start float64) int {
	c.entries = append(c.entries, cohortEntry{start: start})
	return c.base + len(c.entries) - 1
}

// resolve closes entry h; false means it was let go, and the caller learns
// the observation directly.
func (c *cohort) resolve(h int, cl class, v float64) bool {
	i := h - c.base
	if i < 0 || i >= len(c.entries) {
		return false
	}
	c.entries[i] = cohortEntry{start: c.entries[i].start, value: v, cl: cl, done: true}
	return true
}

// pop hands the closed entries at the head to learn, and lets go of those
// older than maxAge.
func (c *cohort) pop(now, maxAge float64, learn func(class, float64)) {
	n := 0
	for _, e := range c.entries {
		if !e.done && now-e.start <= maxAge {
			break
		}
		if e.done {
			learn(e.cl, e.value)
		}
		n++
	}
	c.entries = c.entries[n:]
	c.base += n
}

// weights are decaying counts over a few categories.
type weights struct {
	w     []float64
	total float64
	inc   float64
}

func (w *weights) init(prior []float64, weight float64) {
	w.w = make([]float64, len(prior))
	w.inc = 1
	s := sum(prior)
	for i, p := range prior {
		if s > 0 {
			w.w[i] = weight * p / s
		}
	}
	w.total = weight
}

func (w *weights) add(i int) {
	w.inc /= 1 - 1.0/memory
	w.w[i] += w.inc
	w.total += w.inc
	if w.inc > 1e100 {
		for j := range w.w {
			w.w[j] /= w.inc
		}
		w.total /= w.inc
		w.inc = 1
	}
}

func (w *weights) p(i int) float64 {
	if w.total <= 0 {
		return 0
	}
	return w.w[i] / w.total
}

// hist is a decaying histogram of durations with fixed-width bins; the
// last bin holds everything beyond the range. Mass is spread evenly within
// a bin; values of zero are kept apart so that "at once" stays exact.
type hist struct {
	width float64
	bins  []float64
	zero  float64
	total float64
	inc   float64
	cum   []float64 // cum[i] = mass below bin i, excluding zero; rebuilt when dirty
	dirty bool
}

func newHist(width, span float64) *hist {
	n := int(math.Ceil(span/width)) + 1
	return &hist{width: width, bins: make([]float64, n), cum: make([]float64, n+1), inc: 1, dirty: true}
}

// priorHist seeds a histogram with weight observations spread like d.
// The samples come from a fixed seed, so a pacer is reproducible.
func priorHist(width, span float64, d Dist, weight float64) *hist {
	h := newHist(width, span)
	const n = 4000
	r := rand.New(rand.NewPCG(7, 11))
	for range n {
		h.put(d.Sample(r), weight/n)
	}
	h.inc = 1
	return h
}

// add records one observation, fading the older ones.
func (h *hist) add(x float64) {
	h.inc /= 1 - 1.0/memory
	h.put(x, h.inc)
	if h.inc > 1e100 {
		for i := range h.bins {
			h.bins[i] /= h.inc
		}
		h.zero /= h.inc
		h.total /= h.inc
		h.inc = 1
	}
}

func (h *hist) put(x, w float64) {
	h.total += w
	h.dirty = true
	if x <= 1e-9 {
		h.zero += w
		return
	}
	i := h.bin(x)
	if i >= len(h.bins) {
		i = len(h.bins) - 1
	}
	h.bins[i] += w
}

// bin is the bin holding x: bin i holds (i·width, (i+1)·width], so that
// the cdf at a value seen exactly (a failed call at 3 s) includes it: a
// call that has rung 3 s and not failed will not fail now. Values within
// a microsecond of an edge count as on it.
func (h *hist) bin(x float64) int {
	return max(int(math.Ceil(x/h.width-1e-6))-1, 0)
}

// cdf is the fraction of mass at or below x.
func (h *hist) cdf(x float64) float64 {
	if h.total <= 0 {
		return 0
	}
	if x < 0 {
		return 0
	}
	if h.dirty {
		h.cum[0] = 0
		for i, b := range h.bins {
			h.cum[i+1] = h.cum[i] + b
		}
		h.dirty = false
	}
	i := h.bin(x)
	if i >= len(h.bins) {
		return 1
	}
	frac := min(max(x/h.width-float64(i), 0), 1)
	return (h.zero + h.cum[i] + frac*h.bins[i]) / h.total
}

// quantile is the smallest x with cdf(x) ≥ q (to the bin).
func (h *hist) quantile(q float64) float64 {
	for i := 0; i <= len(h.bins); i++ {
		if h.cdf(float64(i)*h.width) >= q {
			return float64(i) * h.width
		}
	}
	return float64(len(h.bins)) * h.width
}

// mean is the histogram's mean, bins at their centres.
func (h *hist) mean() float64 {
	if h.total <= 0 {
		return 0
	}
	s := 0.0
	for i, b := range h.bins {
		s += b * (float64(i) + 0.5) * h.width
	}
	return s / h.total
}
