package acd

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/switchtest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
)

func TestConsultThenConference(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	a2 := f.agent("a2", "1002", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	conn := f.connect(cust, &fin, 1)
	f.signIn(a2, true)
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionConference, ""); !errors.Is(err, ErrNotConsulting) {
		t.Fatalf("conference without a consult: %v", err)
	}
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionConsult, "agent:"+itoa(a2)); err != nil {
		t.Fatal(err)
	}
	consult := f.agentLeg(2)
	f.sw.Far(consult).Answer(controller.AMDUnknown)
	waitFor(t, "agent bridged to the consult leg", func() bool {
		for _, c := range f.sw.CommandsOf(switchtest.OpBridge) {
			if c.UUID == conn.AgentLeg && c.Args[0] == consult {
				return true
			}
		}
		return false
	})
	waitFor(t, "customer hears music", func() bool { return len(f.sw.CommandsOf(switchtest.OpBroadcast)) == 1 })
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionConference, ""); err != nil {
		t.Fatal(err)
	}
	if got := f.sw.CommandsOf(switchtest.OpConference); len(got) != 3 {
		t.Fatalf("conference commands %v", got)
	}
	f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
	waitFor(t, "a1 acw", func() bool { return f.state(a1) == store.AgentACW })
	waitFor(t, "a2 back", func() bool { return f.state(a2) == store.AgentReady })
	waitFor(t, "no leg left", func() bool {
		return f.sw.Leg(conn.AgentLeg).Record().State == controller.StateEnded && f.sw.Leg(consult).Record().State == controller.StateEnded
	})
}

func TestCustomerHangsUpDuringConsult(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	conn := f.connect(cust, &fin, 1)
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionConsult, "number:13900001111"); err != nil {
		t.Fatal(err)
	}
	var outside string
	waitFor(t, "consult originate", func() bool {
		for _, c := range f.sw.CommandsOf(switchtest.OpOriginate) {
			if c.Originate.Number == "13900001111" {
				outside = c.UUID
				return c.Originate.Gateway == "trunk" && c.Originate.Node == cust.Node()
			}
		}
		return false
	})
	f.sw.Far(outside).Answer(controller.AMDHuman)
	waitFor(t, "agent with the consult party", func() bool { return len(f.sw.CommandsOf(switchtest.OpBridge)) == 2 })
	f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
	// The agent still talks to the consulted party; when it hangs up the agent's leg is not left parked.
	f.sw.Far(outside).Hangup("NORMAL_CLEARING")
	waitFor(t, "a1 acw", func() bool { return f.state(a1) == store.AgentACW })
	waitFor(t, "agent leg ended", func() bool { return f.sw.Leg(conn.AgentLeg).Record().State == controller.StateEnded })
	if err := f.d.Dispose(context.Background(), a1, cust.UUID(), dialer.Disposition{Result: "success"}); err != nil {
		t.Fatal(err)
	}
	if got := fin.list(); len(got) != 1 || got[0].Result != "success" {
		t.Fatalf("finish %+v", got)
	}
}

