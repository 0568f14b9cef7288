package switchtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/controller/switchtest"
)

// farEnd is what a test does at the far end, on the fake or on the
// simulator behind a real Pool.
type farEnd interface {
	answered(t *testing.T, legs ...controller.Leg) // both answered and parked
	dtmf(t *testing.T, uuid, digits string)
	played(t *testing.T, l controller.Leg) // the running playback finished
	hangup(t *testing.T, uuid, cause string)
}

type fakeFar struct{ sw *switchtest.Switch }

func (f fakeFar) answered(_ *testing.T, legs ...controller.Leg) {
	for _, l := range legs {
		f.sw.Far(l.UUID()).Ring()
		f.sw.Far(l.UUID()).Answer(controller.AMDUnknown)
	}
}
func (f fakeFar) dtmf(_ *testing.T, uuid, d string)       { f.sw.Far(uuid).DTMF(d) }
func (f fakeFar) played(_ *testing.T, l controller.Leg)   { f.sw.Far(l.UUID()).Complete("FILE PLAYED") }
func (f fakeFar) hangup(_ *testing.T, uuid, cause string) { f.sw.Far(uuid).Hangup(cause) }

type simFar struct{ srv *esltest.Server }

// waitFor reads a fresh stream of l (it replays from the start) until an
// event matches, so the next step starts from the same state as the fake.
func waitFor(t *testing.T, l controller.Leg, n int, match func(controller.Event) bool) {
	t.Helper()
	timeout := time.After(time.Minute)
	evs := l.Events()
	for seen := 0; seen < n; {
		select {
		case e, ok := <-evs:
			if !ok {
				t.Fatalf("%s ended while waiting", l.UUID())
			}
			if match(e) {
				seen++
			}
		case <-timeout:
			t.Fatalf("timed out waiting on %s", l.UUID())
		}
	}
	go func() {
		for range evs {
		}
	}()
}

func (s simFar) answered(t *testing.T, legs ...controller.Leg) {
	for _, l := range legs {
		waitFor(t, l, 1, func(e controller.Event) bool { return e.Kind == controller.EventPark })
	}
}

func (s simFar) dtmf(t *testing.T, uuid, d string) {
	if err := s.srv.SendDTMF(uuid, d); err != nil {
		t.Fatal(err)
	}
}

func (s simFar) played(t *testing.T, l controller.Leg) {
	waitFor(t, l, 1, func(e controller.Event) bool {
		return e.Kind == controller.EventExecuteComplete && e.App.Name == "playback"
	})
}

func (s simFar) hangup(t *testing.T, uuid, cause string) {
	if err := s.srv.Hangup(uuid, cause); err != nil {
		t.Fatal(err)
	}
}

// conformanceScript is one customer and one agent through the steps the
// dialer and the agent desk take; it returns both legs' streams.
func conformanceScript(t *testing.T, sw controller.Switch, far farEnd) (cust, agent string) {
	ctx := context.Background()
	c, err := sw.Originate(ctx, controller.OriginateRequest{Gateway: "gw1", Number: "100", CampaignID: 1})
	if err != nil {
		t.Fatal(err)
	}
	a, err := sw.Originate(ctx, controller.OriginateRequest{Endpoint: "user/1001", AgentID: 1})
	if err != nil {
		t.Fatal(err)
	}
	far.answered(t, c, a)
	if err := sw.Bridge(ctx, c.UUID(), a.UUID()); err != nil {
		t.Fatal(err)
	}
	if err := sw.Hold(ctx, c.UUID()); err != nil {
		t.Fatal(err)
	}
	far.dtmf(t, c.UUID(), "5")
	if err := sw.Unhold(ctx, c.UUID()); err != nil {
		t.Fatal(err)
	}
	if err := sw.Broadcast(ctx, c.UUID(), "silence_stream://500", controller.BroadcastALeg); err != nil {
		t.Fatal(err)
	}
	far.played(t, c)
	far.hangup(t, a.UUID(), "NORMAL_CLEARING")
	waitFor(t, c, 2, func(e controller.Event) bool { return e.Kind == controller.EventPark })
	if err := sw.Hangup(ctx, c.UUID(), "NORMAL_CLEARING"); err != nil {
		t.Fatal(err)
	}
	return kinds(drain(t, c)), kinds(drain(t, a))
}

// The fake publishes what the Pool publishes against the simulator for the
// same steps, kind for kind.
func TestFakeConformsToPool(t *testing.T) {
	sc := esltest.DefaultScenario()
	sc.Overrides = []esltest.NumberOverride{{Number: "100", Outcome: esltest.OutcomeAnswer, Ring: time.Second, Talk: time.Hour}}
	srv, err := esltest.Start(context.Background(), esltest.Options{Scenario: sc, TimeScale: 0.01, HeartbeatInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	pool, err := controller.NewPool(context.Background(), controller.PoolConfig{Nodes: []controller.NodeConfig{{
		Name: "fs1", Address: srv.Addr(), HeartbeatInterval: time.Second, CommandTimeout: 5 * time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	deadline := time.Now().Add(time.Minute)
	for !pool.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("pool not up")
		}
		time.Sleep(10 * time.Millisecond)
	}
	realCust, realAgent := conformanceScript(t, pool, simFar{srv})
	sw := switchtest.New(t)
	fakeCust, fakeAgent := conformanceScript(t, sw, fakeFar{sw})
	t.Logf("customer: %s\nagent: %s", realCust, realAgent)
	if realCust != fakeCust {
		t.Errorf("customer leg\npool %s\nfake %s", realCust, fakeCust)
	}
	if realAgent != fakeAgent {
		t.Errorf("agent leg\npool %s\nfake %s", realAgent, fakeAgent)
	}
}
