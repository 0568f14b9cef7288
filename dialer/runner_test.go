package dialer

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/switchtest"
	"github.com/bankcc/callcenter/ivr"
	"github.com/bankcc/callcenter/store"
)

// Progressive: one call per reserved agent, pinned to the agent's node,
// from the campaign's caller IDs, ringing at least 15 s; each hangup's class
// settles its attempt; the answered customer is connected to the reserved
// agent, and the agent's disposition finishes the attempt.
func TestProgressiveCallsPerReservedAgent(t *testing.T) {
	s := newStore(t)
	sw := switchtest.New(t)
	f := newCampaign(t, s, []string{"+8613900000001", "+8613900000002", "+8613900000003"}, nil)
	agent := Reservation{ID: "r1", AgentID: 42, Extension: "1001", Node: "fs-b"}
	desk := newFakeDesk(agent)
	connected := make(chan ConnectRequest, 4)
	desk.connect = func(req ConnectRequest) (Connection, error) {
		connected <- req
		return Connection{AgentID: req.Reservation.AgentID, AgentLeg: "agent-leg", ConnectedAt: time.Now()}, nil
	}
	farEnd(t, sw, func(c switchtest.Command) {
		switch c.Originate.Number {
		case "+8613900000001":
			sw.Far(c.UUID).Hangup("USER_BUSY")
		case "+8613900000002":
			sw.Far(c.UUID).Answer(controller.AMDHuman)
		case "+8613900000003":
			sw.Far(c.UUID).Hangup("UNALLOCATED_NUMBER")
		}
	})
	startManager(t, Options{Switch: sw, Store: s, Desk: desk})

	req := <-connected
	if req.Reservation == nil || req.Reservation.AgentID != 42 || req.Deadline.IsZero() {
		t.Fatalf("connect request %+v", req)
	}
	sw.Far(req.Leg.UUID()).Hangup("NORMAL_CLEARING")
	must(t, req.Finish(context.Background(), Disposition{AgentID: 42, Result: "promise_to_pay", EndedAt: time.Now()}))
	desk.ready <- agent // after-call work over

	eventually(t, "three settled contacts", func() bool {
		n := 0
		for _, c := range f.contacts() {
			if c.Status != store.ContactInProgress && c.Attempts == 1 {
				n++
			}
		}
		return n == 3
	})
	origs := sw.CommandsOf(switchtest.OpOriginate)
	if len(origs) != 3 {
		t.Fatalf("originates: %v", origs)
	}
	for _, o := range origs {
		r := o.Originate
		if r.Node != "fs-b" || r.AgentID != 42 || r.CampaignID != f.camp.ID || r.ContactID == 0 || r.Gateway != "gw1" ||
			r.Timeout < 15*time.Second || !slices.Contains(f.camp.CallerIDs, r.CallerIDNumber) {
			t.Errorf("originate %+v", r)
		}
	}
	byPhone := f.contacts()
	want := map[string]struct {
		status store.ContactStatus
		class  store.ResultClass
	}{
		"+8613900000001": {store.ContactPending, store.ResultBusy},
		"+8613900000002": {store.ContactCompleted, store.ResultHuman},
		"+8613900000003": {store.ContactMaintenance, store.ResultInvalidNumber},
	}
	for _, o := range origs {
		a := f.attempt(o.UUID)
		w := want[o.Originate.Number]
		c := byPhone[o.Originate.Number]
		if a.Outcome != w.class || c.Status != w.status {
			t.Errorf("%s: attempt %q contact %s, want %s %s", o.Originate.Number, a.Outcome, c.Status, w.class, w.status)
		}
	}
	if a := f.attempt(req.Leg.UUID()); a.Disposition != "promise_to_pay" || a.AgentID != 42 {
		t.Errorf("connected attempt %+v", a)
	}
}

