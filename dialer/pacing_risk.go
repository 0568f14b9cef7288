package dialer

import "math"

// How predictive pacing decides.
//
// Look a short horizon ahead (as long as a human may ring, plus the connect
// window) on a half-second grid. For each grid time s, let H(s) be the humans
// answered by s among the calls in flight, and A(s) the agents ready by
// s + connect window (free now, finishing wrap-up, finishing a call). With
// humans served in order of answer by any ready agent, the abandoned calls
// are max over s of H(s) - A(s), so one more human answering at s0 is
// abandoned (itself or by taking another's agent) when H(s) ≥ A(s) at some
// s ≥ s0. One more dial answers as a human at s0 with the learned
// probability; its risk is the chance that its human is abandoned. The pacer
// dials while the next call's risk stays under the gain the abandonment
// budget sets (pacing_budget.go).
//
// H and A are sums of independent Bernoulli variables (each ringing call's
// chance of being a human by then, given how long it has rung; each busy
// agent's chance of being ready by then, given how long it has talked or
// wrapped up), so P(H(s) ≥ A(s)) is computed exactly (Poisson binomial)
// while the numbers are small and with a normal approximation when large.
const (
	gridStep   = 0.5  // seconds between forecast points
	tiny       = 1e-4 // probabilities closer than this to 0 or 1 are taken as certain
	exactLimit = 5000 // terms × threshold above which the normal approximation is used
)

// forecast is the pacer's scratch space, reused between decisions.
type forecast struct {
	ds, dsc  []float64   // grid offsets, and the same plus the connect window
	thr      []int       // per point: agents surely ready, minus humans surely waiting
	terms    [][]float64 // per point: Bernoulli probabilities adding to H - A
	pmf      [][]float64 // per point: P(S = k) for k < thr, pmf[thr] = P(S ≥ thr); nil when normal
	mean     []float64   // per point, normal approximation: mean,
	vr       []float64   // variance
	m3       []float64   // and third central moment
	risk     []float64   // per point: P(H(s) ≥ A(s))
	tail     []float64   // suffix maxima of risk
	newQ     []float64   // per point: chance a new dial is a human answered by then
	ringing  rowCache    // ringing calls by age, 0.1 s
	answered rowCache    // answered calls awaiting a verdict by age, 0.1 s
	wrapping rowCache    // agents in wrap-up by age, 0.1 s
	talking  rowCache    // talking agents by age, 5 s
	risks    []float64   // the probed calls' risks
}

// maxDialsPerAgent bounds one decision whatever the numbers say.
const maxDialsPerAgent = 10

// predictive probes the next calls one by one and returns their risks (the
// chance each one's human would be abandoned), in increasing order, until
// one exceeds upTo. The caller dials the prefix under its gain.
func (p *Pacer) predictive(now, upTo float64) []float64 {
	agents := 0
	for _, a := range p.agents.vals {
		if a.state != agentBusy {
			agents++
		}
	}
	f := &p.fc
	f.risks = f.risks[:0]
	if agents == 0 {
		return f.risks
	}
	k := p.grid()
	f.reset(k)
	p.addAgents(now)
	p.addCalls(now)
	f.solve()
	limit := maxDialsPerAgent*agents + 10
	for len(f.risks) < limit {
		r := f.marginal()
		if r > upTo {
			break
		}
		if n := len(f.risks); n > 0 {
			r = math.Max(r, f.risks[n-1]) // keep the order exact despite rounding
		}
		f.risks = append(f.risks, r)
		f.addNew()
	}
	return f.risks
}

// grid sizes the horizon: as long as almost every human answers, plus the
// connect window, and fills the grid offsets.
func (p *Pacer) grid() int {
	h := p.model.resolve[classHuman].quantile(0.995) + gridStep
	h = math.Min(math.Max(h, 2), 120)
	k := int(math.Ceil(h / gridStep))
	f := &p.fc
	if len(f.ds) != k || f.dsc[0] != f.ds[0]+p.within {
		f.ds, f.dsc = make([]float64, k), make([]float64, k)
		for j := range k {
			f.ds[j] = float64(j+1) * gridStep
			f.dsc[j] = f.ds[j] + p.within
		}
	}
	pH := p.model.pHuman()
	h0 := p.model.resolve[classHuman]
	f.newQ = grow(f.newQ, k)
	for j, d := range f.ds {
		f.newQ[j] = pH * h0.cdf(d)
	}
	return k
}

func (f *forecast) reset(k int) {
	f.thr = growInt(f.thr, k)
	f.risk, f.tail = grow(f.risk, k), grow(f.tail, k)
	f.mean, f.vr, f.m3 = grow(f.mean, k), grow(f.vr, k), grow(f.m3, k)
	if len(f.terms) < k {
		f.terms = append(f.terms, make([][]float64, k-len(f.terms))...)
		f.pmf = append(f.pmf, make([][]float64, k-len(f.pmf))...)
	}
	f.terms, f.pmf = f.terms[:k], f.pmf[:k]
	for j := range k {
		f.thr[j] = 0
		f.terms[j] = f.terms[j][:0]
	}
}

// addAgents puts each agent's chance of being ready by s + connect window.
func (p *Pacer) addAgents(now float64) {
	f := &p.fc
	free := 0
	for i := range p.agents.vals {
		a := &p.agents.vals[i]
		switch a.state {
		case agentFree:
			free++
		case agentWrapping:
			f.addAgentRow(f.wrapping.row(now, now-a.since, len(f.ds), p.wrapFree))
		case agentTalking:
			f.addAgentRow(f.talking.row(now, now-a.since, len(f.ds), p.talkFree))
		}
	}
	for j := range f.thr {
		f.thr[j] += free
	}
}