func TestLostDesktopIsSignedOut(t *testing.T) {
	f := newFixture(t, Config{LostAfter: 60 * time.Millisecond})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	// Staffing does not count as the desktop being seen; nothing touches a1.
	waitFor(t, "lost agent signed out", func() bool { return f.d.Staffing(f.group).SignedIn == 0 })
	f.d.jr.flush()
	s, err := f.st.AgentSessions(context.Background(), []int64{a1}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil || len(s) != 1 || s[0].EndReason != store.EndLost {
		t.Fatalf("sessions %+v %v", s, err)
	}
}

func TestUnregisteredPhoneLeavesRouting(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	f.sw.Unregister("1001")
	waitFor(t, "signed out", func() bool { return f.d.Staffing(f.group).SignedIn == 0 })
}

func TestForcedSignOutWaitsForTheCall(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	f.connect(cust, &fin, 1)
	deferred, err := f.d.ForceSignOut(context.Background(), a1, 99)
	if err != nil || !deferred {
		t.Fatalf("forced sign-out on a call: %v %v", deferred, err)
	}
	f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
	waitFor(t, "acw", func() bool { return f.state(a1) == store.AgentACW })
	if err := f.d.Dispose(context.Background(), a1, cust.UUID(), dialer.Disposition{Result: "success"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "signed out", func() bool { return f.d.Staffing(f.group).SignedIn == 0 })
}

func TestReservePrefersTheBookerThenAnyone(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	a2 := f.agent("a2", "1002", true)
	f.signIn(a1, true)
	f.signIn(a2, false) // the booker is on a break
	res, err := f.d.Reserve(context.Background(), dialer.ReserveRequest{GroupID: f.group, PreferAgentID: a2, Grace: 30 * time.Millisecond, Purpose: "callback"})
	if err != nil || res.AgentID != a1 || res.Node != switchtest.DefaultNode || res.Extension != "1001" {
		t.Fatalf("after the grace: %+v %v", res, err)
	}
	f.d.Release(context.Background(), res, "busy")
	if st := f.state(a1); st != store.AgentReady {
		t.Fatalf("released agent %s", st)
	}
	if _, err := f.d.SetState(context.Background(), a2, store.AgentReady, ""); err != nil {
		t.Fatal(err)
	}
	res, err = f.d.Reserve(context.Background(), dialer.ReserveRequest{GroupID: f.group, PreferAgentID: a2, Grace: time.Minute})
	if err != nil || res.AgentID != a2 {
		t.Fatalf("the booker is ready: %+v %v", res, err)
	}
	// Preview: the agent skips.
	go func() {
		waitFor(t, "preview waiting", func() bool {
			v, err := f.d.AnswerPreview(context.Background(), a2, dialer.PreviewChoice{Skip: "not_now"})
			return err == nil && v.ContactID == 5
		})
	}()
	c, err := f.d.Preview(context.Background(), res, dialer.PreviewOffer{CampaignID: 1, ContactID: 5, Phone: "13800138000"})
	if err != nil || c.Dial || c.Skip != "not_now" {
		t.Fatalf("preview %+v %v", c, err)
	}
	if r, err := f.d.Reserve(context.Background(), dialer.ReserveRequest{GroupID: f.group}); err != nil || r.AgentID != a1 {
		t.Fatalf("the other agent: %+v %v", r, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := f.d.Reserve(ctx, dialer.ReserveRequest{GroupID: f.group}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("nobody ready: %v", err)
	}
}

func TestWatchStartsFromTheCurrentState(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := f.d.Watch(ctx, dialer.AgentPool{GroupID: f.group})
	first := <-ch
	if first.AgentID != a1 || first.To != string(store.AgentBreak) {
		t.Fatalf("first change %+v", first)
	}
	if _, err := f.d.SetState(context.Background(), a1, store.AgentReady, ""); err != nil {
		t.Fatal(err)
	}
	if next := <-ch; next.From != string(store.AgentBreak) || next.To != string(store.AgentReady) {
		t.Fatalf("next change %+v", next)
	}
}

func TestNailedUpLegIsBridgedWithoutRinging(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	go func() { f.sw.Far(f.agentLeg(1)).Answer(controller.AMDUnknown) }()
	if _, err := f.d.SignIn(context.Background(), SignInRequest{AgentID: a1, Ready: true, Mode: store.SoftphoneNailedUp}); err != nil {
		t.Fatal(err)
	}
	nailed := f.agentLeg(1)
	cust := f.customer()
	var fin finishes
	conn, err := f.d.Connect(context.Background(), dialer.ConnectRequest{Leg: cust, GroupID: f.group, Deadline: time.Now().Add(time.Minute), Finish: fin.finish})
	if err != nil || conn.AgentLeg != nailed {
		t.Fatalf("connect %+v %v", conn, err)
	}
	f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
	waitFor(t, "acw", func() bool { return f.state(a1) == store.AgentACW })
	if f.sw.Leg(nailed).Record().State == controller.StateEnded {
		t.Fatal("the nailed-up leg was hung up with the call")
	}
	if n := len(f.sw.CommandsOf(switchtest.OpOriginate)); n != 2 { // the nailed leg and the customer
		t.Fatalf("%d originates", n)
	}
}

func TestTransferToGroupCustomerLeavesWhileWaiting(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	conn := f.connect(cust, &fin, 1)
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionTransfer, "group:"+itoa(f.group)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a1 in acw", func() bool { return f.state(a1) == store.AgentACW })
	waitFor(t, "a1's leg hung up, music to the customer", func() bool {
		return f.sw.Leg(conn.AgentLeg).Record().State == controller.StateEnded && len(f.sw.CommandsOf(switchtest.OpBroadcast)) == 1
	})
	// Nobody else is ready: the customer gives up waiting.
	f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
	waitFor(t, "the attempt closed automatically", func() bool { return len(fin.list()) == 1 })
	if got := fin.list(); !got[0].Auto {
		t.Fatalf("finish %+v", got)
	}
	if err := f.d.Dispose(context.Background(), a1, cust.UUID(), dialer.Disposition{Result: "transferred"}); err != nil {
		t.Fatal(err)
	}
	if got := fin.list(); len(got) != 1 {
		t.Fatalf("finished twice: %+v", got)
	}
}

func TestTransferToOutsideNumber(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	f.connect(cust, &fin, 1)
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionTransfer, "number:13900001111"); err != nil {
		t.Fatal(err)
	}
	var outside string
	waitFor(t, "outside originate", func() bool {
		for _, c := range f.sw.CommandsOf(switchtest.OpOriginate) {
			if c.Originate.Number == "13900001111" {
				outside = c.UUID
				return true
			}
		}
		return false
	})
	f.sw.Far(outside).Answer(controller.AMDHuman)
	waitFor(t, "customer bridged to the outside party", func() bool {
		for _, c := range f.sw.CommandsOf(switchtest.OpBridge) {
			if c.UUID == cust.UUID() && c.Args[0] == outside {
				return true
			}
		}
		return false
	})
	// The call left the centre with a1: a1's disposition closes the attempt.
	waitFor(t, "a1 in acw", func() bool { return f.state(a1) == store.AgentACW })
	if err := f.d.Dispose(context.Background(), a1, cust.UUID(), dialer.Disposition{Result: "transferred"}); err != nil {
		t.Fatal(err)
	}
	if got := fin.list(); len(got) != 1 || got[0].Result != "transferred" {
		t.Fatalf("finish %+v", got)
	}
	f.sw.Far(outside).Hangup("NORMAL_CLEARING")
	waitFor(t, "customer not left parked", func() bool { return f.sw.Leg(cust.UUID()).Record().State == controller.StateEnded })
}

func TestEavesdropJoinsTheAgentsLeg(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	sup := f.agent("sup", "1009", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	conn := f.connect(cust, &fin, 1)
	if _, err := f.d.Eavesdrop(context.Background(), sup, "no-such-call", controller.EavesdropListen); !errors.Is(err, ErrNoSuchCall) {
		t.Fatalf("unknown call: %v", err)
	}
	leg, err := f.d.Eavesdrop(context.Background(), sup, cust.UUID(), controller.EavesdropWhisper)
	if err != nil || leg == "" {
		t.Fatalf("eavesdrop: %q %v", leg, err)
	}
	got := f.sw.CommandsOf(switchtest.OpEavesdrop)
	if len(got) != 1 || got[0].Originate.Endpoint != "user/1009" {
		t.Fatalf("eavesdrop commands %v", got)
	}
	if c := got[0]; c.UUID != leg || !containsArg(c, conn.AgentLeg) {
		t.Fatalf("eavesdrop command %+v (agent leg %s)", c, conn.AgentLeg)
	}
}

func containsArg(c switchtest.Command, s string) bool {
	for _, a := range c.Args {
		if a == s {
			return true
		}
	}
	return c.Originate.AppArgs == s || c.Originate.Vars["eavesdrop_target"] == s
}
