package dialer

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestApplyMeasured(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	draw := func(d Dist, n int) []float64 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = d.Sample(r)
		}
		return xs
	}
	// Enough attempts, enough humans and talks; too few machines.
	m := Measured{Attempts: 1000, Human: 250, Machine: 40, NoAnswer: 510, Failed: 200,
		HumanRingS: draw(Uniform(4, 12), 250), MachineRingS: draw(Const(9), 40),
		NoAnswerS: draw(Const(30), 510), FailedS: draw(Uniform(1, 3), 200), TalkS: draw(Lognormal(120, 0.5), 240)}
	sc := DefaultScenario()
	src := ApplyMeasured(&sc, m)
	if sc.Outcomes != (Outcomes{Human: 0.25, Machine: 0.04, NoAnswer: 0.51, Failed: 0.2}) {
		t.Errorf("outcomes %+v", sc.Outcomes)
	}
	want := map[string]Source{"outcomes": SourceMeasured, "ring_s.human": SourceMeasured, "ring_s.machine": SourceDefault,
		"no_answer_s": SourceMeasured, "failed_s": SourceMeasured, "talk_s": SourceMeasured, "wrap_s": SourceDefault, "amd_s": SourceDefault}
	if !reflect.DeepEqual(src, want) {
		t.Errorf("sources %v, want %v", src, want)
	}
	if !reflect.DeepEqual(sc.RingS.Machine, DefaultScenario().RingS.Machine) {
		t.Errorf("machine ring replaced with %d samples", len(m.MachineRingS))
	}
	for _, c := range []struct {
		name      string
		got, want Dist
		tol       float64
	}{
		{"human ring", sc.RingS.Human, Uniform(4, 12), 0.3},
		{"no answer", sc.NoAnswerS, Const(30), 1e-9},
		{"talk", sc.TalkS, Lognormal(120, 0.5), 8},
	} {
		if math.Abs(c.got.Mean()-c.want.Mean()) > c.tol || c.got.Min() < c.want.Min()-1e-9 || c.got.Max() > c.want.Max()+1e-9 {
			t.Errorf("%s: mean %v in [%v, %v], want mean %v within [%v, %v]", c.name, c.got.Mean(), c.got.Min(), c.got.Max(),
				c.want.Mean(), c.want.Min(), c.want.Max())
		}
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}

	// Too few attempts: the proportions stay.
	sc = DefaultScenario()
	src = ApplyMeasured(&sc, Measured{Attempts: 100, Human: 40, NoAnswer: 60})
	if sc.Outcomes != DefaultScenario().Outcomes || src["outcomes"] != SourceDefault {
		t.Errorf("100 attempts: outcomes %+v from %s", sc.Outcomes, src["outcomes"])
	}
}

func TestEmpirical(t *testing.T) {
	if d := Empirical(nil); d.Mean() != 0 {
		t.Errorf("no samples: %v", d.Mean())
	}
	d := Empirical([]float64{3, 1, 2})
	if d.Min() != 1 || d.Max() != 3 {
		t.Errorf("3 samples: [%v, %v]", d.Min(), d.Max())
	}
	// It round-trips through the scenario file form.
	b, _ := d.MarshalJSON()
	var back Dist
	if err := back.UnmarshalJSON(b); err != nil || !reflect.DeepEqual(back, d) {
		t.Errorf("%s read back as %+v, %v", b, back, err)
	}
}
