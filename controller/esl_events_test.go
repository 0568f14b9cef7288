package controller

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller/esltest"
)

// collectUntil reads a stream until stop says so.
func collectUntil(t *testing.T, evs <-chan Event, what string, stop func(Event) bool) []Event {
	t.Helper()
	var out []Event
	timeout := time.After(time.Minute)
	for {
		select {
		case e, ok := <-evs:
			if !ok {
				t.Fatalf("stream closed waiting for %s; got %s", what, kinds(out))
			}
			out = append(out, e)
			if stop(e) {
				return out
			}
		case <-timeout:
			t.Fatalf("timed out waiting for %s; got %s", what, kinds(out))
		}
	}
}

// The typed events of real eslgo sessions against the simulator.
func TestESLTypedEvents(t *testing.T) {
	srv := startSim(t)
	p := newTestPool(t, simNode("fs1", srv))
	ctx := context.Background()

	t.Run("answering machine verdicts", func(t *testing.T) {
		tests := []struct {
			number, app, args string
			want              string
		}{
			{"601", "amd", "", "create ringing answer execute execute_complete amd(machine) hangup(machine)"},
			{"100", "amd", "", "create ringing answer execute execute_complete amd(human) hangup(answered)"},
		}
		for _, tt := range tests {
			leg, err := p.Originate(ctx, OriginateRequest{Gateway: "gw1", Number: tt.number, App: tt.app, AppArgs: tt.args})
			if err != nil {
				t.Fatal(err)
			}
			if got := kinds(collect(t, leg)); got != tt.want {
				t.Errorf("%s with %s:\n got %s\nwant %s", tt.number, tt.app, got, tt.want)
			}
			if r := leg.Record(); (r.AMD == AMDMachine) != (tt.number == "601") || r.Machine != (tt.number == "601") {
				t.Errorf("%s: record AMD %q machine %v", tt.number, r.AMD, r.Machine)
			}
		}
		// avmd runs in the background after the answer; its beep makes the verdict.
		leg, err := p.Originate(ctx, OriginateRequest{Gateway: "gw1", Number: "601", App: "transfer", AppArgs: "avmd XML default"})
		if err != nil {
			t.Fatal(err)
		}
		evs := leg.Events()
		got := collectUntil(t, evs, "beep", func(e Event) bool { return e.Kind == EventAMD })
		if e := got[len(got)-1]; e.AMD != AMDMachine || e.Name != "CUSTOM" || e.Subclass != "avmd::beep" {
			t.Errorf("beep event %+v", e)
		}
		if err := p.Hangup(ctx, leg.UUID(), ""); err != nil {
			t.Fatal(err)
		}
		rest := collectUntil(t, evs, "hangup", func(e Event) bool { return e.Kind == EventHangup })
		if h := rest[len(rest)-1].Hangup; h.Result != ResultMachine || h.Cause != "NORMAL_CLEARING" {
			t.Errorf("hangup after a beep %+v", h)
		}
	})

	t.Run("bridge, hold, DTMF, unbridge, hangup cause", func(t *testing.T) {
		cust, err := p.Originate(ctx, OriginateRequest{Gateway: "gw1", Number: "100", CampaignID: 7})
		if err != nil {
			t.Fatal(err)
		}
		agent, err := p.Originate(ctx, OriginateRequest{Endpoint: "user/1001", AgentID: 3})
		if err != nil {
			t.Fatal(err)
		}
		custEvents := cust.Events()
		waitCh(t, cust.Answered(), "customer answer")
		waitCh(t, agent.Answered(), "agent answer")
		if err := p.Bridge(ctx, cust.UUID(), agent.UUID()); err != nil {
			t.Fatal(err)
		}
		got := collectUntil(t, custEvents, "bridge", func(e Event) bool { return e.Kind == EventBridge })
		if e := got[len(got)-1]; e.Other != agent.UUID() {
			t.Errorf("bridge names %q, want the agent %s", e.Other, agent.UUID())
		}
		if err := p.Hold(ctx, cust.UUID()); err != nil {
			t.Fatal(err)
		}
		collectUntil(t, custEvents, "hold", func(e Event) bool { return e.Kind == EventHold })
		if err := srv.SendDTMF(cust.UUID(), "1#"); err != nil {
			t.Fatal(err)
		}
		keys := collectUntil(t, custEvents, "two digits", func(e Event) bool { return e.Kind == EventDTMF && e.DTMF.Digit == "#" })
		if d := keys[0].DTMF; keys[0].Kind != EventDTMF || d.Digit != "1" || d.Duration <= 0 || d.Source == "" {
			t.Errorf("first digit %+v", keys[0])
		}
		if err := p.Unhold(ctx, cust.UUID()); err != nil {
			t.Fatal(err)
		}
		collectUntil(t, custEvents, "unhold", func(e Event) bool { return e.Kind == EventUnhold })
		// The agent hangs up: the customer is unbridged and parks (park_after_bridge).
		if err := srv.Hangup(agent.UUID(), "NORMAL_CLEARING"); err != nil {
			t.Fatal(err)
		}
		after := collectUntil(t, custEvents, "park after the bridge", func(e Event) bool { return e.Kind == EventPark })
		if kinds(after) != "unbridge execute park" || after[0].Other != agent.UUID() {
			t.Errorf("after the agent left: %s (%+v)", kinds(after), after[0])
		}
		if err := p.Hangup(ctx, cust.UUID(), "CALL_REJECTED"); err != nil {
			t.Fatal(err)
		}
		end := collectUntil(t, custEvents, "hangup", func(e Event) bool { return e.Kind == EventHangup })
		h := end[len(end)-1].Hangup
		if h.Cause != "CALL_REJECTED" || h.Result != ResultAnswered || h.Answered.IsZero() || h.Bridged.IsZero() || h.Hungup.IsZero() {
			t.Errorf("customer hangup %+v", h)
		}
		if r := waitEnd(t, agent); r.HangupCause != "NORMAL_CLEARING" || r.Result != ResultAnswered || r.BridgedAt.IsZero() {
			t.Errorf("agent record %+v", r)
		}
		// FreeSWITCH fires the bridge events on the A-leg only; the agent's
		// (B) leg gets them too, naming the customer.
		var bridgeEvents []Event
		for _, e := range collect(t, agent) {
			if e.Kind == EventBridge || e.Kind == EventUnbridge {
				bridgeEvents = append(bridgeEvents, e)
			}
		}
		if kinds(bridgeEvents) != "bridge unbridge" || bridgeEvents[0].Other != cust.UUID() || bridgeEvents[1].Other != cust.UUID() {
			t.Errorf("agent's bridge events %s %+v", kinds(bridgeEvents), bridgeEvents)
		}
	})

	t.Run("failed legs", func(t *testing.T) {
		tests := []struct {
			req    OriginateRequest
			want   string
			cause  string
			sipMin int
		}{
			{OriginateRequest{Gateway: "gw1", Number: "200"}, "create hangup(busy)", "USER_BUSY", 486},
			{OriginateRequest{Gateway: "gw1", Number: "400"}, "create hangup(invalid_number)", "UNALLOCATED_NUMBER", 404},
			{OriginateRequest{Endpoint: "user/2001"}, "hangup(network_failure)", "USER_NOT_REGISTERED", 0},
		}
		for _, tt := range tests {
			leg, err := p.Originate(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			var evs []Event
			for _, e := range collect(t, leg) {
				if e.Kind != EventRinging { // the trunk's 180 may or may not come first
					evs = append(evs, e)
				}
			}
			h := evs[len(evs)-1].Hangup
			if kinds(evs) != tt.want || h.Cause != tt.cause || h.SIPCode != tt.sipMin {
				t.Errorf("%s%s: %s cause %s sip %d", tt.req.Number, tt.req.Endpoint, kinds(evs), h.Cause, h.SIPCode)
			}
		}
	})
}

// Legs nobody originated and CUSTOM events go to the pool stream; Locate
// finds agents by their registration events or by asking the node.
func TestESLPoolStreamAndLocate(t *testing.T) {
	srv := startSim(t)
	p := newTestPool(t, simNode("fs1", srv))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := p.Subscribe(ctx)

	if node, ok := p.Locate(ctx, "1003@127.0.0.1"); !ok || node != "fs1" {
		t.Errorf("Locate of a phone registered before we connected: %q %v", node, ok)
	}
	if _, ok := p.Locate(ctx, "2001"); ok {
		t.Error("unregistered 2001 located")
	}
	if err := srv.SetRegistered("2001", true); err != nil {
		t.Fatal(err)
	}
	reg := collectUntil(t, sub, "sofia::register", func(e Event) bool { return e.Subclass == "sofia::register" })
	if e := reg[len(reg)-1]; e.Kind != EventCustom || e.Header("from-user") != "2001" || e.UUID != "" || e.Node != "fs1" {
		t.Errorf("register event %+v", e)
	}
	if node, ok := p.Locate(ctx, "2001"); !ok || node != "fs1" {
		t.Errorf("Locate after register: %q %v", node, ok)
	}
	if err := srv.ExpireRegistration("2001"); err != nil {
		t.Fatal(err)
	}
	collectUntil(t, sub, "sofia::expire", func(e Event) bool { return e.Subclass == "sofia::expire" })
	if _, ok := p.Locate(ctx, "2001"); ok {
		t.Error("expired registration still located")
	}

	// An originated leg stays off the pool stream; an inbound one is on it.
	owned := longCall(t, p)
	if err := p.Hangup(ctx, owned.UUID(), ""); err != nil {
		t.Fatal(err)
	}
	waitEnd(t, owned)
	in, err := srv.InboundCall(esltest.InboundCall{From: "13800000000", To: "ivr"})
	if err != nil {
		t.Fatal(err)
	}
	parked := collectUntil(t, sub, "inbound park", func(e Event) bool { return e.UUID == in && e.Kind == EventPark })
	if err := p.Answer(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := p.Hangup(ctx, in, "NORMAL_CLEARING"); err != nil {
		t.Fatal(err)
	}
	rest := collectUntil(t, sub, "inbound hangup", func(e Event) bool { return e.UUID == in && e.Kind == EventHangup })
	var mine []Event
	for _, e := range append(parked, rest...) {
		if e.UUID == owned.UUID() {
			t.Errorf("owned leg on the pool stream: %+v", e)
		}
		if e.UUID == in {
			mine = append(mine, e)
		}
	}
	if got := kinds(mine); got != "create execute park answer unpark execute_complete hangup(answered)" {
		t.Errorf("inbound leg on the pool stream: %s", got)
	}
	if h := mine[len(mine)-1].Hangup; h.Cause != "NORMAL_CLEARING" || h.Answered.IsZero() {
		t.Errorf("inbound hangup %+v", h)
	}
	cancel()
	for range sub { // closed once ctx ends
	}
}

// The call-control commands the dialer and the agent desk use.
func TestESLControlCommands(t *testing.T) {
	srv := startSim(t)
	p := newTestPool(t, simNode("fs1", srv))
	ctx := context.Background()
	cust := longCall(t, p)
	evs := cust.Events()
	chanOf := func() esltest.ChannelInfo { ch, _ := simChannel(srv, cust.UUID()); return ch }

	if err := p.SetVars(ctx, cust.UUID(), map[string]string{"cc_a": "1", "cc_b": "two words"}); err != nil {
		t.Fatal(err)
	}
	if v := chanOf().Vars; v["cc_a"] != "1" || v["cc_b"] != "two words" {
		t.Errorf("vars %q %q", v["cc_a"], v["cc_b"])
	}
	for _, bad := range []map[string]string{{"a;b": "1"}, {"a": "x;y"}, {"a": "line\nbreak"}} {
		if err := p.SetVars(ctx, cust.UUID(), bad); err == nil {
			t.Errorf("SetVars(%q) accepted", bad)
		}
	}
	// The limit goes out in whole seconds, rounded up. It is long: at the
	// simulator's time scale a 2 s limit ended the displacement 20 ms later,
	// before a loaded machine ran the next check.
	if err := p.DisplaceStart(ctx, cust.UUID(), "/sounds/beep.wav", time.Hour-500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if log := strings.Join(srv.CommandLog(), "\n"); !strings.Contains(log, "uuid_displace "+cust.UUID()+" start /sounds/beep.wav 3600") {
		t.Errorf("displace command not in the log:\n%s", log)
	}
	if d := chanOf().Displace; d != "/sounds/beep.wav" {
		t.Errorf("displacing %q", d)
	}
	if err := p.DisplaceStop(ctx, cust.UUID(), "/sounds/beep.wav"); err != nil {
		t.Fatal(err)
	}
	// A long message to the parked customer, broken off: back in park.
	if err := p.Broadcast(ctx, cust.UUID(), "silence_stream://600000", BroadcastALeg); err != nil {
		t.Fatal(err)
	}
	collectUntil(t, evs, "playback", func(e Event) bool { return e.Kind == EventExecute && e.App.Name == "playback" })
	if err := p.Break(ctx, cust.UUID(), false); err != nil {
		t.Fatal(err)
	}
	done := collectUntil(t, evs, "playback broken off", func(e Event) bool { return e.Kind == EventExecuteComplete })
	if a := done[len(done)-1].App; a.Name != "playback" || a.Data != "silence_stream://600000" {
		t.Errorf("execute_complete %+v", a)
	}
	eventually(t, 5*time.Second, "back in park", func() bool { return chanOf().Application == "park" })
	if err := p.Conference(ctx, cust.UUID(), "room-7"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "in the conference", func() bool { return chanOf().Vars["conference_name"] == "room-7" })
	if err := p.Conference(ctx, cust.UUID(), "bad room"); err == nil {
		t.Error("room with a space accepted")
	}
	if err := p.Park(ctx, cust.UUID()); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "parked again", func() bool { return chanOf().Parked })
	if err := p.Hangup(ctx, cust.UUID(), ""); err != nil {
		t.Fatal(err)
	}
	got := collectUntil(t, evs, "hangup", func(e Event) bool { return e.Kind == EventHangup })
	if !strings.Contains(kinds(got), "execute park") {
		t.Errorf("after Park: %s", kinds(got))
	}
}
