package switchtest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/clock"
	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/switchtest"
)

// drain reads a leg's stream to its end.
func drain(t *testing.T, l controller.Leg) []controller.Event {
	t.Helper()
	var out []controller.Event
	timeout := time.After(time.Minute)
	evs := l.Events()
	for {
		select {
		case e, ok := <-evs:
			if !ok {
				return out
			}
			out = append(out, e)
		case <-timeout:
			t.Fatalf("stream of %s not closed; got %s", l.UUID(), kinds(out))
		}
	}
}

func kinds(evs []controller.Event) string {
	var out []string
	for _, e := range evs {
		k := string(e.Kind)
		switch e.Kind {
		case controller.EventAMD:
			k += "(" + string(e.AMD) + ")"
		case controller.EventHangup:
			k += "(" + string(e.Hangup.Result) + ")"
		case controller.EventExecute, controller.EventExecuteComplete:
			k += "(" + e.App.Name + ")"
		case controller.EventOther:
			k += "(" + e.Name + ")"
		}
		out = append(out, k)
	}
	return strings.Join(out, " ")
}

func TestFakeDrivesACampaignCall(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	sw := switchtest.New(t, switchtest.WithClock(clk))
	ctx := context.Background()
	if err := sw.SetLane(controller.Lane{CampaignID: 7, Priority: 2}); err != nil {
		t.Fatal(err)
	}
	sw.Register("1001", "fs2")
	node, ok := sw.Locate(ctx, "1001@default")
	if !ok || node != "fs2" {
		t.Fatalf("Locate = %q %v", node, ok)
	}
	cust, err := sw.Originate(ctx, controller.OriginateRequest{Gateway: "gw1", Number: "13800138000", CampaignID: 7, ContactID: 70, Node: node})
	if err != nil {
		t.Fatal(err)
	}
	agent, _ := sw.Originate(ctx, controller.OriginateRequest{Endpoint: "user/1001", AgentID: 3, Node: node})
	sw.Far(cust.UUID()).Ring()
	clk.Advance(4 * time.Second)
	sw.Far(cust.UUID()).Answer(controller.AMDHuman)
	sw.Far(agent.UUID()).Answer(controller.AMDUnknown)
	<-cust.Answered()
	if err := sw.Bridge(ctx, cust.UUID(), agent.UUID()); err != nil {
		t.Fatal(err)
	}
	<-agent.Bridged()
	sw.Far(cust.UUID()).DTMF("9")
	clk.Advance(30 * time.Second)
	sw.Far(agent.UUID()).Hangup("NORMAL_CLEARING") // the agent leaves first: the customer parks
	if err := sw.Broadcast(ctx, cust.UUID(), "campaign/bye.wav", controller.BroadcastALeg); err != nil {
		t.Fatal(err)
	}
	sw.Far(cust.UUID()).Complete("FILE PLAYED")
	if err := sw.Hangup(ctx, cust.UUID(), ""); err != nil {
		t.Fatal(err)
	}

	wantCust := "create ringing answer execute(park) park amd(human) unpark execute_complete(park) bridge dtmf " +
		"unbridge execute(park) park execute(playback) other(PLAYBACK_START) other(PLAYBACK_STOP) " +
		"execute_complete(playback) unpark execute_complete(park) hangup(answered)"
	got := drain(t, cust)
	if kinds(got) != wantCust {
		t.Errorf("customer\n got %s\nwant %s", kinds(got), wantCust)
	}
	for i, e := range got {
		if e.Seq != uint64(i+1) || e.UUID != cust.UUID() || e.Node != "fs2" {
			t.Fatalf("event %d: %+v", i, e)
		}
	}
	if e := got[8]; e.Other != agent.UUID() {
		t.Errorf("bridge names %q", e.Other)
	}
	h := got[len(got)-1].Hangup
	if h.Cause != "NORMAL_CLEARING" || h.Result != controller.ResultAnswered ||
		h.Answered.Sub(h.Created) != 4*time.Second || !h.Hungup.Equal(clk.Now()) {
		t.Errorf("hangup %+v", h)
	}
	if r := cust.Record(); r.AMD != controller.AMDHuman || r.ContactID != 70 || r.OtherUUIDs[0] != agent.UUID() || r.State != controller.StateEnded {
		t.Errorf("record %+v", r)
	}
	if got := kinds(drain(t, agent)); got != "create answer execute(park) park unpark execute_complete(park) bridge unbridge hangup(answered)" {
		t.Errorf("agent %s", got)
	}
	var ops []string
	for _, c := range sw.Commands() {
		ops = append(ops, string(c.Op))
	}
	if fmt.Sprint(ops) != "[set_lane originate originate bridge broadcast hangup]" {
		t.Errorf("commands %v", ops)
	}
	if o := sw.CommandsOf(switchtest.OpOriginate)[0]; o.Originate.CampaignID != 7 || o.UUID != cust.UUID() {
		t.Errorf("originate command %+v", o)
	}
}

