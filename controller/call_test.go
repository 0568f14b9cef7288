package controller

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bankcc/callcenter/clock"
)

func startTestCall(t *testing.T, lost time.Duration) (*Call, chan struct{}) {
	t.Helper()
	stop := make(chan struct{})
	finished := make(chan struct{})
	c := newCall(CallRecord{UUID: "u1", Node: "n1", State: StateDialing}, callHooks{
		stop: stop, lostAfter: lost,
		finished: func() { close(finished) },
	})
	go c.run(CallRecord{UUID: "u1", Node: "n1", State: StateDialing})
	t.Cleanup(func() { close(stop) })
	return c, finished
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(patience):
		t.Fatalf("%s not signalled", what)
	}
}

// collect reads a leg's stream to its end.
func collect(t testing.TB, l Leg) []Event {
	t.Helper()
	var out []Event
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
			t.Fatalf("stream of %s not closed; got %v", l.UUID(), kinds(out))
		}
	}
}

func kinds(evs []Event) string {
	out := ""
	for i, e := range evs {
		if i > 0 {
			out += " "
		}
		out += string(e.Kind)
		switch {
		case e.Kind == EventAnswer && e.AMD != "", e.Kind == EventAMD:
			out += "(" + string(e.AMD) + ")"
		case e.Kind == EventDTMF:
			out += "(" + e.DTMF.Digit + ")"
		case e.Kind == EventHangup:
			out += "(" + string(e.Hangup.Result) + ")"
		}
	}
	return out
}