// rowCache keeps forecast rows by quantized age for a few seconds: calls
// dialed together share their rows, and the model moves slowly.
type rowCache struct {
	quantum, life float64
	at            float64
	k             int
	rows          map[int][]float64
}

// row returns the cached row for age, computing it with fill at the
// quantum's midpoint when missing.
func (c *rowCache) row(now, age float64, k int, fill func(age float64, out []float64)) []float64 {
	if c.rows == nil || now-c.at > c.life || now < c.at || c.k != k {
		c.rows, c.at, c.k = map[int][]float64{}, now, k
	}
	key := int(age / c.quantum)
	if r, ok := c.rows[key]; ok {
		return r
	}
	r := make([]float64, k)
	fill((float64(key)+0.5)*c.quantum, r)
	c.rows[key] = r
	return r
}

func (f *forecast) addAgentRow(row []float64) {
	for j, a := range row {
		switch {
		case a >= 1-tiny:
			f.thr[j]++
		case a > tiny:
			f.thr[j]++
			f.terms[j] = append(f.terms[j], 1-a) // A counts down from thr
		}
	}
}

// Row fillers for the caches: the grid is fixed for the cache's life.
func (p *Pacer) wrapFree(age float64, out []float64) { p.model.wrapFree(age, p.fc.dsc, out) }
func (p *Pacer) talkFree(age float64, out []float64) { p.model.talkFree(age, p.fc.dsc, out) }
func (p *Pacer) ringingHuman(age float64, out []float64) {
	p.model.ringingHuman(age, p.fc.ds, out)
}
func (p *Pacer) answeredHuman(age float64, out []float64) {
	p.model.answeredHuman(age, p.fc.ds, out)
}

// addCalls puts each call's chance of being a human answered by s.
func (p *Pacer) addCalls(now float64) {
	f := &p.fc
	var row []float64
	for i := range p.calls.vals {
		c := &p.calls.vals[i]
		switch c.state {
		case callWaiting:
			for j := range f.thr {
				f.thr[j]--
			}
			continue
		case callRinging:
			row = f.ringing.row(now, now-c.dialed, len(f.ds), p.ringingHuman)
		case callAnswered:
			row = f.answered.row(now, now-c.answered, len(f.ds), p.answeredHuman)
		default:
			continue
		}
		for j, q := range row {
			if q > tiny {
				f.terms[j] = append(f.terms[j], q)
			}
		}
	}
}

// solve computes P(S ≥ thr) at every point, S the sum of the terms.
func (f *forecast) solve() {
	for j := range f.thr {
		t, terms := f.thr[j], f.terms[j]
		f.pmf[j] = f.pmf[j][:0]
		f.mean[j], f.vr[j], f.m3[j] = 0, 0, 0
		switch {
		case t <= 0:
			f.risk[j] = 1
			continue
		case len(terms)*t > exactLimit:
			for _, q := range terms {
				f.addMoments(j, q)
			}
			f.risk[j] = normalAtLeast(f.mean[j], f.vr[j], f.m3[j], t)
			continue
		}
		pmf := grow(f.pmf[j], t+1)
		clear(pmf)
		pmf[0] = 1
		for _, q := range terms {
			addBernoulli(pmf, q)
		}
		f.pmf[j] = pmf
		f.risk[j] = pmf[t]
	}
}

// marginal is the chance that one more dial's human would be abandoned,
// given that it is a human.
func (f *forecast) marginal() float64 {
	k := len(f.risk)
	m := 0.0
	for j := k - 1; j >= 0; j-- {
		if r := f.risk[j]; r > m {
			m = r
		}
		f.tail[j] = m
	}
	r, prev := 0.0, 0.0
	for j, q := range f.newQ[:k] {
		r += (q - prev) * f.tail[j]
		prev = q
	}
	if prev <= 0 {
		return 1 // no human can answer within the horizon: dialing is pointless
	}
	return r / prev
}

// addNew adds one more dialed call to every point.
func (f *forecast) addNew() {
	for j, q := range f.newQ[:len(f.risk)] {
		t := f.thr[j]
		switch {
		case t <= 0 || q <= 0:
		case len(f.pmf[j]) == 0:
			f.addMoments(j, q)
			f.risk[j] = normalAtLeast(f.mean[j], f.vr[j], f.m3[j], t)
		default:
			addBernoulli(f.pmf[j], q)
			f.risk[j] = f.pmf[j][t]
		}
	}
}

// addBernoulli folds one Bernoulli(q) into a pmf whose last cell holds
// everything at or above it.
func addBernoulli(pmf []float64, q float64) {
	t := len(pmf) - 1
	pmf[t] += pmf[t-1] * q
	for k := t - 1; k > 0; k-- {
		pmf[k] = pmf[k]*(1-q) + pmf[k-1]*q
	}
	pmf[0] *= 1 - q
}

func (f *forecast) addMoments(j int, q float64) {
	f.mean[j] += q
	f.vr[j] += q * (1 - q)
	f.m3[j] += q * (1 - q) * (1 - 2*q)
}

// normalAtLeast is P(S ≥ t) for a sum of many Bernoulli variables with the
// given mean, variance and third central moment: the normal approximation
// with a continuity and a skewness correction (a sum of rare events leans
// right, and the plain normal would understate the risk in its tail).
func normalAtLeast(mean, vr, m3 float64, t int) float64 {
	if vr <= 0 {
		if mean >= float64(t)-0.5 {
			return 1
		}
		return 0
	}
	sd := math.Sqrt(vr)
	z := (float64(t) - 0.5 - mean) / sd
	skew := m3 / (vr * sd)
	below := 0.5*math.Erfc(-z/math.Sqrt2) + skew*(1-z*z)*math.Exp(-z*z/2)/(6*math.Sqrt(2*math.Pi))
	return min(max(1-below, 0), 1)
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func growInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}
