package dialer

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// The example of pacing.md, verbatim: it is the default scenario.
const pacingMDExample = `{
  "agents": 50,
  "hours": 8,
  "seed": 1,
  "max_abandon_rate": 0.025,
  "connect_within_s": 2,
  "outcomes": {"human": 0.15, "machine": 0.15, "no_answer": 0.50, "failed": 0.20},
  "ring_s": {"human": {"mix": [[0.6, {"uniform": [6, 10]}], [0.4, {"uniform": [18, 22]}]]},
             "machine": {"uniform": [6, 22]}},
  "amd_s": 3,
  "no_answer_s": 25,
  "failed_s": 3,
  "talk_s": {"lognormal": {"mean": 240, "sigma": 0.8}},
  "wrap_s": 30
}`

func TestParseScenarioDefaults(t *testing.T) {
	for _, in := range []string{"{}", pacingMDExample} {
		sc, err := ParseScenario(strings.NewReader(in))
		if err != nil {
			t.Fatalf("%.20s: %v", in, err)
		}
		if !reflect.DeepEqual(sc, DefaultScenario()) {
			t.Errorf("%.20s: parsed %+v, want the defaults %+v", in, sc, DefaultScenario())
		}
	}
}

func TestParseScenarioKeys(t *testing.T) {
	cases := []struct {
		in    string
		check func(Scenario) bool
	}{
		{`{"agents": 7, "hours": 0.5, "seed": 42}`, func(s Scenario) bool { return s.Agents == 7 && s.Hours == 0.5 && s.Seed == 42 }},
		{`{"max_abandon_rate": 0.01, "connect_within_s": 0}`, func(s Scenario) bool { return s.MaxAbandonRate == 0.01 && s.ConnectWithinS == 0 }},
		{`{"outcomes": {"human": 0.3, "no_answer": 0.7}}`, func(s Scenario) bool {
			return s.Outcomes == Outcomes{Human: 0.3, NoAnswer: 0.7}
		}},
		// ring_s keeps the kind it does not name.
		{`{"ring_s": {"machine": 9}}`, func(s Scenario) bool {
			return reflect.DeepEqual(s.RingS.Machine, Const(9)) && reflect.DeepEqual(s.RingS.Human, DefaultScenario().RingS.Human)
		}},
		{`{"talk_s": {"exponential": {"mean": 180}}}`, func(s Scenario) bool { return reflect.DeepEqual(s.TalkS, Exponential(180)) }},
		{`{"wrap_s": {"uniform": [10, 20]}, "amd_s": 2.5}`, func(s Scenario) bool {
			return reflect.DeepEqual(s.WrapS, Uniform(10, 20)) && reflect.DeepEqual(s.AMDS, Const(2.5))
		}},
		{`{"no_answer_s": {"lognormal": {"mean": 30, "sigma": 0}}, "failed_s": 0}`, func(s Scenario) bool {
			return reflect.DeepEqual(s.NoAnswerS, Lognormal(30, 0)) && reflect.DeepEqual(s.FailedS, Const(0))
		}},
		{`{"talk_s": {"mix": [[1, {"mix": [[2, 60], [1, {"uniform": [100, 200]}]]}], [3, {"exponential": {"mean": 90}}]]}}`, func(s Scenario) bool {
			inner := Mix([]float64{2, 1}, []Dist{Const(60), Uniform(100, 200)})
			return reflect.DeepEqual(s.TalkS, Mix([]float64{1, 3}, []Dist{inner, Exponential(90)}))
		}},
	}
	for _, c := range cases {
		sc, err := ParseScenario(strings.NewReader(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if !c.check(sc) {
			t.Errorf("%s: parsed %+v", c.in, sc)
		}
	}
}

// Bad input names the key at fault and leaves the scenario as it was.
func TestParseScenarioErrors(t *testing.T) {
	cases := []struct{ in, key, msg string }{
		{`[1, 2]`, "(file)", "not a JSON object"},
		{`{"agent": 5}`, "agent", "unknown key"},
		{`{"agents": 2.5}`, "agents", "whole number"},
		{`{"agents": 0}`, "agents", "1 to"},
		{`{"agents": 20000}`, "agents", "1 to"},
		{`{"hours": "8"}`, "hours", "want a number"},
		{`{"hours": 0}`, "hours", "more than 0"},
		{`{"seed": -1}`, "seed", "0 or more"},
		{`{"max_abandon_rate": 3}`, "max_abandon_rate", "fraction"},
		{`{"connect_within_s": -1}`, "connect_within_s", "0 to 60"},
		{`{"outcomes": {"human": 0.5}}`, "outcomes", "sum to 0.5"},
		{`{"outcomes": {"humans": 1}}`, "outcomes", "unknown field"},
		{`{"outcomes": {"human": -0.5, "no_answer": 1.5}}`, "outcomes.human", "proportion"},
		{`{"ring_s": {"robot": 5}}`, "ring_s.robot", "unknown key"},
		{`{"ring_s": {"human": {"uniform": [10, 6]}}}`, "ring_s.human", "min ≤ max"},
		{`{"ring_s": {"machine": {"uniform": [1]}}}`, "ring_s.machine", "[min, max]"},
		{`{"talk_s": {"lognormal": {"mean": 0, "sigma": 1}}}`, "talk_s", "mean > 0"},
		{`{"talk_s": {"lognormal": {"mean": 200}}}`, "talk_s", `"sigma"`},
		{`{"talk_s": {"lognormal": {"mean": 200, "sigma": 0.5, "mu": 1}}}`, "talk_s", "lognormal"},
		{`{"wrap_s": {"exponential": {"mean": -3}}}`, "wrap_s", "mean > 0"},
		{`{"wrap_s": {"gamma": {"k": 2}}}`, "wrap_s", `unknown distribution "gamma"`},
		{`{"wrap_s": {"uniform": [1, 2], "exponential": {"mean": 3}}}`, "wrap_s", "exactly one key"},
		{`{"wrap_s": -4}`, "wrap_s", "≥ 0"},
		{`{"wrap_s": "30"}`, "wrap_s", "number of seconds"},
		{`{"amd_s": {"mix": []}}`, "amd_s", "mix"},
		{`{"amd_s": {"mix": [[0, 3]]}}`, "amd_s", "mix[0]: weight"},
		{`{"amd_s": {"mix": [[1, 3], [1, {"uniform": [5, 4]}]]}}`, "amd_s", "mix[1]: uniform"},
		{`{"no_answer_s": {"mix": [[1]]}}`, "no_answer_s", "mix[0]"},
	}
	for _, c := range cases {
		sc := DefaultScenario()
		sc.Agents = 12
		before := sc
		err := sc.Apply([]byte(c.in))
		var se *ScenarioError
		if !errors.As(err, &se) {
			t.Errorf("%s: error %v, want a ScenarioError", c.in, err)
			continue
		}
		if se.Key != c.key || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %q (key %q), want key %q and %q", c.in, err, se.Key, c.key, c.msg)
		}
		if !reflect.DeepEqual(sc, before) {
			t.Errorf("%s: a rejected file changed the scenario", c.in)
		}
	}
}

// Every distribution kind samples inside its support with its mean and
// variance, and writes back the form it was read from.
func TestDistKinds(t *testing.T) {
	kinds := []string{`7`, `{"uniform":[6,10]}`, `{"lognormal":{"mean":240,"sigma":0.8}}`,
		`{"exponential":{"mean":30}}`, `{"mix":[[0.6,{"uniform":[6,10]}],[0.4,{"uniform":[18,22]}]]}`}
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range kinds {
		var d Dist
		if err := json.Unmarshal([]byte(k), &d); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		out, _ := json.Marshal(d)
		if string(out) != k {
			t.Errorf("%s: written back as %s", k, out)
		}
		const n = 200000
		s, ss := 0.0, 0.0
		for range n {
			x := d.Sample(r)
			if x < d.Min() || x > d.Max() {
				t.Fatalf("%s: sample %v outside [%v, %v]", k, x, d.Min(), d.Max())
			}
			s += x
			ss += x * x
		}
		mean, vr := s/n, ss/n-(s/n)*(s/n)
		if se := math.Sqrt(d.Var() / n); math.Abs(mean-d.Mean()) > 5*se+1e-9 {
			t.Errorf("%s: sample mean %.3f, want %.3f ± %.3f", k, mean, d.Mean(), 5*se)
		}
		if d.Var() > 0 && math.Abs(vr/d.Var()-1) > 0.1 {
			t.Errorf("%s: sample variance %.1f, want about %.1f", k, vr, d.Var())
		}
	}
}
