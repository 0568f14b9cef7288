package controller

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bankcc/callcenter/clock"
)

// testScheduler is a scheduler over nodes that are up but not connected,
// driven step by step: tickets are handled and grantAll is called by the
// test, so every decision is deterministic.
type testScheduler struct {
	*scheduler
	now     time.Time
	granted map[int64]int
	failed  map[int64]int
	grants  []grant
}

func newTestScheduler(t *testing.T, cfgs ...NodeConfig) *testScheduler {
	t.Helper()
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	var nodes []*node
	for _, c := range cfgs {
		n := newNode(c, nodeDeps{log: testLogger(), stop: stop})
		n.setState(NodeUp, nil)
		nodes = append(nodes, n)
	}
	start := time.Unix(1800000000, 0)
	return &testScheduler{scheduler: newScheduler(nodes, clock.NewFake(start), stop), now: start,
		granted: map[int64]int{}, failed: map[int64]int{}}
}

// submit queues n originates of a campaign and returns their tickets.
func (ts *testScheduler) submit(campaign int64, n int, req OriginateRequest) []*ticket {
	var out []*ticket
	for range n {
		req.CampaignID = campaign
		t := &ticket{req: req, reply: make(chan grant, 1)}
		ts.handle(t)
		out = append(out, t)
	}
	return out
}

// step grants what it can at the current time, then moves time on.
func (ts *testScheduler) step(d time.Duration, tickets ...[]*ticket) {
	ts.grantAll(ts.now)
	for _, ts2 := range tickets {
		for _, t := range ts2 {
			select {
			case g := <-t.reply:
				if g.err != nil {
					ts.failed[t.req.CampaignID]++
				} else {
					ts.granted[t.req.CampaignID]++
					ts.grants = append(ts.grants, g)
				}
			default:
			}
		}
	}
	ts.now = ts.now.Add(d)
}

func TestSchedulerSharesCPSByPriority(t *testing.T) {
	tests := []struct {
		name       string
		lanes      []Lane
		wantA      int // of 30 grants in 3 s at 10 CPS
		wantB      int
		tolerance  int
		onlyLaneB  bool
		laneBWants int
	}{
		{"2:1", []Lane{{CampaignID: 1, Priority: 2}, {CampaignID: 2, Priority: 1}}, 20, 10, 1, false, 0},
		{"equal without lanes", nil, 15, 15, 1, false, 0},
		{"A capped at 3 CPS leaves the rest to B", []Lane{{CampaignID: 1, Priority: 5, MaxCPS: 3}, {CampaignID: 2, Priority: 1}}, 9, 21, 1, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestScheduler(t, NodeConfig{Name: "n1", Address: "x", MaxCPS: 10})
			for _, l := range tt.lanes {
				ts.handle(setLane{lane: l})
			}
			a := ts.submit(1, 100, OriginateRequest{})
			b := ts.submit(2, 100, OriginateRequest{})
			for range 30 {
				ts.step(100*time.Millisecond, a, b)
			}
			ga, gb := ts.granted[1], ts.granted[2]
			if ga+gb != 30 || abs(ga-tt.wantA) > tt.tolerance || abs(gb-tt.wantB) > tt.tolerance {
				t.Errorf("granted A %d B %d, want %d and %d", ga, gb, tt.wantA, tt.wantB)
			}
		})
	}
}

// A lane that asks for less than its share leaves the rest to the others.
func TestSchedulerWorkConserving(t *testing.T) {
	ts := newTestScheduler(t, NodeConfig{Name: "n1", Address: "x", MaxCPS: 10})
	ts.handle(setLane{lane: Lane{CampaignID: 1, Priority: 9}})
	a := ts.submit(1, 3, OriginateRequest{})
	b := ts.submit(2, 100, OriginateRequest{})
	for range 20 {
		ts.step(100*time.Millisecond, a, b)
	}
	if ts.granted[1] != 3 || ts.granted[2] != 17 {
		t.Errorf("granted A %d B %d, want 3 and 17", ts.granted[1], ts.granted[2])
	}
}

