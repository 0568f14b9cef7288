package controller

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller/esltest"
)

const (
	simScale = 0.01 // simulated seconds run 100 times faster
	simHB    = 100 * time.Millisecond
	// faultHB is the heartbeat the fault tests' watchdog expects: short so a
	// fault shows soon, long enough that a busy machine's pauses do not
	// look like one.
	faultHB = 300 * time.Millisecond
)

// simScenario: exact numbers with fixed outcomes, agents and a supervisor.
func simScenario() *esltest.Scenario {
	sc := esltest.DefaultScenario()
	sc.Overrides = []esltest.NumberOverride{
		{Number: "100", Outcome: esltest.OutcomeAnswer, Ring: time.Second, Talk: time.Hour},
		{Number: "101", Outcome: esltest.OutcomeAnswer, Ring: time.Second, Talk: 2 * time.Second},
		{Number: "200", Outcome: esltest.OutcomeBusy, Ring: time.Second},
		{Number: "300", Outcome: esltest.OutcomeNoAnswer},
		{Number: "400", Outcome: esltest.OutcomeInvalid},
		{Number: "500", Outcome: esltest.OutcomeRejected, Ring: time.Second},
		// The machines talk far longer than AMD's 2 s analysis, so the
		// detection lands first however late a busy machine runs its timer.
		{Number: "600", Outcome: esltest.OutcomeMachine, Ring: time.Second, Talk: 5 * time.Minute},
		{Number: "601", Outcome: esltest.OutcomeMachine, Ring: time.Second, Talk: time.Hour},
	}
	sc.Users = append(sc.Users, esltest.User{Extension: "2001", Registered: false})
	sc.Dialplan["ivr"] = "park"
	sc.Dialplan["avmd"] = "avmd_start,park"
	return sc
}

