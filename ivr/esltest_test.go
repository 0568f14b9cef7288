package ivr

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/dialplan"
)

// startSim runs the FreeSWITCH simulator with extensions that hand calls
// to the ivr server at addr, as the ivr context of the real dialplan does.
func startSim(t *testing.T, addr string, overrides ...esltest.NumberOverride) *esltest.Server {
	t.Helper()
	sc := esltest.DefaultScenario()
	sc.Overrides = overrides
	for _, flow := range []string{FlowVerifyID, FlowSurvey, FlowNotify} {
		sc.Dialplan["ivr_"+flow] = "set:ivr_flow=" + flow + ",socket:" + addr + " async full"
	}
	// The queue context parks the caller for the controller's router.
	sc.Dialplan["collections"] = "set:cc_queue=collections,park"
	sim, err := esltest.Start(context.Background(), esltest.Options{Scenario: sc, TimeScale: 0.01, HeartbeatInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// controllerConn is an inbound ESL connection, as the controller has. It
// speaks the protocol directly: eslgo's inbound Conn has unsynchronised
// map reads in its auth and disconnect loops that the race detector
// reports on Close (a library issue, outside this package).
type controllerConn struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialController(t *testing.T, sim *esltest.Server) *controllerConn {
	t.Helper()
	c, err := net.Dial("tcp", sim.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cc := &controllerConn{t: t, conn: c, r: bufio.NewReader(c)}
	if h, _ := cc.frame(); h.Get("Content-Type") != "auth/request" {
		t.Fatalf("first frame %v", h)
	}
	if reply := cc.command("auth ClueCon"); !strings.HasPrefix(reply, "+OK") {
		t.Fatalf("auth: %s", reply)
	}
	return cc
}

// frame reads one frame: headers, then the Content-Length body.
func (cc *controllerConn) frame() (textproto.MIMEHeader, string) {
	cc.t.Helper()
	_ = cc.conn.SetReadDeadline(time.Now().Add(patience))
	h, err := textproto.NewReader(cc.r).ReadMIMEHeader()
	if err != nil {
		cc.t.Fatalf("read frame: %v", err)
	}
	n, _ := strconv.Atoi(h.Get("Content-Length"))
	body := make([]byte, n)
	if _, err := io.ReadFull(cc.r, body); err != nil {
		cc.t.Fatalf("read body: %v", err)
	}
	return h, string(body)
}

// command sends one command and returns its reply text or api body.
func (cc *controllerConn) command(line string) string {
	cc.t.Helper()
	if _, err := io.WriteString(cc.conn, line+"\n\n"); err != nil {
		cc.t.Fatal(err)
	}
	h, body := cc.frame()
	if h.Get("Content-Type") == "api/response" {
		return body
	}
	return h.Get("Reply-Text")
}

// R11 end to end: the customer keys a wrong ID, then the right one; the
// result reaches the controller, which bridges the customer back to the
// agent's parked leg.
func TestSimulatorVerifyIDAndBridgeBack(t *testing.T) {
	rep := make(chanReporter, 4)
	srv, addr := startServer(t, Options{Reporter: rep, Verifier: &fakeVerifier{want: secretID}})
	sim := startSim(t, addr)
	id, err := sim.InboundCall(esltest.InboundCall{From: "13800138000", To: "ivr_" + FlowVerifyID,
		Vars: map[string]string{"cc_contact_id": "42"}, DTMF: []string{"99999999#", secretID + "#"}})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.next(t)
	if r.Outcome != OutcomeHandback || !r.Verified || r.Attempts != 2 || r.CallUUID != id || r.ChannelVars["cc_contact_id"] != "42" {
		t.Fatalf("result = %+v", r)
	}

	conn := dialController(t, sim)
	agent := "7d0c4f2e-1b2a-4c3d-8e9f-0a1b2c3d4e5f"
	if reply := conn.command("api originate {origination_uuid=" + agent + "}user/1001 &park()"); !strings.HasPrefix(reply, "+OK") {
		t.Fatalf("originate agent: %s", reply)
	}
	if reply := conn.command("api uuid_bridge " + id + " " + agent); !strings.HasPrefix(reply, "+OK") {
		t.Fatalf("uuid_bridge: %s", reply)
	}
	eventually(t, "the IVR to release the bridged call", func() bool { return srv.ActiveCalls() == 0 })
	found := false
	for _, ch := range sim.Channels() {
		found = found || ch.UUID == id
	}
	if !found {
		t.Error("the customer's call ended when the IVR let go of it")
	}
}

// R11 as the controller does it: customer and agent talk, the agent sends
// the customer to the IVR (uuid_transfer), the agent's leg waits parked,
// and the verified customer is bridged back.
func TestSimulatorAgentSendsCustomerToIVR(t *testing.T) {
	rep := make(chanReporter, 4)
	srv, addr := startServer(t, Options{Reporter: rep, Verifier: &fakeVerifier{want: secretID}})
	sim := startSim(t, addr, esltest.NumberOverride{Number: "13800138000",
		Outcome: esltest.OutcomeAnswer, DTMF: "12345678# " + secretID + "#"})
	conn := dialController(t, sim)
	const customer, agent = "c0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002"
	for _, cmd := range []string{
		"api originate {origination_uuid=" + customer + ",cc_contact_id=7}sofia/gateway/gw1/13800138000 &park()",
		"api originate {origination_uuid=" + agent + "}user/1001 &park()",
		"api uuid_bridge " + customer + " " + agent,
		"api uuid_setvar " + agent + " park_after_bridge true",
		"api uuid_transfer " + customer + " ivr_" + FlowVerifyID + " XML " + dialplan.IVRContext,
	} {
		if reply := conn.command(cmd); !strings.HasPrefix(reply, "+OK") {
			t.Fatalf("%s: %s", cmd, reply)
		}
	}
	r := rep.next(t)
	if r.Outcome != OutcomeHandback || !r.Verified || r.Attempts != 2 || r.CallUUID != customer || r.ChannelVars["cc_contact_id"] != "7" {
		t.Fatalf("result = %+v", r)
	}
	if reply := conn.command("api uuid_bridge " + customer + " " + agent); !strings.HasPrefix(reply, "+OK") {
		t.Fatalf("bridge back: %s", reply)
	}
	eventually(t, "the IVR to let go", func() bool { return srv.ActiveCalls() == 0 })
	bridged := false
	for _, ch := range sim.Channels() {
		bridged = bridged || ch.UUID == customer && ch.BridgedTo == agent
	}
	if !bridged {
		t.Errorf("customer not talking to the agent after the IVR: %+v", sim.Channels())
	}
}

func TestSimulatorSurveyAndCallerHangup(t *testing.T) {
	rep := make(chanReporter, 4)
	srv, addr := startServer(t, Options{Reporter: rep})
	sim := startSim(t, addr)
	_, err := sim.InboundCall(esltest.InboundCall{From: "13800138001", To: "ivr_" + FlowSurvey,
		Vars: map[string]string{"ivr_survey_q1": "q1.wav", "ivr_survey_q2": "q2.wav"}, DTMF: []string{"5", "3"}})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.next(t)
	if r.Outcome != OutcomeCompleted || len(r.Answers) != 2 || r.Answers[0] != (Answer{"q1", "5"}) || r.Answers[1] != (Answer{"q2", "3"}) {
		t.Fatalf("result = %+v", r)
	}
	eventually(t, "call to end", func() bool { return srv.ActiveCalls() == 0 })

	// A caller who hangs up while being asked.
	id, err := sim.InboundCall(esltest.InboundCall{From: "13800138002", To: "ivr_" + FlowSurvey,
		Vars: map[string]string{"ivr_survey_q1": "q1.wav"}})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the IVR to ask", func() bool {
		for _, ch := range sim.Channels() {
			if ch.UUID == id && ch.Application == "play_and_get_digits" {
				return true
			}
		}
		return false
	})
	if err := sim.Hangup(id, "NORMAL_CLEARING"); err != nil {
		t.Fatal(err)
	}
	if r := rep.next(t); r.Outcome != OutcomeHangup || r.CallUUID != id {
		t.Fatalf("result = %+v", r)
	}
	eventually(t, "call to end", func() bool { return srv.ActiveCalls() == 0 })
}

// A broadcast listener presses 0: the IVR transfers the call to the queue
// and lets go of it; the call lives on, parked for the router.
func TestSimulatorNotifyToQueue(t *testing.T) {
	rep := make(chanReporter, 4)
	srv, addr := startServer(t, Options{Reporter: rep})
	sim := startSim(t, addr)
	id, err := sim.InboundCall(esltest.InboundCall{From: "13800138003", To: "ivr_" + FlowNotify, DTMF: []string{"0"},
		Vars: map[string]string{"ivr_message": "campaign/7.wav", "ivr_confirm": "true", "ivr_queue": "collections"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.next(t); r.Outcome != OutcomeQueued || r.Queue != "collections" {
		t.Fatalf("result = %+v", r)
	}
	eventually(t, "the IVR to let go", func() bool { return srv.ActiveCalls() == 0 })
	eventually(t, "the caller to wait parked", func() bool {
		for _, ch := range sim.Channels() {
			if ch.UUID == id {
				return ch.Parked && ch.Vars["cc_queue"] == "collections"
			}
		}
		return false
	})
}