func TestFakeMachinesFailuresAndErrors(t *testing.T) {
	sw := switchtest.New(t)
	ctx := context.Background()
	tests := []struct {
		name string
		play func(f *switchtest.Far)
		want string
	}{
		{"machine", func(f *switchtest.Far) { f.Answer(controller.AMDMachine); f.Hangup("NORMAL_CLEARING") },
			"create answer execute(park) park amd(machine) unpark execute_complete(park) hangup(machine)"},
		{"busy", func(f *switchtest.Far) { f.Ring(); f.HangupSIP("USER_BUSY", 486) }, "create ringing hangup(busy)"},
		{"no answer", func(f *switchtest.Far) { f.EarlyMedia(); f.Hangup("NO_ANSWER") }, "create early_media hangup(no_answer)"},
		{"invalid", func(f *switchtest.Far) { f.HangupSIP("UNALLOCATED_NUMBER", 404) }, "create hangup(invalid_number)"},
	}
	for _, tt := range tests {
		leg, err := sw.Originate(ctx, controller.OriginateRequest{Gateway: "gw1", Number: "1"})
		if err != nil {
			t.Fatal(err)
		}
		tt.play(sw.Far(leg.UUID()))
		if got := kinds(drain(t, leg)); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	sw.FailNext(switchtest.OpOriginate, controller.ErrNoCapacity)
	if _, err := sw.Originate(ctx, controller.OriginateRequest{Gateway: "gw1", Number: "2"}); !errors.Is(err, controller.ErrNoCapacity) {
		t.Errorf("injected failure: %v", err)
	}
	if err := sw.Bridge(ctx, "nope", "nada"); !errors.Is(err, controller.ErrNoSuchCall) {
		t.Errorf("bridge of unknown legs: %v", err)
	}
	a, _ := sw.Originate(ctx, controller.OriginateRequest{Gateway: "gw1", Number: "3", Node: "fs1"})
	b, _ := sw.Originate(ctx, controller.OriginateRequest{Endpoint: "user/1", Node: "fs2"})
	if err := sw.Bridge(ctx, a.UUID(), b.UUID()); !errors.Is(err, controller.ErrCrossNode) {
		t.Errorf("bridge across nodes: %v", err)
	}
	if err := sw.Hold(ctx, a.UUID()); !errors.Is(err, controller.ErrRejected) {
		t.Errorf("hold of an unanswered leg: %v", err)
	}
	chans, _ := sw.Channels(ctx)
	if len(chans) != 2 {
		t.Errorf("channels %+v", chans)
	}
}

func TestFakePoolStream(t *testing.T) {
	sw := switchtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := sw.Subscribe(ctx)
	in := sw.Inbound("13900000000", "sales")
	if err := sw.Answer(ctx, in); err != nil {
		t.Fatal(err)
	}
	sw.Register("1002", switchtest.DefaultNode)
	sw.Custom("", "spandsp::rxfaxresult", map[string]string{"fax-success": "1"})
	if err := sw.Hangup(ctx, in, "NORMAL_CLEARING"); err != nil {
		t.Fatal(err)
	}
	var got []controller.Event
	for e := range sub {
		got = append(got, e)
		if e.Kind == controller.EventHangup {
			break
		}
	}
	want := "create execute(park) park answer custom custom unpark execute_complete(park) hangup(answered)"
	if kinds(got) != want {
		t.Errorf("pool stream\n got %s\nwant %s", kinds(got), want)
	}
	if got[4].Subclass != "sofia::register" || got[4].Header("From-User") != "1002" || got[5].Header("fax-success") != "1" {
		t.Errorf("custom events %+v %+v", got[4], got[5])
	}
}
