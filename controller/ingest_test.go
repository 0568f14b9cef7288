package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// lifeOfCall is one answered, bridged, held leg: 11 events, of which the
// owner applies 10 (it is done at HANGUP_COMPLETE; DESTROY only counts
// for the live channel set).
var lifeOfCall = [][]string{
	{"CHANNEL_CREATE"}, {"CHANNEL_PROGRESS"}, {"CHANNEL_ANSWER"}, {"CHANNEL_EXECUTE"}, {"CHANNEL_PARK"},
	{"CHANNEL_BRIDGE", "Other-Leg-Unique-ID", "agent"}, {"CHANNEL_HOLD"}, {"CHANNEL_UNHOLD"}, {"CHANNEL_UNBRIDGE"},
	{"CHANNEL_HANGUP_COMPLETE", "Hangup-Cause", "NORMAL_CLEARING", "variable_billsec", "17"},
	{"CHANNEL_DESTROY"},
}

// interleaved renders the lives of a group of calls round-robin, so each
// call's events are spread among the others' like on a busy switch, with
// Event-Sequence following the wire order.
func (f *fakeFS) interleaved(group []*Call) (string, int) {
	var b strings.Builder
	for _, spec := range lifeOfCall {
		for _, c := range group {
			b.WriteString(f.eventFrame(spec[0], c.uuid, spec[1:]...))
		}
	}
	return b.String(), len(lifeOfCall) * len(group)
}

// ingestRun is one batch of calls and their rendered event frames.
type ingestRun struct {
	calls  []*Call
	frames []string
	events int
}

// prepareIngest registers calls on the node and renders their events,
// interleaved the way a busy switch sends them.
func prepareIngest(t testing.TB, p *Pool, f *fakeFS, round, calls, interleave int) ingestRun {
	n := p.nodes[0]
	run := ingestRun{calls: make([]*Call, calls)}
	for i := range run.calls {
		c, err := n.startCall(OriginateRequest{UUID: fmt.Sprintf("c-%d-%d", round, i)}, fmt.Sprintf("j-%d-%d", round, i), nil)
		if err != nil {
			t.Fatal(err)
		}
		n.pending.Add(1)
		run.calls[i] = c
	}
	for start := 0; start < calls; start += interleave {
		frames, n := f.interleaved(run.calls[start:min(start+interleave, calls)])
		run.frames = append(run.frames, frames)
		run.events += n
	}
	return run
}

// ingest streams the frames and waits until every owner is done.
func ingest(t testing.TB, f *fakeFS, run ingestRun) {
	for _, frames := range run.frames {
		if err := f.send(frames); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	for _, c := range run.calls {
		if _, err := c.Wait(ctx); err != nil {
			t.Fatalf("call %s not finished: %v (applied %d)", c.uuid, err, c.applied.Load())
		}
	}
}

// checkIngested verifies that no event was lost and every final record is
// right, and returns how many events reached their owner out of order.
// Order is restored within the reorder window; an event that the scheduler
// delayed beyond it still cannot undo progress (the state machine is
// monotonic), which the record checks prove.
func checkIngested(t testing.TB, cs []*Call) int64 {
	t.Helper()
	var disorder int64
	for _, c := range cs {
		r := c.Record()
		if c.applied.Load() != 10 || r.BridgedAt.IsZero() || r.BillSec != 17 || r.Result != ResultAnswered || r.Bridged || r.Held {
			t.Fatalf("call %s: applied %d record %+v", c.uuid, c.applied.Load(), r)
		}
		disorder += c.disorder.Load()
	}
	return disorder
}

func TestIngestKeepsOrderPerCall(t *testing.T) {
	f := startFakeFS(t)
	// The relay numbers every frame without gaps, so a missing number always
	// arrives: a window longer than any scheduling delay makes the restored
	// order independent of machine load (the default window is for speed).
	p := newTestPool(t, NodeConfig{Name: "n1", Address: f.addr(), HeartbeatInterval: time.Hour, ReorderWindow: patience})
	run := prepareIngest(t, p, f, 0, 300, 50)
	ingest(t, f, run)
	if d := checkIngested(t, run.calls); d > 3 {
		t.Errorf("%d events out of order among %d", d, 300*10)
	}
	eventually(t, 5*time.Second, "live channel set empty", func() bool { return p.Status()[0].Channels == 0 })
}

// BenchmarkIngest measures events per second from the socket, through the
// relay, eslgo's parser and the router's reorder stage, into the call
// owners. Frames are rendered before the timer starts.
func BenchmarkIngest(b *testing.B) {
	f := startFakeFS(b)
	p := newTestPool(b, NodeConfig{Name: "n1", Address: f.addr(), HeartbeatInterval: time.Hour})
	var elapsed time.Duration
	events, disorder := 0, int64(0)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		run := prepareIngest(b, p, f, i, 2000, 100)
		b.StartTimer()
		start := time.Now()
		ingest(b, f, run)
		elapsed += time.Since(start)
		events += run.events
		b.StopTimer()
		disorder += checkIngested(b, run.calls)
		b.StartTimer()
	}
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(disorder), "reordered")
	b.ReportMetric(float64(p.Status()[0].LateEvents), "late")
}
