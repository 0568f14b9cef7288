package dialer

import (
	"math"
	"sort"
)

// How bold to be. The budget (pacing_budget.go) sets the abandonment rate to
// aim at; the pacer turns that into the risk it accepts per extra call. It
// learns the mapping from its own forecasts: every decision probes the
// calls it could add and their risks, so for each candidate gain it knows
// the average risk of the calls that gain would have dialed, i.e. the
// abandonment rate its model predicts at that gain. Averaged over the last
// minutes of decisions and calibrated by the abandonments that actually
// happened, that curve gives the gain for the rate wanted, at once and
// whatever the team size or the customers: a 50-agent team needs far less
// risk per call than a 5-agent team for the same rate.
const (
	gainPoints  = 24
	gainLow     = 1e-4 // smallest gain on the curve
	gainHigh    = 0.5  // largest gain
	gainMemoryS = 600  // seconds over which the curve is averaged
	gainPriorN  = 20   // calls the prior curve is worth
	calibPrior  = 3    // abandonments the calibration prior is worth
	calibMemory = 2000 // humans the calibration remembers
	riskMin     = 1e-6 // gain with no budget at all: all but progressive
)

type boldness struct {
	gains  [gainPoints]float64
	calls  [gainPoints]float64 // decayed count of calls each gain would have dialed
	risk   [gainPoints]float64 // and the sum of their risks
	at     float64
	expect float64 // decayed predicted abandonments among humans answered
	actual float64 // decayed abandonments
}

func (b *boldness) init() {
	for g := range b.gains {
		b.gains[g] = gainLow * math.Pow(gainHigh/gainLow, float64(g)/(gainPoints-1))
		b.calls[g] = gainPriorN
		b.risk[g] = gainPriorN * b.gains[g] / 2 // until seen: half the gain, a cautious guess
	}
}

// probeLimit is how far a decision at this gain probes: far enough to
// learn the curve above it (a target can rise fourfold per decision),
// not so far as to waste time on risks nobody will take.
func probeLimit(gain float64) float64 { return math.Min(gainHigh, math.Max(4*gain, 0.01)) }

// observe adds one decision's probed risks (in increasing order, probed up
// to limit) at time now. Points above the limit keep what they knew.
func (b *boldness) observe(now float64, risks []float64, limit float64) {
	decay := math.Exp(-math.Max(now-b.at, 0) / gainMemoryS)
	b.at = now
	sumTo, n := 0.0, 0
	for g, gain := range b.gains {
		if gain > limit {
			break
		}
		for n < len(risks) && risks[n] <= gain {
			sumTo += risks[n]
			n++
		}
		b.calls[g] = b.calls[g]*decay + float64(n)
		b.risk[g] = b.risk[g]*decay + sumTo
	}
}

// rate is the predicted abandonment rate at gain point g.
func (b *boldness) rate(g int) float64 {
	if b.calls[g] < 1e-9 {
		return 0
	}
	return b.risk[g] / b.calls[g]
}

// gainFor is the largest gain whose calibrated predicted rate is at most
// want, interpolated between curve points.
func (b *boldness) gainFor(want float64) float64 {
	want /= b.calibration()
	if want <= 0 {
		return riskMin
	}
	g := sort.Search(gainPoints, func(g int) bool { return b.rate(g) > want })
	switch g {
	case 0:
		return gainLow * want / math.Max(b.rate(0), 1e-12)
	case gainPoints:
		return gainHigh
	}
	lo, hi := b.rate(g-1), b.rate(g)
	x := 0.0
	if hi > lo {
		x = (want - lo) / (hi - lo)
	}
	return math.Exp(math.Log(b.gains[g-1]) + x*(math.Log(b.gains[g])-math.Log(b.gains[g-1])))
}

// calibration is actual over predicted abandonments, from a prior of 1.
func (b *boldness) calibration() float64 {
	return (b.actual + calibPrior) / (b.expect + calibPrior)
}

// human records that a call dialed with the given risk reached a human;
// abandoned that a human was abandoned.
func (b *boldness) human(risk float64) {
	b.expect = b.expect*(1-1.0/calibMemory) + risk
	b.actual *= 1 - 1.0/calibMemory
}

func (b *boldness) abandoned() { b.actual++ }