func startSim(t testing.TB) *esltest.Server {
	t.Helper()
	srv, err := esltest.Start(context.Background(), esltest.Options{
		Scenario: simScenario(), TimeScale: simScale, HeartbeatInterval: simHB, Logger: testLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	if msg := simFrameCheck(srv.Addr()); msg != "" {
		t.Fatal("esltest: " + msg)
	}
	return srv
}

var (
	simCheckOnce sync.Once
	simCheckMsg  string
)

// simFrameCheck reads one HEARTBEAT from the simulator and checks that its
// Content-Length matches the body. A simulator that mis-sizes frames
// breaks every eslgo connection; the tests then fail with this diagnosis
// instead of with obscure reconnect loops.
func simFrameCheck(addr string) string {
	simCheckOnce.Do(func() {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			simCheckMsg = err.Error()
			return
		}
		defer nc.Close()
		_ = nc.SetDeadline(time.Now().Add(patience))
		_, _ = nc.Write([]byte("auth ClueCon\n\nevent plain HEARTBEAT\n\n"))
		br := bufio.NewReader(nc)
		for {
			_, n, ctype, err := readFrameHeader(br)
			if err != nil {
				simCheckMsg = "reading frames: " + err.Error()
				return
			}
			body := make([]byte, n)
			if _, err := io.ReadFull(br, body); err != nil {
				simCheckMsg = "reading frames: " + err.Error()
				return
			}
			if ctype != "text/event-plain" {
				continue
			}
			if end := bytes.Index(body, []byte("\n\n")); end+2 != n {
				simCheckMsg = fmt.Sprintf("HEARTBEAT frame says Content-Length %d but its body is %d bytes (event.go plainSize)", n, end+2)
			}
			return
		}
	})
	return simCheckMsg
}

// simNode is a node for tests that exercise no fault: its command timeout
// and heartbeat watchdog are beyond any pause of a busy machine, so they
// never fire and a slow run cannot fail.
func simNode(name string, srv *esltest.Server) NodeConfig {
	return NodeConfig{Name: name, Address: srv.Addr(), HeartbeatInterval: time.Hour,
		CommandTimeout: patience, MaxBackoff: 200 * time.Millisecond}
}

// faultNode is a node whose timeouts the fault tests rely on: each fault
// is held until the node notices it, so how soon it does is not a guess.
func faultNode(name string, srv *esltest.Server) NodeConfig {
	return NodeConfig{Name: name, Address: srv.Addr(), HeartbeatInterval: faultHB,
		CommandTimeout: 2 * time.Second, MaxBackoff: 200 * time.Millisecond}
}

func waitCh(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(patience):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func simChannel(srv *esltest.Server, uuid string) (esltest.ChannelInfo, bool) {
	for _, ch := range srv.Channels() {
		if ch.UUID == uuid {
			return ch, true
		}
	}
	return esltest.ChannelInfo{}, false
}

func waitEnd(t testing.TB, c Leg) CallRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	r, err := c.Wait(ctx)
	if err != nil {
		t.Fatalf("call %s did not end: %+v", c.UUID(), r)
	}
	return r
}

func TestESLCallControl(t *testing.T) {
	srv := startSim(t)
	p := newTestPool(t, simNode("fs1", srv))
	ctx := context.Background()

	cust, err := p.Originate(ctx, OriginateRequest{Gateway: "gw1", Number: "100", CampaignID: 7, ContactID: 70})
	if err != nil {
		t.Fatal(err)
	}
	custEvents := cust.Events()
	agent, err := p.Originate(ctx, OriginateRequest{Endpoint: "user/1001", AgentID: 3})
	if err != nil {
		t.Fatal(err)
	}
	waitCh(t, cust.Answered(), "customer answer")
	waitCh(t, agent.Answered(), "agent answer")
	if st := p.Status()[0]; len(st.Gateways) == 0 || !strings.HasSuffix(st.Gateways[0].Name, "::gw1") || st.CoreUUID != srv.CoreUUID() {
		t.Errorf("status: %+v", st)
	}

	if err := p.Bridge(ctx, cust.UUID(), agent.UUID()); err != nil {
		t.Fatal(err)
	}
	waitCh(t, cust.Bridged(), "bridge")
	if r := cust.Record(); !r.Bridged || len(r.OtherUUIDs) == 0 || r.OtherUUIDs[0] != agent.UUID() {
		t.Errorf("after bridge: %+v", r)
	}

	t.Run("hold", func(t *testing.T) {
		if err := p.Hold(ctx, cust.UUID()); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, "held", func() bool { return cust.Record().Held })
		if err := p.Unhold(ctx, cust.UUID()); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, "unheld", func() bool { return !cust.Record().Held })
	})

	t.Run("record", func(t *testing.T) {
		path := "/tmp/rec/" + cust.UUID() + ".wav"
		if err := p.RecordStart(ctx, cust.UUID(), path); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, "recording", func() bool { ch, _ := simChannel(srv, cust.UUID()); return ch.Recording == path })
		if err := p.RecordMask(ctx, cust.UUID(), path, true); err != nil {
			t.Fatal(err)
		}
		if err := p.RecordMask(ctx, cust.UUID(), path, false); err != nil {
			t.Fatal(err)
		}
		if err := p.RecordStop(ctx, cust.UUID(), path); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, "recording stopped", func() bool { ch, _ := simChannel(srv, cust.UUID()); return ch.Recording == "" })
		if err := p.RecordStop(ctx, cust.UUID(), path); !errors.Is(err, ErrRejected) {
			t.Errorf("second stop: %v, want ErrRejected", err)
		}
	})

	t.Run("eavesdrop", func(t *testing.T) {
		for _, mode := range []EavesdropMode{EavesdropListen, EavesdropWhisper, EavesdropBarge} {
			sup, err := p.Eavesdrop(ctx, EavesdropRequest{TargetUUID: agent.UUID(), Endpoint: "user/1009", Mode: mode})
			if err != nil {
				t.Fatalf("%s: %v", mode, err)
			}
			waitCh(t, sup.Answered(), string(mode)+" answer")
			ch, ok := simChannel(srv, sup.UUID())
			if !ok {
				t.Fatalf("%s: supervisor leg not on the switch", mode)
			}
			wantMode := map[EavesdropMode]string{EavesdropListen: "listen", EavesdropWhisper: "whisper", EavesdropBarge: "barge"}[mode]
			if ch.Eavesdrop != wantMode || ch.Vars["eavesdrop_target"] != agent.UUID() {
				t.Errorf("%s: supervisor leg eavesdrops %q on %q", mode, ch.Eavesdrop, ch.Vars["eavesdrop_target"])
			}
			if err := p.Hangup(ctx, sup.UUID(), ""); err != nil {
				t.Fatalf("%s: %v (record %+v)", mode, err, sup.Record())
			}
			if r := waitEnd(t, sup); r.Result != ResultAnswered {
				t.Errorf("%s supervisor leg: %+v", mode, r)
			}
		}
	})

	t.Run("setvar", func(t *testing.T) {
		if err := p.SetVar(ctx, cust.UUID(), "cc_note", "vip customer"); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, "variable set", func() bool {
			ch, _ := simChannel(srv, cust.UUID())
			return ch.Vars["cc_note"] == "vip customer"
		})
	})

	t.Run("channels", func(t *testing.T) {
		chans, err := p.Channels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, ch := range chans {
			if ch.UUID == cust.UUID() || ch.UUID == agent.UUID() {
				found++
			}
		}
		if found != 2 {
			t.Errorf("channels lists %d of our 2 legs: %+v", found, chans)
		}
	})

	t.Run("transfer", func(t *testing.T) {
		if err := p.Transfer(ctx, TransferRequest{UUID: agent.UUID(), Dest: "ivr"}); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, "unbridged by transfer", func() bool { return !cust.Record().Bridged })
		// park_after_bridge: the customer waits in park, still ours.
		if ch, ok := simChannel(srv, cust.UUID()); !ok || ch.BridgedTo != "" {
			t.Fatalf("customer after the agent's transfer: on switch %v, record %+v, switch channels %+v", ok, cust.Record(), srv.Channels())
		}
	})

	t.Run("broadcast to the parked customer", func(t *testing.T) {
		if err := p.Broadcast(ctx, cust.UUID(), "ivr/ivr-hold_connect_call.wav", BroadcastALeg); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, "back in park after the playback", func() bool {
			ch, ok := simChannel(srv, cust.UUID())
			return ok && ch.Application == "park"
		})
		if err := p.Broadcast(ctx, "no-such-uuid", "x.wav", BroadcastALeg); !errors.Is(err, ErrNoSuchCall) {
			t.Errorf("broadcast to an unknown uuid: %v", err)
		}
	})

	if err := p.Hangup(ctx, cust.UUID(), "NORMAL_CLEARING"); err != nil {
		t.Fatal(err)
	}
	r := waitEnd(t, cust)
	if r.Result != ResultAnswered || r.HangupCause != "NORMAL_CLEARING" || r.AnsweredAt.IsZero() || r.BridgedAt.IsZero() ||
		r.CampaignID != 7 || r.ContactID != 70 || r.Node != "fs1" {
		t.Errorf("customer record %+v", r)
	}
	_ = p.Hangup(ctx, agent.UUID(), "")
	waitEnd(t, agent)
	if err := p.Hangup(ctx, cust.UUID(), ""); !errors.Is(err, ErrNoSuchCall) && !errors.Is(err, ErrRejected) {
		t.Errorf("hangup of an ended call: %v", err)
	}
	var got []Event
	for e := range custEvents {
		got = append(got, e)
	}
	// Parked, bridged by uuid_bridge (park ends), held, recorded (RECORD_START
	// and STOP are "other"), parked again when the agent left, a broadcast
	// played inside the park loop, hung up from park.
	want := "create ringing answer execute park unpark execute_complete bridge hold unhold other other " +
		"unbridge execute park execute other other execute_complete unpark execute_complete hangup(answered)"
	if kinds(got) != want {
		t.Errorf("customer stream\n got %s\nwant %s", kinds(got), want)
	}
}

