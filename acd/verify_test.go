package acd

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/switchtest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/ivr"
	"github.com/bankcc/callcenter/store"
)

// connectContact connects a customer leg carrying a contact to the n-th
// agent leg originated.
func (f *fixture) connectContact(cust controller.Leg, fin *finishes, n int) dialer.Connection {
	f.t.Helper()
	res := make(chan error, 1)
	var conn dialer.Connection
	go func() {
		var err error
		conn, err = f.d.Connect(context.Background(), dialer.ConnectRequest{Leg: cust, GroupID: f.group, CampaignID: 1, ContactID: 77,
			Deadline: time.Now().Add(time.Minute), Finish: fin.finish})
		res <- err
	}()
	f.sw.Far(f.agentLeg(n)).Answer(controller.AMDUnknown)
	if err := <-res; err != nil {
		f.t.Fatal(err)
	}
	return conn
}

// verifyToken waits for the token the desk set on the customer's leg.
func (f *fixture) verifyToken(cust string, n int) string {
	f.t.Helper()
	var token string
	waitFor(f.t, "the verification token on the customer's leg", func() bool {
		k := 0
		for _, c := range f.sw.CommandsOf(switchtest.OpSetVars) {
			if c.UUID == cust && c.Vars["cc_verify_token"] != "" {
				if k++; k == n {
					token = c.Vars["cc_verify_token"]
					return true
				}
			}
		}
		return false
	})
	return token
}

func (f *fixture) agentView(id int64) AgentView {
	f.t.Helper()
	v, err := f.d.Agent(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

// The round trip with the switch faked: the customer leaves for the IVR
// (agent reserved, bridge gone, recording masked), each result comes back
// to the same agent, and only the result of the verification in progress
// counts, once.
func TestVerifyRoundTrip(t *testing.T) {
	f := newFixture(t, Config{RecordingsDir: t.TempDir()})
	a1 := f.agent("a1", "1001", true)
	a2 := f.agent("a2", "1002", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	conn := f.connectContact(cust, &fin, 1)
	f.signIn(a2, true)
	ctx := context.Background()
	if err := f.d.Verify(ctx, a2, cust.UUID(), ""); !errors.Is(err, ErrNotYourCall) {
		t.Fatalf("a2 verifies a1's call: %v", err)
	}
	if err := f.d.Verify(ctx, a1, cust.UUID(), "verify id"); !errors.Is(err, ErrBadFlow) {
		t.Fatalf("bad flow: %v", err)
	}

	cases := []struct {
		res    ivr.Result
		status VerifyStatus
	}{
		{ivr.Result{Outcome: ivr.OutcomeHandback, Verified: true, Attempts: 1}, VerifyVerified},
		{ivr.Result{Outcome: ivr.OutcomeHandback, Attempts: 3}, VerifyFailed},
		{ivr.Result{Outcome: ivr.OutcomeHandback}, VerifyNoInput},
	}
	for i, c := range cases {
		if err := f.d.Verify(ctx, a1, cust.UUID(), ""); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		token := f.verifyToken(cust.UUID(), i+1)
		waitFor(t, "agent reserved while the customer is in the IVR", func() bool { return f.state(a1) == store.AgentReserved })
		if v := f.agentView(a1).Verify; v == nil || v.Status != VerifyPending {
			t.Fatalf("case %d: pending view %+v", i, v)
		}
		if err := f.d.Control(ctx, a1, cust.UUID(), ActionHold, ""); !errors.Is(err, ErrBusy) {
			t.Fatalf("case %d: hold while verifying: %v", i, err)
		}
		// A result for another token (a replay of an earlier one) is ignored.
		stale := c.res
		stale.CallUUID, stale.Flow, stale.Verified = cust.UUID(), ivr.FlowVerifyID, true
		stale.ChannelVars = map[string]string{"cc_verify_token": "not-" + token}
		f.d.IVRResult(ctx, stale)
		r := c.res
		r.CallUUID, r.Flow, r.ChannelVars = cust.UUID(), ivr.FlowVerifyID, map[string]string{"cc_verify_token": token}
		f.d.IVRResult(ctx, r)
		waitFor(t, "back on the call with the result", func() bool {
			v := f.agentView(a1)
			return v.State == store.AgentOnCall && v.Verify != nil && v.Verify.Status == c.status
		})
		f.d.IVRResult(ctx, r) // the same result again: nothing happens
		bridges := f.sw.CommandsOf(switchtest.OpBridge)
		if last := bridges[len(bridges)-1]; len(bridges) != i+2 || last.UUID != cust.UUID() || last.Args[0] != conn.AgentLeg {
			t.Fatalf("case %d: bridges %v, want the customer back with agent leg %s", i, bridges, conn.AgentLeg)
		}
	}
	if tr := f.sw.CommandsOf(switchtest.OpTransfer); len(tr) != 3 || tr[0].Args[1] != "ivr_verify_id" || tr[0].Args[3] != "ivr" {
		t.Fatalf("transfers %v", tr)
	}
	masks := f.sw.CommandsOf(switchtest.OpRecordMask)
	if len(masks) != 6 {
		t.Fatalf("record masks %v, want mask and unmask for each round trip", masks)
	}

	// The customer hangs up in the IVR: the agent goes to after-call work,
	// the agent's leg is hung up, the verification says so.
	if err := f.d.Verify(ctx, a1, cust.UUID(), ""); err != nil {
		t.Fatal(err)
	}
	token := f.verifyToken(cust.UUID(), 4)
	f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
	waitFor(t, "acw", func() bool { return f.state(a1) == store.AgentACW })
	waitFor(t, "agent leg hung up", func() bool { return f.sw.Leg(conn.AgentLeg).Record().State == controller.StateEnded })
	if v := f.agentView(a1).Verify; v == nil || v.Status != VerifyHangup {
		t.Fatalf("after the hangup %+v", v)
	}
	f.d.IVRResult(ctx, ivr.Result{CallUUID: cust.UUID(), Flow: ivr.FlowVerifyID, Outcome: ivr.OutcomeHandback, Verified: true,
		ChannelVars: map[string]string{"cc_verify_token": token}})
	if err := f.d.Verify(ctx, a1, cust.UUID(), ""); !errors.Is(err, ErrCallEnded) {
		t.Fatalf("verify a finished call: %v", err)
	}
}

// A call without a contact has nothing to verify against; an IVR that
// never answers brings the customer back with error.
func TestVerifyNoContactAndTimeout(t *testing.T) {
	f := newFixture(t, Config{VerifyTimeout: 50 * time.Millisecond})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	ctx := context.Background()
	cust := f.customer()
	var fin finishes
	f.connect(cust, &fin, 1)
	if err := f.d.Verify(ctx, a1, cust.UUID(), ""); !errors.Is(err, ErrNoContact) {
		t.Fatalf("no contact: %v", err)
	}
	f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
	waitFor(t, "acw", func() bool { return f.state(a1) == store.AgentACW })
	if err := f.d.Dispose(ctx, a1, cust.UUID(), dialer.Disposition{Result: "success"}); err != nil {
		t.Fatal(err)
	}

	cust2 := f.customer()
	f.connectContact(cust2, &fin, 2)
	if err := f.d.Verify(ctx, a1, cust2.UUID(), ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "brought back after the timeout", func() bool {
		v := f.agentView(a1)
		return v.State == store.AgentOnCall && v.Verify != nil && v.Verify.Status == VerifyError
	})
}
