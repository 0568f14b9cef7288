package esltest

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// parkedPair originates two parked legs and returns the client.
func parkedPair(t *testing.T, s *Server, a, b string) *rawClient {
	t.Helper()
	c := authedRaw(t, s.Addr())
	for _, id := range []string{a, b} {
		if got := c.api("originate {origination_uuid=" + id + "}loopback/park &park()"); got != "+OK "+id+"\n" {
			t.Fatalf("originate %s: %q", id, got)
		}
	}
	return c
}

func chanInfo(s *Server, id string) (ChannelInfo, bool) {
	for _, ci := range s.Channels() {
		if ci.UUID == id {
			return ci, true
		}
	}
	return ChannelInfo{}, false
}

func TestBridgeHangsUpTogether(t *testing.T) {
	s := startSim(t, nil)
	c := parkedPair(t, s, "a1", "b1")
	c.cmd("event plain CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_HANGUP_COMPLETE", "+OK event listener enabled plain")
	if got := c.api("uuid_bridge a1 b1"); got != "+OK b1\n" {
		t.Fatalf("uuid_bridge %q", got)
	}
	br := c.waitEvent("bridge", func(hs []header) bool { return hget(hs, "Event-Name") == "CHANNEL_BRIDGE" })
	hs := eventHeaders(br.body)
	if hget(hs, "Bridge-A-Unique-ID") != "a1" || hget(hs, "Bridge-B-Unique-ID") != "b1" || hget(hs, "Other-Type") != "originatee" {
		t.Errorf("bridge headers %v", hs[13:16])
	}
	if got := c.api("show calls count"); got != "\n1 total.\n" {
		t.Errorf("show calls count %q", got)
	}
	if got := c.api("uuid_kill b1 USER_BUSY"); got != "+OK\n" {
		t.Fatal(got)
	}
	c.waitEvent("a1 gone", func(hs []header) bool {
		return hget(hs, "Event-Name") == "CHANNEL_HANGUP_COMPLETE" && hget(hs, "Unique-ID") == "a1"
	})
	if got := c.api("uuid_exists a1"); got != "false" {
		t.Errorf("a1 exists after partner hangup: %q", got)
	}
}

func TestParkAfterBridge(t *testing.T) {
	s := startSim(t, nil)
	c := parkedPair(t, s, "a2", "b2")
	if got := c.api("uuid_setvar a2 park_after_bridge true"); got != "+OK\n" {
		t.Fatal(got)
	}
	c.api("uuid_bridge a2 b2")
	c.api("uuid_kill b2")
	eventually(t, func() bool {
		ci, ok := chanInfo(s, "a2")
		return ok && ci.Parked && ci.BridgedTo == ""
	})
}

func TestRecordHoldTransferBroadcast(t *testing.T) {
	s := startSim(t, nil)
	c := parkedPair(t, s, "a3", "b3")
	c.api("uuid_bridge a3 b3")
	path := filepath.Join(t.TempDir(), "rec", "a3.wav")
	tests := []struct{ cmd, want string }{
		{"uuid_record a3 mask " + path, "-ERR Cannot mask recording session!\n"},
		{"uuid_record a3 stop " + path, "-ERR Cannot stop record session!\n"},
		{"uuid_record nope start " + path, "-ERR Cannot locate session!\n"},
		{"uuid_record a3 start " + path, "+OK Success\n"},
		{"uuid_record a3 start " + path, "-ERR Cannot record session!\n"},
		{"uuid_record a3 mask " + path, "+OK Success\n"},
		{"uuid_record a3 unmask " + path, "+OK Success\n"},
		{"uuid_record a3 stop " + path, "+OK Success\n"},
		{"uuid_hold a3", "+OK Success\n"},
		{"uuid_hold off a3", "+OK Success\n"},
		{"uuid_hold nope", "-ERR Operation failed\n"},
		{"uuid_setvar a3 campaign 42", "+OK\n"},
		{"uuid_getvar a3 campaign", "42"},
		{"uuid_getvar a3 nothing", "_undef_"},
		{"uuid_getvar nope x", "-ERR No such channel!\n"},
		{"uuid_broadcast a3 ivr/hello.wav aleg", "+OK Message sent\n"},
		{"uuid_broadcast nope ivr/hello.wav", "-ERR invalid uuid\n"},
		{"uuid_break a3", "+OK\n"},
		{"uuid_transfer nope 1000", "-ERR No such channel!\n"},
		{"uuid_transfer b3 -both 'set:x=1,park' inline", "+OK\n"},
	}
	for _, tt := range tests {
		if got := c.api(tt.cmd); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.cmd, got, tt.want)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(data, []byte("RIFF")) || !bytes.Contains(data[:16], []byte("WAVEfmt ")) {
		t.Fatalf("recording not a WAV: %v", err)
	}
	eventually(t, func() bool {
		a, okA := chanInfo(s, "a3")
		b, okB := chanInfo(s, "b3")
		return okA && okB && a.Parked && b.Parked && a.Vars["x"] == "1" && b.BridgedTo == ""
	})
	dump := c.api("uuid_dump a3")
	if !strings.HasPrefix(dump, "Event-Name: CHANNEL_DATA\n") || !strings.Contains(dump, "variable_x: 1\n") {
		t.Errorf("uuid_dump %q", dump[:min(len(dump), 200)])
	}
	if js := c.api("show channels as json"); !strings.HasPrefix(js, `{"row_count":2,"rows":[{`) {
		t.Errorf("show channels as json %q", js)
	}
}

