package dialer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The trace checker: what pacing.md implies about a trace, checked on the
// trace as an outside reader sees it (JSON lines), against the scenario.

// runTraced simulates sc and reads its trace back through JSON.
func runTraced(t *testing.T, sc Scenario, mode Mode) (SimResult, []TraceCall) {
	t.Helper()
	var buf bytes.Buffer
	tw := NewTraceWriter(&buf)
	res, err := Simulate(context.Background(), sc, SimOptions{Mode: mode, Trace: tw.Call})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Summary(res); err != nil {
		t.Fatal(err)
	}
	var calls []TraceCall
	sc2 := bufio.NewScanner(&buf)
	sc2.Buffer(nil, 1<<20)
	for sc2.Scan() {
		line := sc2.Bytes()
		if bytes.HasPrefix(line, []byte(`{"summary"`)) {
			continue
		}
		var c TraceCall
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("trace line %s: %v", line, err)
		}
		calls = append(calls, c)
	}
	return res, calls
}

const slack = 0.0015 // two times rounded to the millisecond

func TestTraceDefaultScenario(t *testing.T) {
	for _, mode := range []Mode{ModePredictive, ModeProgressive} {
		sc := DefaultScenario()
		sc.Hours = 1
		res, calls := runTraced(t, sc, mode)
		checkTrace(t, sc, res, calls)
	}
}