// Predictive: with no agent connected within 2 s the customer hears the
// compliance message; the opt-out key blacklists the number, the call
// ends and the attempt is abandoned.
func TestPredictiveAbandonPlaysComplianceMessage(t *testing.T) {
	s := newStore(t)
	sw := switchtest.New(t)
	f := newCampaign(t, s, []string{"+8613900000011"}, func(_ *store.Strategy, c *store.Campaign) {
		c.DialMode, c.ComplianceMessage = store.DialPredictive, "bank/compliance.wav"
	})
	desk := newFakeDesk()
	desk.connect = func(req ConnectRequest) (Connection, error) { return Connection{}, ErrNoAgent }
	for i := range 3 {
		desk.changes <- AgentChange{At: time.Now(), AgentID: int64(i + 1), To: "ready"}
	}
	played := make(chan string, 1)
	farEnd(t, sw, func(c switchtest.Command) { sw.Far(c.UUID).Answer(controller.AMDHuman) })
	startManager(t, Options{Switch: sw, Store: s, Desk: desk, ComplianceMessage: "server-default.wav"})

	eventually(t, "the compliance message", func() bool {
		b := sw.CommandsOf(switchtest.OpBroadcast)
		if len(b) == 1 {
			played <- b[0].UUID
			return true
		}
		return false
	})
	uuid := <-played
	sw.Far(uuid).DTMF("9")
	eventually(t, "the call to end", func() bool { return len(sw.CommandsOf(switchtest.OpHangup)) == 1 })
	eventually(t, "the attempt to settle", func() bool { return f.attempt(uuid).Outcome != "" })
	a := f.attempt(uuid)
	if a.Outcome != store.ResultAbandoned || !a.Abandoned {
		t.Errorf("attempt %+v", a)
	}
	if c := f.contacts()["+8613900000011"]; c.Status != store.ContactBlocked {
		t.Errorf("contact after opt-out: %s", c.Status)
	}
	if got := sw.CommandsOf(switchtest.OpBroadcast)[0].Args[0]; got != "bank/compliance.wav" {
		t.Errorf("message played %q", got)
	}
}

// Broadcast: the answered call goes to the campaign's IVR flow through the
// socket app; the flow's result is the attempt's disposition, and the
// campaign completes when nothing is left.
func TestBroadcastRunsTheFlowAndCompletes(t *testing.T) {
	s := newStore(t)
	sw := switchtest.New(t)
	f := newCampaign(t, s, []string{"+8613900000021", "+8613900000022"}, func(_ *store.Strategy, c *store.Campaign) {
		c.DialMode, c.Media, c.IVRFlow, c.GroupID = store.DialBroadcast, store.MediaIVR, "notify", nil
	})
	hub := NewIVRResults()
	farEnd(t, sw, func(c switchtest.Command) {
		sw.Far(c.UUID).Answer(controller.AMDHuman)
		vars := map[string]string{}
		if c.Originate.Number == "+8613900000021" {
			vars["confirmed"] = "true"
		}
		hub.IVRResult(context.Background(), ivr.Result{CallUUID: c.UUID, Flow: "notify", Outcome: ivr.OutcomeCompleted, Vars: vars})
		sw.Far(c.UUID).Hangup("NORMAL_CLEARING")
	})
	startManager(t, Options{Switch: sw, Store: s, IVRAddr: "127.0.0.1:8084", IVR: hub})

	eventually(t, "the campaign to complete", func() bool { return f.status() == store.CampaignCompleted })
	for _, o := range sw.CommandsOf(switchtest.OpOriginate) {
		r := o.Originate
		if r.App != "socket" || r.AppArgs != "127.0.0.1:8084 async full" || r.Vars["ivr_flow"] != "notify" {
			t.Errorf("originate %+v", r)
		}
		want := "ivr_completed"
		if r.Number == "+8613900000021" {
			want = "confirmed"
		}
		if a := f.attempt(o.UUID); a.Outcome != store.ResultAnswered || a.Disposition != want {
			t.Errorf("%s: attempt outcome %q disposition %q, want %q", r.Number, a.Outcome, a.Disposition, want)
		}
	}
	for p, c := range f.contacts() {
		if c.Status != store.ContactCompleted {
			t.Errorf("%s: %s", p, c.Status)
		}
	}
}

// A message campaign sends through the Messenger, never the switch.
func TestSMSCampaignSendsThroughTheMessenger(t *testing.T) {
	s := newStore(t)
	sw := switchtest.New(t)
	f := newCampaign(t, s, []string{"+8613900000031", "+8613900000032"}, func(_ *store.Strategy, c *store.Campaign) {
		c.Media, c.DialMode, c.GroupID, c.CallerIDs = store.MediaSMS, store.DialBroadcast, nil, nil
		c.Message = store.CampaignMessage{Text: "您好 {{name}}", SignName: "某银行"}
	})
	msg := &fakeMessenger{refuse: map[string]bool{"+8613900000032": true}}
	startManager(t, Options{Switch: sw, Store: s, Messenger: msg})
	eventually(t, "the campaign to complete", func() bool { return f.status() == store.CampaignCompleted })
	if n := len(sw.CommandsOf(switchtest.OpOriginate)); n != 0 {
		t.Errorf("%d originates for an sms campaign", n)
	}
	cs := f.contacts()
	if cs["+8613900000031"].Status != store.ContactCompleted || cs["+8613900000032"].Status != store.ContactMaintenance {
		t.Errorf("contacts %+v", cs)
	}
}

