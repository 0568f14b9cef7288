package dialer

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
)

// TraceCall is one line of the simulation trace (pacing.md): times in
// simulated seconds from the start of the shift, to the millisecond. Answer
// is nil for no_answer and failed calls; Agent, Connect and AgentFree are
// nil except for a connected human.
type TraceCall struct {
	Call      int      `json:"call"`
	Dial      float64  `json:"dial"`
	Outcome   Outcome  `json:"outcome"`
	Answer    *float64 `json:"answer"`
	Agent     *int     `json:"agent"`
	Connect   *float64 `json:"connect"`
	AgentFree *float64 `json:"agent_free"`
	End       float64  `json:"end"`
}

func ms(v float64) float64 { return math.Round(v*1000) / 1000 }

func msp(v float64) *float64 { r := ms(v); return &r }

func (c *simCall) trace(id int) TraceCall {
	t := TraceCall{Call: id, Dial: ms(c.dial), Outcome: c.outcome, End: ms(c.end)}
	if c.answered {
		t.Answer = msp(c.answer)
	}
	if c.connected {
		a := c.agent
		t.Agent, t.Connect, t.AgentFree = &a, msp(c.connect), msp(c.agentFree)
	}
	return t
}

// TraceWriter writes trace lines as JSON, one per call, and the summary
// line last.
type TraceWriter struct {
	enc *json.Encoder
}

// NewTraceWriter writes to w.
func NewTraceWriter(w io.Writer) *TraceWriter { return &TraceWriter{enc: json.NewEncoder(w)} }

// Call writes one call.
func (tw *TraceWriter) Call(c TraceCall) error { return tw.enc.Encode(c) }

// Summary writes the closing {"summary": ...} line readers may ignore.
func (tw *TraceWriter) Summary(r SimResult) error {
	return tw.enc.Encode(map[string]SimResult{"summary": r})
}

// SimResult is what a simulated shift measured. Every figure can be
// recomputed from the trace: occupancy from connect..agent_free clipped to
// the shift, abandonment from humans without an agent, the agent wait from
// each agent's gap between agent_free and the next connect (from the shift
// start for its first call), the window figures from answer times.
type SimResult struct {
	Mode           Mode    `json:"policy"`
	Agents         int     `json:"agents"`
	Hours          float64 `json:"hours"`
	Seed           int64   `json:"seed"`
	MaxAbandonRate float64 `json:"max_abandon_rate"`
	Dials          int     `json:"dials"`
	Humans         int     `json:"humans"`
	Machines       int     `json:"machines"`
	NoAnswers      int     `json:"no_answers"`
	Failed         int     `json:"failed"`
	Connected      int     `json:"connected"`
	Abandoned      int     `json:"abandoned"`
	// Occupancy is agent talk + wrap-up inside the shift over agents × shift.
	Occupancy float64 `json:"occupancy"`
	// AbandonRate is abandoned over answered humans.
	AbandonRate float64 `json:"abandon_rate"`
	// MeanAgentWaitS is how long an agent waited, on average, before each call.
	MeanAgentWaitS float64 `json:"mean_agent_wait_s"`
	DialsPerHuman  float64 `json:"dials_per_human"`
	// Worst24h and Worst30d are the highest abandonment over any full
	// 24-hour or 30-day window (ending on a 10-minute mark) when the shift is
	// that long.
	Worst24h *float64 `json:"worst_24h_abandon_rate,omitempty"`
	Worst30d *float64 `json:"worst_30d_abandon_rate,omitempty"`

	busy, waitSum float64
}

// windowCount is answered humans and abandoned calls in one 10-minute
// bucket of answer time.
type windowCount struct{ humans, abandoned int }

func (s *sim) countWindow(answer float64, abandoned bool) {
	b := int(math.Floor(answer / bucketSeconds))
	for len(s.windows) <= b {
		s.windows = append(s.windows, windowCount{})
	}
	if abandoned {
		s.windows[b].abandoned++
		return
	}
	s.windows[b].humans++
}

func (r *SimResult) finish(sc Scenario, windows []windowCount) {
	r.Occupancy = r.busy / (float64(sc.Agents) * sc.ShiftSeconds())
	r.AbandonRate = ratio(r.Abandoned, r.Humans)
	r.MeanAgentWaitS = r.waitSum / math.Max(float64(r.Connected), 1)
	r.DialsPerHuman = ratio(r.Dials, r.Humans)
	r.Worst24h = worstWindow(windows, span24h, sc.ShiftSeconds())
	r.Worst30d = worstWindow(windows, span30d, sc.ShiftSeconds())
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// worstWindow is the highest abandonment over windows of span buckets
// ending on each bucket boundary from span on; nil when the shift is
// shorter than the window.
func worstWindow(w []windowCount, span int, shift float64) *float64 {
	if shift < float64(span*bucketSeconds) {
		return nil
	}
	if n := int(math.Ceil(shift / bucketSeconds)); len(w) < n {
		w = append(w, make([]windowCount, n-len(w))...)
	}
	worst, h, a := 0.0, 0, 0
	for i, c := range w {
		h, a = h+c.humans, a+c.abandoned
		if i >= span {
			h, a = h-w[i-span].humans, a-w[i-span].abandoned
		}
		if i >= span-1 {
			worst = math.Max(worst, ratio(a, h))
		}
	}
	return &worst
}

// Line is the one-line report of pacing.md: the policy's name, then
// occupancy NN.N% and abandon N.N%, then the rest.
func (r SimResult) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-11s occupancy %.1f%%  abandon %.1f%% (%d/%d)  agent wait %.1fs  dials/human %.2f",
		r.Mode, 100*r.Occupancy, 100*r.AbandonRate, r.Abandoned, r.Humans, r.MeanAgentWaitS, r.DialsPerHuman)
	if r.Worst24h != nil {
		fmt.Fprintf(&b, "  24h-max abandon %.1f%%", 100**r.Worst24h)
	}
	if r.Worst30d != nil {
		fmt.Fprintf(&b, "  30d-max abandon %.1f%%", 100**r.Worst30d)
	}
	fmt.Fprintf(&b, "  (agents %d, %gh, seed %d, cap %.1f%%, %d dials)", r.Agents, r.Hours, r.Seed, 100*r.MaxAbandonRate, r.Dials)
	return b.String()
}