func TestSchedulerChannelShares(t *testing.T) {
	ts := newTestScheduler(t, NodeConfig{Name: "n1", Address: "x", MaxChannels: 30})
	ts.handle(setLane{lane: Lane{CampaignID: 1, Priority: 2}})
	ts.handle(setLane{lane: Lane{CampaignID: 2, Priority: 1}})
	// A running campaign of priority 2 keeps 20 of 30 channels for itself
	// even before it dials: B gets its 10, then ErrNoCapacity.
	b := ts.submit(2, 15, OriginateRequest{})
	ts.step(0, b)
	if ts.granted[2] != 10 || ts.failed[2] != 5 {
		t.Fatalf("B granted %d failed %d, want 10 and 5", ts.granted[2], ts.failed[2])
	}
	a := ts.submit(1, 25, OriginateRequest{})
	ts.step(0, a)
	if ts.granted[1] != 20 || ts.failed[1] != 5 {
		t.Fatalf("A granted %d failed %d, want 20 and 5", ts.granted[1], ts.failed[1])
	}
	// A stops: its share goes back to B.
	for _, g := range ts.grants[10:] {
		g.node.pending.Add(-1)
		g.release()
	}
	ts.handle(setLane{lane: Lane{CampaignID: 1}, remove: true})
	more := ts.submit(2, 25, OriginateRequest{})
	ts.step(0, more)
	if ts.granted[2] != 30 || ts.failed[2] != 10 {
		t.Fatalf("after A stopped B granted %d failed %d, want 30 and 10", ts.granted[2], ts.failed[2])
	}
}

func TestLaneShares(t *testing.T) {
	l := func(id int64, prio, maxCh int) *lane {
		return &lane{cfg: Lane{CampaignID: id, Priority: prio, MaxChannels: maxCh}}
	}
	a, b, c := l(1, 2, 0), l(2, 1, 0), l(3, 1, 5)
	tests := []struct {
		lanes []*lane
		want  string
	}{
		{[]*lane{a, b}, "[20.00 10.00]"},
		{[]*lane{a, b, c}, "[16.67 8.33 5.00]"}, // c wants at most 5; a and b split the other 25 by 2:1
		{[]*lane{c}, "[5.00]"},
	}
	for _, tt := range tests {
		shares := laneShares(30, tt.lanes)
		var got []string
		for _, ln := range tt.lanes {
			got = append(got, fmt.Sprintf("%.2f", shares[ln]))
		}
		if fmt.Sprint(got) != tt.want {
			t.Errorf("shares %v, want %s", got, tt.want)
		}
	}
}

func TestSchedulerNodesAndGateways(t *testing.T) {
	ts := newTestScheduler(t,
		NodeConfig{Name: "a", Address: "x", MaxChannels: 2, MaxCPS: 100},
		NodeConfig{Name: "b", Address: "x", MaxChannels: 3, MaxCPS: 100,
			Gateways: []GatewayLimit{{Name: "gw1", MaxChannels: 1, MaxCPS: 1}}})
	// Pinned to b through gw1: one channel on the trunk, the second fails.
	pinned := ts.submit(0, 2, OriginateRequest{Node: "b", Gateway: "gw1"})
	ts.step(time.Second, pinned)
	if ts.granted[0] != 1 || ts.failed[0] != 1 || ts.grants[0].node.cfg.Name != "b" {
		t.Fatalf("pinned: granted %d failed %d", ts.granted[0], ts.failed[0])
	}
	// Most headroom first (b has 2 left, a 2: ties go to configuration order).
	free := ts.submit(0, 5, OriginateRequest{Gateway: "gw2"})
	for range 5 {
		ts.step(time.Second, free)
	}
	var nodes []string
	for _, g := range ts.grants[1:] {
		nodes = append(nodes, g.node.cfg.Name)
	}
	if fmt.Sprint(nodes) != "[a b a b]" || ts.failed[0] != 2 {
		t.Fatalf("nodes %v, failed %d", nodes, ts.failed[0])
	}
	down := ts.submit(0, 1, OriginateRequest{Node: "nope"})
	ts.step(0, down)
	if ts.failed[0] != 3 {
		t.Fatal("originate pinned to an unknown node not refused")
	}
}

func TestSchedulerCancelAndClose(t *testing.T) {
	ts := newTestScheduler(t, NodeConfig{Name: "n1", Address: "x", MaxCPS: 1})
	q := ts.submit(7, 3, OriginateRequest{})
	ts.step(0, q) // one granted, two wait for pacing
	ts.handle(cancelTicket{q[1]})
	if g := <-q[1].reply; !errors.Is(g.err, context.Canceled) {
		t.Fatalf("cancelled ticket got %v", g)
	}
	ts.failAll(ErrClosed)
	if g := <-q[2].reply; !errors.Is(g.err, ErrClosed) {
		t.Fatalf("ticket at close got %v", g)
	}
}

func abs(n int) int { return max(n, -n) }
