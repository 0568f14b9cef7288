package controller

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// originateFlood starts n originates in the background; stop cancels the
// ones still waiting and waits for all.
func originateFlood(p *Pool, n int, req func(i int) OriginateRequest) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, _ = p.Originate(ctx, req(i)) })
	}
	return func() { cancel(); wg.Wait() }
}

// Call control has its own connections: a bridge completes while every
// originate connection is stuck waiting for FreeSWITCH and the rest of 500
// originates queue behind them.
func TestCallControlNotHeldUpByStuckOriginates(t *testing.T) {
	f := startFakeFS(t)
	release := make(chan struct{})
	f.onBgapi = func(string) { <-release }
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	p := newTestPool(t, NodeConfig{Name: "n1", Address: f.addr(), HeartbeatInterval: time.Hour, CommandTimeout: time.Minute})
	stop := originateFlood(p, 500, func(i int) OriginateRequest {
		return OriginateRequest{UUID: fmt.Sprintf("o-%d", i), Gateway: "gw", Number: "1"}
	})
	defer func() {
		once.Do(func() { close(release) })
		stop()
	}()
	conns := p.nodes[0].cfg.OriginateConns
	eventually(t, 10*time.Second, "every originate connection busy", func() bool { return len(f.arrived("bgapi originate")) == conns })
	var legs []string
	f.arrivalMu.Lock()
	for _, c := range f.arrivals {
		if strings.HasPrefix(c, "bgapi originate") {
			legs = append(legs, between(c, "origination_uuid=", "]"))
		}
	}
	f.arrivalMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Bridge(ctx, legs[0], legs[1]); err != nil {
		t.Fatalf("bridge while originates are stuck: %v", err)
	}
	if n := len(f.arrived("bgapi originate")); n != conns || len(f.arrived("api uuid_bridge")) != 1 {
		t.Fatalf("%d originates written before the bridge reply", n)
	}
}

// A bridge issued while 500 originates wait for their pacing slots reaches
// the switch before the next few originates do.
func TestBridgeAheadOfPacedOriginates(t *testing.T) {
	f := startFakeFS(t)
	f.answerOriginates()
	keep := f.onBgapi
	f.onBgapi = func(cmd string) {
		if u := between(cmd, "origination_uuid=", "]"); strings.HasPrefix(u, "keep-") {
			_ = f.send(f.eventFrame("CHANNEL_CREATE", u) + f.eventFrame("CHANNEL_ANSWER", u) + f.jobFrame(jobHeader(cmd), "+OK "+u+"\n"))
			return
		}
		keep(cmd)
	}
	p := newTestPool(t, NodeConfig{Name: "n1", Address: f.addr(), HeartbeatInterval: time.Hour, MaxCPS: 20})
	ctx := context.Background()
	var kept []Leg
	for i := range 2 {
		l, err := p.Originate(ctx, OriginateRequest{UUID: fmt.Sprintf("keep-%d", i), Gateway: "gw", Number: "2"})
		if err != nil {
			t.Fatal(err)
		}
		waitCh(t, l.Answered(), "kept leg answered")
		kept = append(kept, l)
	}
	stop := originateFlood(p, 500, func(i int) OriginateRequest {
		return OriginateRequest{Gateway: "gw", Number: fmt.Sprint(1000 + i), CampaignID: 3}
	})
	defer stop()
	eventually(t, 10*time.Second, "the flood under way", func() bool { return len(f.arrived("bgapi originate")) >= 5 })
	issued := len(f.arrived("bgapi originate"))
	if err := p.Bridge(ctx, kept[0].UUID(), kept[1].UUID()); err != nil {
		t.Fatal(err)
	}
	at := f.arrived("api uuid_bridge")
	before := len(f.arrived("bgapi originate"))
	if len(at) != 1 {
		t.Fatalf("bridge arrived %d times", len(at))
	}
	// At 20 CPS, 45 more originates take over two seconds: the bridge came
	// long before them. The figures show how prompt it was.
	t.Logf("bridge issued after %d originates, answered after %d (of 500 queued)", issued, before)
	if before >= issued+45 {
		t.Errorf("bridge answered only after %d originates (issued after %d)", before, issued)
	}
}

// Two campaigns of priorities 2 and 1 that both want more than a node can
// take share its calls per second about 2:1.
func TestLanesShareSaturatedNodeByPriority(t *testing.T) {
	f := startFakeFS(t)
	f.answerOriginates()
	p := newTestPool(t, NodeConfig{Name: "n1", Address: f.addr(), HeartbeatInterval: time.Hour, MaxCPS: 60})
	if err := p.SetLane(Lane{CampaignID: 1, Priority: 2}); err != nil {
		t.Fatal(err)
	}
	if err := p.SetLane(Lane{CampaignID: 2, Priority: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 32 {
		campaign := int64(1 + w%2)
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				_, _ = p.Originate(ctx, OriginateRequest{Gateway: "gw", Number: fmt.Sprintf("9%03d%05d", w, i), CampaignID: campaign})
			}
		})
	}
	eventually(t, 30*time.Second, "150 originates", func() bool { return len(f.arrived("bgapi originate")) >= 150 })
	cancel()
	wg.Wait()
	a := len(f.arrived("bgapi originate {cc_campaign_id=1,"))
	b := len(f.arrived("bgapi originate {cc_campaign_id=2,"))
	ratio := float64(a) / float64(max(b, 1))
	t.Logf("campaign 1 (priority 2): %d originates, campaign 2 (priority 1): %d, ratio %.2f", a, b, ratio)
	if ratio < 1.6 || ratio > 2.5 {
		t.Errorf("ratio %.2f, want about 2", ratio)
	}
	if err := p.SetLane(Lane{CampaignID: 1, Priority: -1}); err == nil {
		t.Error("negative priority accepted")
	}
}