func TestCallOwnerPublishesTypedEvents(t *testing.T) {
	tests := []struct {
		name   string
		events []any
		want   string
	}{
		{"answered, bridged, held, keyed, hung up", []any{
			ev("CHANNEL_CREATE", 1), jobResult{body: "+OK u1\n"}, ev("CHANNEL_PROGRESS", 2), ev("CHANNEL_ANSWER", 3),
			ev("CHANNEL_ANSWER", 4), // repeated: no second answer
			ev("CHANNEL_EXECUTE", 5, "Application", "park"), ev("CHANNEL_PARK", 6),
			ev("CHANNEL_BRIDGE", 7, "Bridge-A-Unique-ID", "u1", "Bridge-B-Unique-ID", "agent"),
			ev("CHANNEL_HOLD", 8), ev("DTMF", 9, "DTMF-Digit", "%23", "DTMF-Duration", "1600"), ev("CHANNEL_UNHOLD", 10),
			ev("CHANNEL_UNBRIDGE", 11, "Bridge-A-Unique-ID", "u1", "Bridge-B-Unique-ID", "agent"),
			ev("CHANNEL_HANGUP", 12, "Hangup-Cause", "NORMAL_CLEARING"),
			ev("CHANNEL_HANGUP_COMPLETE", 13, "Hangup-Cause", "NORMAL_CLEARING", "variable_billsec", "9"),
			ev("CHANNEL_ANSWER", 14), // after the end: ignored
		}, "create ringing answer execute park bridge hold dtmf(#) unhold unbridge hangup(answered)"},
		{"bridge proves a missed answer", []any{
			ev("CHANNEL_CREATE", 1), ev("CHANNEL_BRIDGE", 2, "Other-Leg-Unique-ID", "agent"),
			ev("CHANNEL_HANGUP_COMPLETE", 3, "Hangup-Cause", "NORMAL_CLEARING"),
		}, "create answer bridge hangup(answered)"},
		{"amd verdict after the answer, machine", []any{
			ev("CHANNEL_CREATE", 1), ev("CHANNEL_ANSWER", 2), ev("CHANNEL_EXECUTE", 3, "Application", "amd"),
			ev("CHANNEL_EXECUTE_COMPLETE", 4, "Application", "amd", "variable_amd_result", "MACHINE"),
			ev("CHANNEL_EXECUTE", 5, "Application", "park", "variable_amd_result", "MACHINE"), // unchanged: no second verdict
			ev("CHANNEL_HANGUP_COMPLETE", 6, "Hangup-Cause", "NORMAL_CLEARING", "variable_amd_result", "MACHINE"),
		}, "create answer execute execute_complete amd(machine) execute hangup(machine)"},
		{"verdict known at answer", []any{
			ev("CHANNEL_ANSWER", 2, "variable_amd_result", "HUMAN"),
			ev("CHANNEL_HANGUP_COMPLETE", 3, "Hangup-Cause", "NORMAL_CLEARING"),
		}, "answer(human) hangup(answered)"},
		{"avmd beep", []any{
			ev("CHANNEL_ANSWER", 2), ev("CUSTOM", 3, "Event-Subclass", "avmd::beep", "Beep-Status", "DETECTED"),
			ev("RECORD_START", 4, "Record-File-Path", "/r/u1.wav"),
			ev("CHANNEL_HANGUP_COMPLETE", 5, "Hangup-Cause", "NORMAL_CLEARING"),
		}, "answer amd(machine) other hangup(machine)"},
		{"amd says machine, then the avmd beep ends the greeting", []any{
			ev("CHANNEL_ANSWER", 2), ev("CHANNEL_EXECUTE_COMPLETE", 3, "Application", "amd", "variable_amd_result", "MACHINE"),
			ev("CUSTOM", 4, "Event-Subclass", "avmd::beep", "Beep-Status", "DETECTED"),
			ev("CUSTOM", 5, "Event-Subclass", "avmd::beep", "Beep-Status", "DETECTED"),
			ev("CHANNEL_HANGUP_COMPLETE", 6, "Hangup-Cause", "NORMAL_CLEARING"),
		}, "answer execute_complete amd(machine) amd(machine) amd(machine) hangup(machine)"},
		{"busy", []any{
			ev("CHANNEL_CREATE", 1), ev("CHANNEL_PROGRESS_MEDIA", 2), ev("CHANNEL_HANGUP", 3, "Hangup-Cause", "USER_BUSY"),
			jobResult{body: "-ERR USER_BUSY\n"}, ev("CHANNEL_HANGUP_COMPLETE", 4, "Hangup-Cause", "USER_BUSY"),
		}, "create early_media hangup(busy)"},
		{"job failed without a channel", []any{jobResult{body: "-ERR USER_NOT_REGISTERED\n"}},
			"hangup(network_failure)"},
		{"closed by reconcile", []any{ev("CHANNEL_CREATE", 1), closeCall{reason: "ended while the node was disconnected"}},
			"create hangup(network_failure)"},
		{"answer learnt from a resync", []any{ev("CHANNEL_CREATE", 1), resyncCall{callState: "ACTIVE"},
			resyncCall{callState: "RINGING"}, ev("CHANNEL_HANGUP_COMPLETE", 9, "Hangup-Cause", "NORMAL_CLEARING")},
			"create answer hangup(answered)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := startTestCall(t, 0)
			early := c.Events() // subscribed before anything happens
			for _, m := range tt.events {
				c.deliver(m)
			}
			got := collect(t, c) // subscribed late: the whole history
			if kinds(got) != tt.want {
				t.Fatalf("stream\n got %s\nwant %s", kinds(got), tt.want)
			}
			var first []Event
			for e := range early {
				first = append(first, e)
			}
			if kinds(first) != tt.want {
				t.Fatalf("early subscriber got %s", kinds(first))
			}
			for i, e := range got {
				if e.Seq != uint64(i+1) || e.UUID != "u1" || e.Node != "n1" || e.At.IsZero() {
					t.Errorf("event %d: seq %d uuid %q node %q at %v", i, e.Seq, e.UUID, e.Node, e.At)
				}
			}
			last := got[len(got)-1].Hangup
			if r := c.Record(); last.Result != r.Result || last.Cause != r.HangupCause || last.Reason != r.Reason {
				t.Errorf("hangup event %+v, record %+v", last, r)
			}
		})
	}
}