func TestESLHangupCauses(t *testing.T) {
	srv := startSim(t)
	p := newTestPool(t, simNode("fs1", srv))
	tests := []struct {
		req   OriginateRequest
		class ResultClass
		cause string
	}{
		{OriginateRequest{Gateway: "gw1", Number: "101"}, ResultAnswered, "NORMAL_CLEARING"},
		{OriginateRequest{Gateway: "gw1", Number: "200"}, ResultBusy, "USER_BUSY"},
		{OriginateRequest{Gateway: "gw1", Number: "300", Timeout: 2 * time.Second}, ResultNoAnswer, "NO_ANSWER"},
		{OriginateRequest{Gateway: "gw1", Number: "400"}, ResultInvalidNumber, "UNALLOCATED_NUMBER"},
		{OriginateRequest{Gateway: "gw1", Number: "500"}, ResultRejected, "CALL_REJECTED"},
		{OriginateRequest{Gateway: "gw1", Number: "600", App: "amd"}, ResultMachine, "NORMAL_CLEARING"},
		{OriginateRequest{Gateway: "nogw", Number: "100"}, ResultNetworkFailure, "INVALID_GATEWAY"},
		{OriginateRequest{Endpoint: "user/2001"}, ResultNetworkFailure, "USER_NOT_REGISTERED"},
	}
	for _, tt := range tests {
		t.Run(tt.req.Number+tt.req.Endpoint+tt.req.Gateway, func(t *testing.T) {
			t.Parallel()
			c, err := p.Originate(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			r := waitEnd(t, c)
			if r.Result != tt.class || r.HangupCause != tt.cause {
				t.Errorf("got %s / %s, want %s / %s (%+v)", r.Result, r.HangupCause, tt.class, tt.cause, r)
			}
		})
	}
}

// recovered waits until the node is up with all its command connections,
// answers a command, and has not recycled a connection for five heartbeat
// intervals (longer than the watchdog needs to notice a dead stream), so a
// connection made while the fault was still on is not mistaken for health.
func recovered(t *testing.T, p *Pool) {
	t.Helper()
	var recycles int
	var since time.Time
	eventually(t, 20*time.Second, "node up and stable", func() bool {
		s := p.Status()[0]
		if s.State != NodeUp || s.CommandConns != p.nodes[0].cfg.OriginateConns+p.nodes[0].cfg.ControlConns || s.Recycles != recycles {
			recycles, since = s.Recycles, time.Now()
			return false
		}
		if _, err := p.nodes[0].api(context.Background(), "status"); err != nil {
			return false
		}
		return time.Since(since) > 5*faultHB
	})
	// Replies belong to their commands (no desynchronised connection left):
	// concurrent commands with distinguishable answers.
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			cmd, want := "version", "FreeSWITCH Version"
			if i%2 == 1 {
				cmd, want = "status", "UP "
			}
			got, err := p.nodes[0].api(context.Background(), cmd)
			if err != nil || !strings.HasPrefix(got, want) {
				t.Errorf("api %s answered %q, %v", cmd, firstLine(got), err)
			}
		})
	}
	wg.Wait()
}