// A pause stops dialing at the next dial; a resume starts it again.
func TestPauseStopsTheRunner(t *testing.T) {
	s := newStore(t)
	sw := switchtest.New(t)
	f := newCampaign(t, s, []string{"+8613900000041", "+8613900000042"}, nil)
	desk := newFakeDesk() // no agent: the runner waits in Reserve
	m := startManager(t, Options{Switch: sw, Store: s, Desk: desk})
	eventually(t, "the runner", func() bool { return slices.Contains(m.Running(), f.camp.ID) })
	_, err := s.PauseCampaign(f.ctx, f.camp.ID)
	must(t, err)
	eventually(t, "the runner to stop", func() bool { return len(m.Running()) == 0 })
	for p, c := range f.contacts() {
		if c.ClaimToken != "" {
			t.Errorf("%s still claimed after the pause", p)
		}
	}
	_, err = s.StartCampaign(f.ctx, f.camp.ID)
	must(t, err)
	eventually(t, "the runner again", func() bool { return slices.Contains(m.Running(), f.camp.ID) })
}

// Without a desk, an agent mode campaign is held but not dialed.
func TestNoDeskWaits(t *testing.T) {
	s := newStore(t)
	sw := switchtest.New(t)
	f := newCampaign(t, s, []string{"+8613900000051"}, nil)
	m := startManager(t, Options{Switch: sw, Store: s})
	eventually(t, "the runner", func() bool { return slices.Contains(m.Running(), f.camp.ID) })
	time.Sleep(50 * time.Millisecond)
	if n := len(sw.CommandsOf(switchtest.OpOriginate)); n != 0 {
		t.Fatalf("%d originates without agents", n)
	}
}

// A callback is reminded to its booker before it is due; when due it is
// dialed with an agent reserved preferring the booker, and the call closes it.
func TestCallbackGoesToItsBooker(t *testing.T) {
	s := newStore(t)
	sw := switchtest.New(t)
	f := newCampaign(t, s, []string{"+8613900000061"}, nil)
	u := &store.User{Username: "booker", Role: store.RoleAgent, DisplayName: "booker"}
	must(t, u.SetPassword("Test-Pass-2026", time.Now()))
	must(t, s.CreateUser(f.ctx, u, nil))
	contact := f.contacts()["+8613900000061"]
	cb := &store.Callback{CampaignID: f.camp.ID, ContactID: contact.ID, Phone: contact.Phone, AgentID: u.ID,
		DueAt: time.Now().Add(1500 * time.Millisecond), Note: "call after lunch"}
	must(t, s.CreateCallback(f.ctx, cb))
	booker := Reservation{ID: "r9", AgentID: u.ID, Extension: "1009", Node: "fake1"}
	desk := newFakeDesk(booker)
	connected := make(chan ConnectRequest, 1)
	desk.connect = func(req ConnectRequest) (Connection, error) {
		connected <- req
		return Connection{AgentID: u.ID, ConnectedAt: time.Now()}, nil
	}
	farEnd(t, sw, func(c switchtest.Command) { sw.Far(c.UUID).Answer(controller.AMDHuman) })
	startManager(t, Options{Switch: sw, Store: s, Desk: desk, CallbackGrace: time.Minute})
	eventually(t, "the reminder", func() bool {
		desk.mu.Lock()
		defer desk.mu.Unlock()
		return len(desk.reminded) == 1 && desk.reminded[0].CallbackID == cb.ID
	})
	if len(sw.CommandsOf(switchtest.OpOriginate)) != 0 {
		t.Fatal("dialed before the callback was due")
	}
	req := <-connected
	if req.CallbackID != cb.ID || req.Reservation == nil || req.Reservation.AgentID != u.ID {
		t.Fatalf("connect %+v", req)
	}
	desk.mu.Lock()
	r := desk.reserves[len(desk.reserves)-1]
	desk.mu.Unlock()
	if r.PreferAgentID != u.ID || r.Purpose != "callback" || r.Grace != time.Minute {
		t.Errorf("reserve %+v", r)
	}
	sw.Far(req.Leg.UUID()).Hangup("NORMAL_CLEARING")
	must(t, req.Finish(f.ctx, Disposition{AgentID: u.ID, Result: "success", EndedAt: time.Now()}))
	got, err := s.GetCallback(f.ctx, cb.ID)
	must(t, err)
	if got.Status != store.CallbackDone {
		t.Errorf("callback %s after the call", got.Status)
	}
}

