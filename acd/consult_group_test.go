package acd

import (
	"context"
	"errors"
	"testing"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/switchtest"
	"github.com/bankcc/callcenter/store"
)

// A consult to a group holds the customer while the group has nobody
// ready, rings the first agent who becomes ready, and completes into a
// transfer to them.
func TestConsultToGroupThenComplete(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	a2 := f.agent("a2", "1002", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	conn := f.connect(cust, &fin, 1)
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionConsult, "group:"+itoa(f.group)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the agent on hold", func() bool { return f.state(a1) == store.AgentHold })
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionTransfer, ""); !errors.Is(err, ErrBusy) {
		t.Fatalf("complete while nobody is found: %v", err)
	}
	f.signIn(a2, true) // ready: the search takes them
	consult := f.agentLeg(2)
	f.sw.Far(consult).Answer(controller.AMDUnknown)
	waitFor(t, "agent bridged to the consulted agent", func() bool {
		for _, c := range f.sw.CommandsOf(switchtest.OpBridge) {
			if c.UUID == conn.AgentLeg && c.Args[0] == consult {
				return true
			}
		}
		return false
	})
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionTransfer, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a2 with the customer, a1 in acw", func() bool {
		return f.state(a2) == store.AgentOnCall && f.state(a1) == store.AgentACW
	})
	f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
	waitFor(t, "a2 acw", func() bool { return f.state(a2) == store.AgentACW })
}

// Unhold while the group's agent is still being looked for returns to the
// customer; an agent who becomes ready later is not taken.
func TestConsultToGroupWithdrawn(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	a2 := f.agent("a2", "1002", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	conn := f.connect(cust, &fin, 1)
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionConsult, "group:"+itoa(f.group)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the agent on hold", func() bool { return f.state(a1) == store.AgentHold })
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionUnhold, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "back with the customer", func() bool { return f.state(a1) == store.AgentOnCall })
	waitFor(t, "the search withdrawn", func() bool {
		n := -1
		_ = f.d.do(context.Background(), func() { n = len(f.d.r.waiting) })
		return n == 0
	})
	f.signIn(a2, true)
	if st := f.state(a2); st != store.AgentReady {
		t.Fatalf("a2 is %s after the consult was withdrawn", st)
	}
	var back bool
	for _, c := range f.sw.CommandsOf(switchtest.OpBridge) {
		back = back || (c.UUID == cust.UUID() && c.Args[0] == conn.AgentLeg)
	}
	if !back {
		t.Fatal("the customer was not bridged back to the agent")
	}
}
