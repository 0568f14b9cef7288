package acd

import (
	"context"
	"errors"
	"testing"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/switchtest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
)

// The answer button: the agent's phone rings without answering; the
// agent's answer sends uuid_phone_event talk to that leg, which connects
// the call. Someone else cannot answer it, nor can the agent twice.
func TestAnswerButton(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	a2 := f.agent("a2", "1002", true)
	f.signIn(a1, true)
	cust := f.customer()
	ctx := context.Background()
	var fin finishes
	done := make(chan error, 1)
	go func() {
		_, err := f.d.Connect(ctx, dialer.ConnectRequest{Leg: cust, GroupID: f.group, CampaignID: 1, Finish: fin.finish})
		done <- err
	}()
	leg := f.agentLeg(1)
	waitFor(t, "reserved", func() bool { return f.state(a1) == store.AgentReserved })
	f.signIn(a2, false)
	if err := f.d.Answer(ctx, a2, cust.UUID()); !errors.Is(err, ErrNotYourCall) {
		t.Fatalf("a2 answers a1's call: %v", err)
	}
	waitFor(t, "the ringing leg known", func() bool { return f.d.Answer(ctx, a1, cust.UUID()) == nil })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ev := f.sw.CommandsOf(switchtest.OpPhoneEvent); len(ev) != 1 || ev[0].UUID != leg || ev[0].Args[0] != "talk" {
		t.Fatalf("phone events %v", ev)
	}
	waitFor(t, "on call", func() bool { return f.state(a1) == store.AgentOnCall })
	if err := f.d.Answer(ctx, a1, cust.UUID()); !errors.Is(err, ErrNotRinging) {
		t.Fatalf("answer a connected call: %v", err)
	}
}

// Manual dial from a break: the caller ID is checked against the pool, a
// blacklisted number is refused, the customer is rung from the pool's
// caller ID on the agent's node and connected on answer; the disposition
// closes the attempt and the agent returns to the break. An unanswered
// number gives the agent back and closes its attempt with its class.
func TestManualDial(t *testing.T) {
	f := newFixture(t, Config{CallerID: "02161234567"})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, false) // on a break (other)
	ctx := context.Background()
	if _, err := f.d.Dial(ctx, DialRequest{AgentID: a1, Phone: "13800138000", CallerID: "4000000000"}); !errors.Is(err, ErrCallerID) {
		t.Fatalf("caller ID outside the pool: %v", err)
	}
	if _, err := f.st.AddDNC(ctx, &store.DNCEntry{Kind: store.DNCPhone, Value: "+8613900000000", Reason: "test", Source: store.DNCManual}, store.DNCRefuse); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Dial(ctx, DialRequest{AgentID: a1, Phone: "13900000000"}); !errors.Is(err, ErrBlocked) {
		t.Fatalf("blacklisted number: %v", err)
	}
	if _, err := f.d.Dial(ctx, DialRequest{AgentID: a1, Phone: "12"}); !errors.Is(err, ErrBadTarget) {
		t.Fatalf("short number: %v", err)
	}

	res, err := f.d.Dial(ctx, DialRequest{AgentID: a1, Phone: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}
	if res.CallerID != "02161234567" {
		t.Fatalf("caller ID %q", res.CallerID)
	}
	var orig *switchtest.Command
	for _, c := range f.sw.CommandsOf(switchtest.OpOriginate) {
		if c.UUID == res.CallUUID {
			orig = &c
		}
	}
	if orig == nil || orig.Originate.CallerIDNumber != "02161234567" || orig.Originate.Node != switchtest.DefaultNode || orig.Originate.Number != "+8613800138000" {
		t.Fatalf("originate %+v", orig)
	}
	if st := f.state(a1); st != store.AgentReserved {
		t.Fatalf("agent %s while dialing", st)
	}
	if _, err := f.d.Dial(ctx, DialRequest{AgentID: a1, Phone: "13800138001"}); !errors.Is(err, ErrCallInProgress) {
		t.Fatalf("second dial: %v", err)
	}
	f.sw.Far(res.CallUUID).Answer(controller.AMDUnknown)
	f.sw.Far(f.agentLeg(1)).Answer(controller.AMDUnknown)
	waitFor(t, "on call", func() bool { return f.state(a1) == store.AgentOnCall })
	f.sw.Far(res.CallUUID).Hangup("NORMAL_CLEARING")
	waitFor(t, "acw", func() bool { return f.state(a1) == store.AgentACW })
	if err := f.d.Dispose(ctx, a1, res.CallUUID, dialer.Disposition{Result: "promised"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "back on the break", func() bool { return f.state(a1) == store.AgentBreak })
	att, err := f.st.GetAttemptByUUID(ctx, res.CallUUID)
	if err != nil {
		t.Fatal(err)
	}
	if att.AgentID != a1 || att.Disposition != "promised" || att.Outcome != store.ResultHuman || att.CallerID != "02161234567" || att.FinishedAt == nil {
		t.Fatalf("attempt %+v", att)
	}

	res2, err := f.d.Dial(ctx, DialRequest{AgentID: a1, Phone: "13800138002"})
	if err != nil {
		t.Fatal(err)
	}
	f.sw.Far(res2.CallUUID).HangupSIP("NO_ANSWER", 480)
	waitFor(t, "the unanswered attempt closed", func() bool {
		a, err := f.st.GetAttemptByUUID(ctx, res2.CallUUID)
		return err == nil && a.FinishedAt != nil
	})
	waitFor(t, "back on the break", func() bool { return f.state(a1) == store.AgentBreak })
	if a, _ := f.st.GetAttemptByUUID(ctx, res2.CallUUID); a.Outcome == store.ResultHuman || a.Outcome == "" {
		t.Fatalf("unanswered attempt outcome %q", a.Outcome)
	}
}