// TestOutboundSocketLinger drives the socket app with a raw server: connect
// reply, myevents, linger, sendmsg hangup, linger notice, final notice.
func TestOutboundSocketLinger(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sc := DefaultScenario()
	sc.Dialplan["5000"] = "socket:" + ln.Addr().String() + " async full"
	s := startSim(t, sc)
	id, err := s.InboundCall(InboundCall{From: "13600000000", To: "5000"})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := &rawClient{t: t, nc: nc, r: newReader(nc)}
	c.send("connect\n\n")
	reply := c.read()
	if reply.get("Reply-Text") != "%2BOK%0A" || reply.get("Unique-ID") != id || reply.get("Control") != "full" ||
		reply.get("Socket-Mode") != "async" || reply.get("Event-Name") != "CHANNEL_DATA" {
		t.Fatalf("connect reply %q", reply.raw[:min(300, len(reply.raw))])
	}
	c.cmd("myevents", "+OK Events Enabled")
	c.cmd("myevents", "-ERR aready enabled.")
	c.cmd("linger", "+OK will linger")
	c.cmd("sendmsg\ncall-command: execute\nexecute-app-name: answer", "+OK")
	c.waitEvent("answer", func(hs []header) bool { return hget(hs, "Event-Name") == "CHANNEL_ANSWER" })
	c.cmd("sendmsg\ncall-command: hangup\nhangup-cause: NORMAL_CLEARING", "+OK")
	linger := c.nextReply()
	if want := "Content-Type: text/disconnect-notice\nControlled-Session-UUID: " + id +
		"\nContent-Disposition: linger\nChannel-Name: sofia/internal/13600000000@127.0.0.1\nLinger-Time: -1\nContent-Length: 0\n\n"; linger.raw != want {
		t.Fatalf("linger notice %q", linger.raw)
	}
	// One linger notice only (myevents must not bind the socket twice).
	for {
		f := c.read()
		if f.get("Content-Disposition") == "linger" {
			t.Fatalf("second linger notice %q", f.raw)
		}
		if hget(eventHeaders(f.body), "Event-Name") == "CHANNEL_DESTROY" {
			break
		}
	}
	c.send("exit\n\n")
	if f := c.nextReply(); f.get("Reply-Text") != "+OK bye" {
		t.Fatalf("exit %q", f.raw)
	}
	if f := c.read(); f.get("Controlled-Session-UUID") != id || f.get("Content-Disposition") != "disconnect" {
		t.Errorf("final notice %q", f.raw)
	}
}

func TestFaults(t *testing.T) {
	s := startSim(t, nil)
	c := authedRaw(t, s.Addr())

	s.SetFaults(Faults{ReplyDelay: 200 * time.Millisecond})
	start := time.Now()
	c.api("status")
	if time.Since(start) < 200*time.Millisecond {
		t.Error("reply not delayed")
	}

	s.SetFaults(Faults{LogData: true})
	if f := c.read(); f.get("Content-Type") != "log/data" {
		t.Errorf("log/data frame %q", f.raw)
	}

	s.SetFaults(Faults{DropAfterCommands: 2})
	c.api("status")
	c.send("api status\n\n")
	c.expectClosed("DropAfterCommands")

	s.SetFaults(Faults{RudeRejection: true})
	r := dialRaw(t, s.Addr())
	if f := r.read(); f.raw != "Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n" {
		t.Errorf("rude rejection %q", f.raw)
	}

	s.SetFaults(Faults{})
	c2 := authedRaw(t, s.Addr())
	s.SetFaults(Faults{Stall: 300 * time.Millisecond})
	start = time.Now()
	c2.api("status")
	if time.Since(start) < 250*time.Millisecond {
		t.Error("stall did not hold the reply")
	}
}

func TestRestart(t *testing.T) {
	s := startSim(t, nil)
	c := parkedPair(t, s, "r1", "r2")
	old := s.CoreUUID()
	s.Restart()
	if s.CoreUUID() == old {
		t.Error("Core-UUID unchanged")
	}
	c.expectClosed("restart")
	if n := len(s.Channels()); n != 0 {
		t.Errorf("%d channels after restart", n)
	}
	c2 := authedRaw(t, s.Addr())
	c2.cmd("event plain BACKGROUND_JOB", "+OK event listener enabled plain")
	c2.send("bgapi status\n\n")
	ev := c2.waitEvent("job", func(hs []header) bool { return hget(hs, "Event-Name") == "BACKGROUND_JOB" })
	hs := eventHeaders(ev.body)
	if hget(hs, "Core-UUID") != s.CoreUUID() || len(hget(hs, "Event-Sequence")) > 1 {
		t.Errorf("after restart Core-UUID %s seq %s", hget(hs, "Core-UUID"), hget(hs, "Event-Sequence"))
	}
}
