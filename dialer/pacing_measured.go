package dialer

import (
	"math"
	"slices"
)

// Measured is what a campaign's finished attempts say about its customers
// (the store reads it): counts by outcome and the durations of each stage,
// in seconds.
type Measured struct {
	Attempts, Human, Machine, NoAnswer, Failed int

	HumanRingS, MachineRingS, NoAnswerS, FailedS, TalkS []float64
}

// How much measurement is enough to replace a default: the outcome
// proportions need MinMeasuredAttempts finished attempts (the human rate,
// about 0.15, is then known to ±0.04 at worst), a duration
// MinMeasuredSamples calls that had the stage.
const (
	MinMeasuredAttempts = 300
	MinMeasuredSamples  = 50
)

// Source says where a scenario value came from.
type Source string

const (
	SourceMeasured Source = "measured" // the campaign's own attempts
	SourceDefault  Source = "default"  // the default scenario of pacing.md
)

// ApplyMeasured replaces the scenario's outcome proportions and durations
// by the measured ones where there are enough, and reports per scenario key
// where each value came from. Wrap-up and answering-machine detection times
// are not recorded per attempt and stay as they are.
func ApplyMeasured(sc *Scenario, m Measured) map[string]Source {
	src := map[string]Source{"outcomes": SourceDefault, "ring_s.human": SourceDefault, "ring_s.machine": SourceDefault,
		"no_answer_s": SourceDefault, "failed_s": SourceDefault, "talk_s": SourceDefault, "amd_s": SourceDefault, "wrap_s": SourceDefault}
	if total := m.Human + m.Machine + m.NoAnswer + m.Failed; total >= MinMeasuredAttempts {
		n := float64(total)
		sc.Outcomes = Outcomes{Human: float64(m.Human) / n, Machine: float64(m.Machine) / n,
			NoAnswer: float64(m.NoAnswer) / n, Failed: float64(m.Failed) / n}
		src["outcomes"] = SourceMeasured
	}
	for _, d := range []struct {
		key     string
		samples []float64
		dst     *Dist
	}{
		{"ring_s.human", m.HumanRingS, &sc.RingS.Human}, {"ring_s.machine", m.MachineRingS, &sc.RingS.Machine},
		{"no_answer_s", m.NoAnswerS, &sc.NoAnswerS}, {"failed_s", m.FailedS, &sc.FailedS}, {"talk_s", m.TalkS, &sc.TalkS},
	} {
		if len(d.samples) >= MinMeasuredSamples {
			*d.dst = Empirical(d.samples)
			src[d.key] = SourceMeasured
		}
	}
	return src
}

// Empirical is the distribution of samples as a scenario can write it: a
// mix of uniform pieces between quantiles, each piece holding the same
// share of the samples (at most 20 pieces, at least 5 samples each).
func Empirical(samples []float64) Dist {
	xs := slices.Clone(samples)
	slices.Sort(xs)
	n := len(xs)
	if n == 0 {
		return Const(0)
	}
	pieces := max(min(20, n/5), 1)
	d := Dist{kind: distMix}
	for k := range pieces {
		lo, hi := xs[k*n/pieces], xs[min((k+1)*n/pieces, n-1)]
		d.weight = append(d.weight, 1)
		d.parts = append(d.parts, Uniform(round3(lo), round3(math.Max(hi, lo))))
	}
	return d
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