// A scenario with every distribution kind and other proportions: the
// checks follow whatever the scenario says.
func TestTraceCustomScenario(t *testing.T) {
	sc, err := ParseScenario(strings.NewReader(`{"agents": 12, "hours": 2, "seed": 9, "connect_within_s": 3,
	  "max_abandon_rate": 0.03,
	  "outcomes": {"human": 0.25, "machine": 0.1, "no_answer": 0.45, "failed": 0.2},
	  "ring_s": {"human": {"exponential": {"mean": 9}}, "machine": {"uniform": [4, 16]}},
	  "amd_s": {"uniform": [2, 4]},
	  "no_answer_s": {"lognormal": {"mean": 28, "sigma": 0.1}},
	  "failed_s": {"mix": [[1, 2], [1, {"uniform": [3, 5]}]]},
	  "talk_s": {"mix": [[3, {"lognormal": {"mean": 150, "sigma": 0.5}}], [1, {"uniform": [20, 40]}]]},
	  "wrap_s": {"exponential": {"mean": 20}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []Mode{ModePredictive, ModeProgressive} {
		res, calls := runTraced(t, sc, mode)
		checkTrace(t, sc, res, calls)
	}
}

// A shift longer than a day carries the 24-hour window figure.
func TestTraceWindowFigures(t *testing.T) {
	sc := DefaultScenario()
	sc.Agents, sc.Hours, sc.Seed = 4, 26, 3
	res, calls := runTraced(t, sc, ModePredictive)
	if res.Worst24h == nil || res.Worst30d != nil {
		t.Fatalf("26 h shift: 24 h figure %v, 30 d figure %v; want only the 24 h one", res.Worst24h, res.Worst30d)
	}
	if *res.Worst24h > sc.MaxAbandonRate {
		t.Errorf("worst 24 h abandonment %.4f above the cap %.4f", *res.Worst24h, sc.MaxAbandonRate)
	}
	checkTrace(t, sc, res, calls)
}

func checkTrace(t *testing.T, sc Scenario, res SimResult, calls []TraceCall) {
	t.Helper()
	checkCalls(t, sc, calls)
	checkOutcomes(t, sc, calls)
	checkDurations(t, sc, calls)
	checkAgents(t, sc, calls)
	checkFigures(t, sc, res, calls)
}

// checkCalls: one line per dial, dials inside the shift, nulls as pacing.md says.
func checkCalls(t *testing.T, sc Scenario, calls []TraceCall) {
	t.Helper()
	seen := map[int]bool{}
	for _, c := range calls {
		if seen[c.Call] {
			t.Fatalf("call %d written twice", c.Call)
		}
		seen[c.Call] = true
		if c.Dial < 0 || c.Dial >= sc.ShiftSeconds() {
			t.Errorf("call %d dialed at %v, outside the shift [0, %v)", c.Call, c.Dial, sc.ShiftSeconds())
		}
		answered := c.Outcome == OutcomeHuman || c.Outcome == OutcomeMachine
		if (c.Answer != nil) != answered {
			t.Errorf("call %d (%s): answer %v", c.Call, c.Outcome, c.Answer)
		}
		connected := c.Agent != nil
		if connected != (c.Connect != nil) || connected != (c.AgentFree != nil) || (connected && c.Outcome != OutcomeHuman) {
			t.Errorf("call %d (%s): agent %v, connect %v, agent_free %v", c.Call, c.Outcome, c.Agent, c.Connect, c.AgentFree)
		}
		if connected && (*c.Agent < 0 || *c.Agent >= sc.Agents) {
			t.Errorf("call %d: agent %d, want 0..%d", c.Call, *c.Agent, sc.Agents-1)
		}
		if c.End < c.Dial {
			t.Errorf("call %d ends at %v before its dial %v", c.Call, c.End, c.Dial)
		}
	}
	for i := range len(calls) {
		if !seen[i] {
			t.Fatalf("call %d of %d missing from the trace", i, len(calls))
		}
	}
}

// checkOutcomes: each dial's outcome is drawn independently from the
// scenario's proportions, so each count is binomial.
func checkOutcomes(t *testing.T, sc Scenario, calls []TraceCall) {
	t.Helper()
	n := float64(len(calls))
	count := map[Outcome]float64{}
	for _, c := range calls {
		count[c.Outcome]++
	}
	o := sc.Outcomes
	for out, p := range map[Outcome]float64{OutcomeHuman: o.Human, OutcomeMachine: o.Machine, OutcomeNoAnswer: o.NoAnswer, OutcomeFailed: o.Failed} {
		if sd := math.Sqrt(n * p * (1 - p)); math.Abs(count[out]-n*p) > 5*sd+1 {
			t.Errorf("%s: %v of %v dials, want %.0f ± %.0f", out, count[out], n, n*p, 5*sd+1)
		}
	}
}

// checkDurations: every stage lasts what the scenario's distribution says.
func checkDurations(t *testing.T, sc Scenario, calls []TraceCall) {
	t.Helper()
	stages := map[string][]float64{}
	add := func(k string, v float64) { stages[k] = append(stages[k], v) }
	for _, c := range calls {
		switch {
		case c.Outcome == OutcomeNoAnswer:
			add("no_answer_s", c.End-c.Dial)
		case c.Outcome == OutcomeFailed:
			add("failed_s", c.End-c.Dial)
		case c.Outcome == OutcomeMachine:
			add("ring_s.machine", *c.Answer-c.Dial)
			add("amd_s", c.End-*c.Answer)
		case c.Agent == nil: // abandoned human
			add("ring_s.human", *c.Answer-c.Dial)
			if d := c.End - *c.Answer; math.Abs(d-sc.ConnectWithinS) > slack {
				t.Errorf("abandoned call %d ends %v after its answer, want connect_within_s %v", c.Call, d, sc.ConnectWithinS)
			}
		default:
			add("ring_s.human", *c.Answer-c.Dial)
			add("talk_s", c.End-*c.Connect)
			add("wrap_s", *c.AgentFree-c.End)
		}
	}
	dists := map[string]Dist{"no_answer_s": sc.NoAnswerS, "failed_s": sc.FailedS, "ring_s.machine": sc.RingS.Machine,
		"amd_s": sc.AMDS, "ring_s.human": sc.RingS.Human, "talk_s": sc.TalkS, "wrap_s": sc.WrapS}
	for k, d := range dists {
		checkSample(t, k, stages[k], d)
	}
}

// checkSample: inside the support, mean within five standard errors, and
// the shape by a two-sample Kolmogorov-Smirnov test against draws from the
// distribution (at the 0.1 % level).
func checkSample(t *testing.T, name string, xs []float64, d Dist) {
	t.Helper()
	if len(xs) < 30 {
		t.Errorf("%s: only %d samples in the trace", name, len(xs))
		return
	}
	sum := 0.0
	for _, x := range xs {
		if x < d.Min()-slack || x > d.Max()+slack {
			t.Errorf("%s: %v outside [%v, %v]", name, x, d.Min(), d.Max())
			return
		}
		sum += x
	}
	n := float64(len(xs))
	if se := math.Sqrt(d.Var() / n); math.Abs(sum/n-d.Mean()) > 5*se+slack {
		t.Errorf("%s: mean %.3f over %d, want %.3f ± %.3f", name, sum/n, len(xs), d.Mean(), 5*se)
	}
	if d.Var() == 0 {
		return
	}
	r := rand.New(rand.NewPCG(99, 1))
	ref := make([]float64, 20000)
	for i := range ref {
		ref[i] = d.Sample(r)
	}
	if ks, crit := ksDistance(xs, ref), 1.95*math.Sqrt((n+20000)/(n*20000)); ks > crit {
		t.Errorf("%s: Kolmogorov-Smirnov distance %.4f over %d samples, critical %.4f", name, ks, len(xs), crit)
	}
}

func ksDistance(a, b []float64) float64 {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Float64s(a)
	sort.Float64s(b)
	i, j, d := 0, 0, 0.0
	for i < len(a) && j < len(b) {
		x := math.Min(a[i], b[j])
		for i < len(a) && a[i] <= x {
			i++
		}
		for j < len(b) && b[j] <= x {
			j++
		}
		d = math.Max(d, math.Abs(float64(i)/float64(len(a))-float64(j)/float64(len(b))))
	}
	return d
}

// agentCalls groups connected calls by agent in connect order.
func agentCalls(calls []TraceCall) map[int][]TraceCall {
	by := map[int][]TraceCall{}
	for _, c := range calls {
		if c.Agent != nil {
			by[*c.Agent] = append(by[*c.Agent], c)
		}
	}
	for _, cs := range by {
		sort.Slice(cs, func(i, j int) bool { return *cs[i].Connect < *cs[j].Connect })
	}
	return by
}

// checkAgents: no agent on two calls at once; a human connects within
// connect_within_s of its answer; agent_free - connect is talk + wrap; and
// an abandoned human found no agent idle while it waited.
func checkAgents(t *testing.T, sc Scenario, calls []TraceCall) {
	t.Helper()
	by := agentCalls(calls)
	for a, cs := range by {
		for i, c := range cs {
			if i > 0 && *c.Connect < *cs[i-1].AgentFree-slack {
				t.Errorf("agent %d: call %d connects at %v while still on call %d until %v", a, c.Call, *c.Connect, cs[i-1].Call, *cs[i-1].AgentFree)
			}
			if w := *c.Connect - *c.Answer; w < -slack || w > sc.ConnectWithinS+slack {
				t.Errorf("call %d connects %v s after its answer, want 0..%v", c.Call, w, sc.ConnectWithinS)
			}
			if !(*c.Connect <= c.End+slack && c.End <= *c.AgentFree+slack) {
				t.Errorf("call %d: connect %v, end %v, agent_free %v out of order", c.Call, *c.Connect, c.End, *c.AgentFree)
			}
		}
	}
	for _, c := range calls {
		if c.Outcome != OutcomeHuman || c.Agent != nil {
			continue
		}
		from, to := *c.Answer, *c.Answer+sc.ConnectWithinS
		for a := range sc.Agents {
			if lo, hi, idle := idleDuring(by[a], from, to); idle {
				t.Errorf("call %d abandoned while agent %d was idle from %v to %v", c.Call, a, lo, hi)
			}
		}
	}
}

// idleDuring reports an idle stretch of the agent (before its first call,
// between calls, after its last) overlapping (from, to) by more than the
// rounding.
func idleDuring(cs []TraceCall, from, to float64) (float64, float64, bool) {
	prev := 0.0
	for _, c := range cs {
		if math.Min(*c.Connect, to)-math.Max(prev, from) > 2*slack {
			return prev, *c.Connect, true
		}
		prev = *c.AgentFree
	}
	if to-math.Max(prev, from) > 2*slack {
		return prev, math.Inf(1), true
	}
	return 0, 0, false
}

// traceFigures recomputes the simulator's figures from the trace alone.
func traceFigures(sc Scenario, calls []TraceCall) SimResult {
	r := SimResult{Agents: sc.Agents, Hours: sc.Hours, Dials: len(calls)}
	shift := sc.ShiftSeconds()
	var windows []windowCount
	for _, c := range calls {
		if c.Outcome != OutcomeHuman {
			continue
		}
		r.Humans++
		b := int(math.Floor(*c.Answer / 600))
		for len(windows) <= b {
			windows = append(windows, windowCount{})
		}
		windows[b].humans++
		if c.Agent == nil {
			r.Abandoned++
			windows[b].abandoned++
			continue
		}
		r.Connected++
		r.busy += overlap(*c.Connect, *c.AgentFree, 0, shift)
	}
	for _, cs := range agentCalls(calls) {
		prev := 0.0
		for _, c := range cs {
			r.waitSum += *c.Connect - prev
			prev = *c.AgentFree
		}
	}
	r.finish(sc, windows)
	return r
}

var lineNumbers = regexp.MustCompile(`occupancy ([\d.]+)%  abandon ([\d.]+)% \((\d+)/(\d+)\)  agent wait ([\d.]+)s  dials/human ([\d.]+)`)

// checkFigures: every figure of the printed line comes out of the trace.
func checkFigures(t *testing.T, sc Scenario, res SimResult, calls []TraceCall) {
	t.Helper()
	got := traceFigures(sc, calls)
	near := func(name string, a, b, tol float64) {
		if math.Abs(a-b) > tol {
			t.Errorf("%s: simulator says %v, the trace gives %v", name, a, b)
		}
	}
	near("occupancy", res.Occupancy, got.Occupancy, 1e-5)
	near("abandon rate", res.AbandonRate, got.AbandonRate, 1e-12)
	near("mean agent wait", res.MeanAgentWaitS, got.MeanAgentWaitS, 0.01)
	near("dials per human", res.DialsPerHuman, got.DialsPerHuman, 1e-12)
	if (res.Worst24h == nil) != (got.Worst24h == nil) || (res.Worst24h != nil && math.Abs(*res.Worst24h-*got.Worst24h) > 1e-9) {
		t.Errorf("worst 24 h window: simulator %v, trace %v", res.Worst24h, got.Worst24h)
	}
	m := lineNumbers.FindStringSubmatch(res.Line())
	if m == nil {
		t.Fatalf("line %q lacks the figures", res.Line())
	}
	printed := func(i int) float64 { v, _ := strconv.ParseFloat(m[i], 64); return v }
	near("printed occupancy", printed(1), 100*got.Occupancy, 0.05+1e-3)
	near("printed abandon", printed(2), 100*got.AbandonRate, 0.05+1e-9)
	near("printed abandoned", printed(3), float64(got.Abandoned), 0)
	near("printed humans", printed(4), float64(got.Humans), 0)
	near("printed agent wait", printed(5), got.MeanAgentWaitS, 0.05+0.01)
	near("printed dials/human", printed(6), got.DialsPerHuman, 0.005+1e-9)
	if !strings.Contains(res.Line(), string(res.Mode)) || !strings.Contains(res.Line(), fmt.Sprintf("%d dials", got.Dials)) {
		t.Errorf("line %q lacks the policy or the dials", res.Line())
	}
}