// longCall originates a customer who stays on the line until hung up.
func longCall(t *testing.T, p *Pool) Leg {
	t.Helper()
	c, err := p.Originate(context.Background(), OriginateRequest{Gateway: "gw1", Number: "100"})
	if err != nil {
		t.Fatal(err)
	}
	waitCh(t, c.Answered(), "answer")
	return c
}

func TestESLFaults(t *testing.T) {
	tests := []struct {
		name   string
		faults esltest.Faults
		// restart also restarts the switch, dropping every channel.
		restart bool
		// closed: a call live before the fault is closed by reconcile.
		closed bool
		// harmless: the relay shields eslgo, no connection is lost.
		harmless bool
	}{
		// Late replies and stalls last until the node has noticed them (a
		// delayed reply ends when the client drops the connection).
		{name: "late reply", faults: esltest.Faults{ReplyDelay: patience}},
		{name: "dropped connection", faults: esltest.Faults{DropAfterCommands: 1}},
		{name: "log data frame", faults: esltest.Faults{LogData: true}, harmless: true},
		{name: "stall", faults: esltest.Faults{Stall: patience}},
		{name: "rude rejection", faults: esltest.Faults{RudeRejection: true}, restart: true, closed: true},
		{name: "node restart", restart: true, closed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSim(t)
			p := newTestPool(t, faultNode("fs1", srv))
			c := longCall(t, p)
			before := p.Status()[0]
			srv.SetFaults(tt.faults)
			if tt.restart {
				srv.Restart()
			}
			if tt.harmless {
				// Heartbeats keep arriving long after the fault, so eslgo's
				// receive loop is alive, and commands still work.
				at := time.Now()
				eventually(t, 10*time.Second, "heartbeats after the fault", func() bool {
					return p.Status()[0].LastHeartbeat.After(at.Add(4 * simHB))
				})
				if _, err := p.Channels(context.Background()); err != nil {
					t.Fatal(err)
				}
				if s := p.Status()[0]; s.Recycles != before.Recycles {
					t.Errorf("connections recycled: %d -> %d", before.Recycles, s.Recycles)
				}
			}
			// Drive commands until the fault shows (command-path faults need traffic).
			eventually(t, 10*time.Second, "fault noticed", func() bool {
				if tt.harmless {
					return true
				}
				_, _ = p.Channels(context.Background())
				s := p.Status()[0]
				return s.State != NodeUp || s.Recycles > before.Recycles
			})
			srv.SetFaults(esltest.Faults{})
			recovered(t, p)
			if tt.closed {
				r := waitEnd(t, c)
				if !strings.Contains(r.Reason, "disconnected") {
					t.Errorf("call after restart: %+v", r)
				}
				eventually(t, 5*time.Second, "new Core-UUID", func() bool {
					return p.Status()[0].CoreUUID == srv.CoreUUID() && srv.CoreUUID() != before.CoreUUID
				})
			} else {
				// The live call was re-attached: commands and its events work.
				if err := p.Hangup(context.Background(), c.UUID(), ""); err != nil {
					t.Fatal(err)
				}
				if r := waitEnd(t, c); r.Result != ResultAnswered || r.Reason != "" {
					t.Errorf("re-attached call: %+v", r)
				}
			}
			// And a new call works end to end.
			n := longCall(t, p)
			_ = p.Hangup(context.Background(), n.UUID(), "")
			waitEnd(t, n)
		})
	}
}