func TestCallEventFields(t *testing.T) {
	c, _ := startTestCall(t, 0)
	for _, m := range []*event{
		ev("CHANNEL_BRIDGE", 1, "Bridge-A-Unique-ID", "agent", "Bridge-B-Unique-ID", "u1"),
		ev("DTMF", 2, "DTMF-Digit", "7", "DTMF-Duration", "800", "DTMF-Source", "RTP"),
		ev("CHANNEL_EXECUTE_COMPLETE", 3, "Application", "playback", "Application-Data", "ivr/hello.wav",
			"Application-Response", "FILE%20PLAYED", "Application-UUID", "app-1", "variable_x", "1"),
		ev("CUSTOM", 4, "Event-Subclass", "spandsp::txfaxresult", "fax-success", "1", "variable_fax_success", "1"),
		ev("CHANNEL_HANGUP_COMPLETE", 5, "Hangup-Cause", "NORMAL_CLEARING", "variable_sip_term_status", "200", "variable_billsec", "4"),
	} {
		c.deliver(m)
	}
	got := collect(t, c)
	if len(got) != 6 { // bridge proves an answer
		t.Fatalf("events %s", kinds(got))
	}
	if b := got[1]; b.Kind != EventBridge || b.Other != "agent" || b.Name != "CHANNEL_BRIDGE" {
		t.Errorf("bridge %+v", b)
	}
	if d := got[2].DTMF; d != (DTMF{Digit: "7", Duration: 800, Source: "RTP"}) {
		t.Errorf("dtmf %+v", d)
	}
	if a := got[3].App; a != (App{Name: "playback", Data: "ivr/hello.wav", Response: "FILE PLAYED", UUID: "app-1"}) || got[3].Headers != nil {
		t.Errorf("execute_complete %+v", got[3])
	}
	if cu := got[4]; cu.Kind != EventCustom || cu.Subclass != "spandsp::txfaxresult" || cu.Header("FAX-SUCCESS") != "1" || cu.Header("variable_fax_success") != "" {
		t.Errorf("custom %+v", cu)
	}
	if h := got[5].Hangup; h.SIPCode != 200 || h.BillSec != 4 || h.Cause != "NORMAL_CLEARING" || h.Answered.IsZero() || h.Bridged.IsZero() || h.Hungup.IsZero() {
		t.Errorf("hangup %+v", h)
	}
}

// A reader that never reads must not stall the owner or another reader.
func TestSlowReaderDoesNotStallTheOwner(t *testing.T) {
	c, _ := startTestCall(t, 0)
	_ = c.Events() // never read
	fast := c.Events()
	for i := range 2000 {
		c.deliver(ev("DTMF", uint64(i+1), "DTMF-Digit", "1"))
	}
	c.deliver(ev("CHANNEL_HANGUP_COMPLETE", 5000, "Hangup-Cause", "NORMAL_CLEARING"))
	waitClosed(t, c.Done(), "owner done despite an idle reader")
	n := 0
	for range fast {
		n++
	}
	if n != 2001 {
		t.Fatalf("fast reader got %d events, want 2001", n)
	}
}

func TestCallOwnerLostCallOnFakeClock(t *testing.T) {
	clk := clock.NewFake(time.Unix(1800000000, 0))
	stop := make(chan struct{})
	defer close(stop)
	c := newCall(CallRecord{UUID: "u2", State: StateDialing}, callHooks{stop: stop, clock: clk, lostAfter: 90 * time.Second})
	go c.run(CallRecord{UUID: "u2", State: StateDialing})
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := clk.WaitPending(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clk.Advance(89 * time.Second)
	select {
	case <-c.Done():
		t.Fatal("closed before lostAfter")
	default:
	}
	clk.Advance(time.Second)
	r, err := c.Wait(ctx)
	if err != nil || r.Reason == "" || !r.HungupAt.Equal(time.Unix(1800000090, 0)) {
		t.Fatalf("lost call: %+v %v", r, err)
	}
}

func TestCallOwnerAbandon(t *testing.T) {
	c, finished := startTestCall(t, 0)
	c.deliver(abandonCall{})
	waitClosed(t, c.Done(), "done")
	waitClosed(t, finished, "unregistered")
	if got := collect(t, c); kinds(got) != "hangup(network_failure)" || got[0].Hangup.Reason != "not dialed" {
		t.Fatalf("abandoned call: %s %+v", kinds(got), got)
	}
}

func TestPoolCloseEndsLiveCalls(t *testing.T) {
	f := startFakeFS(t) // accepts originates, never answers
	p := newTestPool(t, NodeConfig{Name: "n1", Address: f.addr(), HeartbeatInterval: time.Hour})
	c, err := p.Originate(context.Background(), OriginateRequest{Gateway: "gw", Number: "1", ContactID: 5})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	got := collect(t, c)
	if r := c.Record(); r.Reason != "controller shut down" || r.ContactID != 5 || kinds(got) != "hangup(network_failure)" {
		t.Errorf("record %+v, events %s", r, kinds(got))
	}
	if _, err := p.Originate(context.Background(), OriginateRequest{Gateway: "gw", Number: "2"}); !errors.Is(err, ErrClosed) {
		t.Errorf("originate after Close: %v", err)
	}
}