// An answering machine gets the campaign's machine message after the beep
// (avmd started for it after the verdict), then the call
// ends as machine and the reserved agent is released.
func TestMachineGetsTheCampaignsMessage(t *testing.T) {
	s := newStore(t)
	sw := switchtest.New(t)
	f := newCampaign(t, s, []string{"+8613900000071"}, func(_ *store.Strategy, c *store.Campaign) {
		c.MachineAction, c.MachineMessage = store.MachineLeaveMessage, "bank/machine.wav"
	})
	desk := newFakeDesk(Reservation{ID: "r1", AgentID: 5, Node: "fake1"})
	desk.connect = func(ConnectRequest) (Connection, error) {
		t.Error("a machine was connected")
		return Connection{}, ErrNoAgent
	}
	farEnd(t, sw, func(c switchtest.Command) { sw.Far(c.UUID).Answer(controller.AMDMachine) })
	startManager(t, Options{Switch: sw, Store: s, Desk: desk, AMDWait: patience})
	var uuid string
	eventually(t, "beep detection after the verdict", func() bool {
		b := sw.CommandsOf(switchtest.OpBeepDetect)
		if len(b) == 1 {
			uuid = b[0].UUID
			return true
		}
		return false
	})
	if b := sw.CommandsOf(switchtest.OpBroadcast); len(b) != 0 {
		t.Errorf("broadcasts before the beep: %+v", b)
	}
	sw.Far(uuid).Beep() // the greeting is over: now the message
	eventually(t, "the machine message", func() bool {
		b := sw.CommandsOf(switchtest.OpBroadcast)
		return len(b) == 1 && b[0].Args[0] == "bank/machine.wav"
	})
	sw.Far(uuid).Complete("FILE PLAYED")
	eventually(t, "the attempt to settle", func() bool { return f.attempt(uuid).Outcome != "" })
	if a := f.attempt(uuid); a.Outcome != store.ResultMachine || !a.Machine {
		t.Errorf("attempt %+v", a)
	}
	desk.mu.Lock()
	defer desk.mu.Unlock()
	if len(desk.released) != 1 || desk.released[0] != "answering machine" {
		t.Errorf("released %v", desk.released)
	}
}

// An edit of a running campaign takes effect on the very next dial.
func TestEditTakesEffectOnTheNextDial(t *testing.T) {
	s := newStore(t)
	sw := switchtest.New(t)
	f := newCampaign(t, s, []string{"+8613900000081", "+8613900000082"}, func(st *store.Strategy, c *store.Campaign) {
		c.DialMode, c.Media, c.IVRFlow, c.GroupID = store.DialBroadcast, store.MediaIVR, "notify", nil
		st.BatchSize, st.BatchIntervalS = 1, 0
	})
	edited := make(chan struct{})
	farEnd(t, sw, func(c switchtest.Command) {
		if c.Originate.Gateway == "gw1" {
			<-edited // a batch of one: the next dial waits for this call's end
		}
		sw.Far(c.UUID).Hangup("USER_BUSY")
	})
	startManager(t, Options{Switch: sw, Store: s})
	eventually(t, "the first dial", func() bool { return len(sw.CommandsOf(switchtest.OpOriginate)) == 1 })
	camp, err := s.GetCampaign(f.ctx, f.camp.ID)
	must(t, err)
	camp.Gateway = "gw2"
	must(t, s.UpdateCampaign(f.ctx, camp))
	close(edited)
	eventually(t, "the second dial", func() bool { return len(sw.CommandsOf(switchtest.OpOriginate)) == 2 })
	if o := sw.CommandsOf(switchtest.OpOriginate); o[0].Originate.Gateway != "gw1" || o[1].Originate.Gateway != "gw2" {
		t.Errorf("gateways %q then %q, want gw1 then gw2", o[0].Originate.Gateway, o[1].Originate.Gateway)
	}
}
