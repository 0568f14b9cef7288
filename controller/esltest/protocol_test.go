package esltest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// startSim starts a private fast simulator (for raw-protocol tests only:
// closing it under an eslgo client would trip eslgo's own data races).
func startSim(t *testing.T, sc *Scenario) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, Options{Scenario: sc, TimeScale: 0.01, HeartbeatInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = s.Close()
	})
	return s
}

func readTestdata(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	return text[strings.Index(text, "\n")+1:]
}

func TestAuthFlow(t *testing.T) {
	s := startSim(t, nil)
	c := dialRaw(t, s.Addr())
	if f := c.read(); f.raw != "Content-Type: auth/request\n\n" {
		t.Fatalf("greeting %q", f.raw)
	}
	c.cmd("api status", "-ERR command not found")
	c.cmd("auth nope", "-ERR invalid")
	notice := c.read()
	if notice.raw != "Content-Type: text/disconnect-notice\nContent-Length: 67\n\n"+goodbye {
		t.Errorf("notice %q", notice.raw)
	}
	c.expectClosed("after bad auth")
}

// TestWireHabits feeds eslgo-style input: CRLF, leading blank lines, a
// trailing space after the api command, canonicalised header names and a
// body followed by an extra CRLFCRLF.
func TestWireHabits(t *testing.T) {
	s := startSim(t, nil)
	c := dialRaw(t, s.Addr())
	c.read()
	c.send("\r\n\r\nauth ClueCon\r\n\r\n")
	if f := c.nextReply(); f.get("Reply-Text") != "+OK accepted" {
		t.Fatalf("auth %q", f.raw)
	}
	c.send("api status \r\n\r\n")
	if f := c.nextReply(); !strings.HasPrefix(f.body, "UP ") {
		t.Fatalf("status %q", f.raw)
	}
	c.send("api originate {origination_uuid=wire-1}loopback/park &park()\r\n\r\n")
	if f := c.nextReply(); f.body != "+OK wire-1\n" {
		t.Fatalf("originate %q", f.raw)
	}
	c.send("sendmsg wire-1\r\nCall-Command: execute\r\nExecute-App-Name: set\r\nContent-Type: text/plain\r\n" +
		"Content-Length: 9\r\nevent-lock: true\r\n\r\nfoo=bar42\r\n\r\n")
	if f := c.nextReply(); f.get("Reply-Text") != "+OK" {
		t.Fatalf("sendmsg %q", f.raw)
	}
	eventually(t, func() bool { return c.api("uuid_getvar wire-1 foo") == "bar42" })
}

func TestCommandReplies(t *testing.T) {
	s := startSim(t, nil)
	c := authedRaw(t, s.Addr())
	tests := []struct{ line, want string }{
		{"event plain", "-ERR no keywords supplied"},
		{"event json CHANNEL_ANSWER", "+OK event listener enabled json"},
		{"event plain CHANNEL_CREATE CUSTOM sofia::register", "+OK event listener enabled plain"},
		{"nixevent CHANNEL_CREATE", "+OK events nixed"},
		{"nixevent", "-ERR no keywords supplied"},
		{"filter Unique-ID abc", "+OK filter added. [Unique-ID]=[abc]"},
		{"filter delete Unique-ID abc", "+OK filter deleted. [Unique-ID][abc]"},
		{"filter delete Unique-ID", "+OK filter deleted. [Unique-ID][]"},
		{"linger 10", "-ERR not controlling a session"},
		{"nolinger", "-ERR not controlling a session"},
		{"myevents plain 4c1a-unknown", "-ERR invalid uuid"},
		{"divert_events on", "-ERR not controlling a session."},
		{"sendmsg nope\ncall-command: hangup", "-ERR invalid session id [nope]"},
		{"noevents", "+OK no longer listening for events"},
		{"noevents", "-ERR not listening for events"},
		{"bogus", "-ERR command not found"},
		{"log 7", "+OK log level 7 [7]"},
	}
	for _, tt := range tests {
		c.cmd(tt.line, tt.want)
	}
	c.send("exit\n\n")
	if f := c.read(); f.raw != readTestdata(t, "command-reply_OK-bye__neventsocket-2015.txt") {
		t.Errorf("exit reply %q", f.raw)
	}
	want := strings.TrimSuffix(readTestdata(t, "disconnect-notice_inbound-exit__freeswitch-esl-rs-2023.txt"), "\n")
	if f := c.read(); f.raw != want {
		t.Errorf("exit notice %q, want %q", f.raw, want)
	}
}

func TestBgapiJobUUID(t *testing.T) {
	s := startSim(t, nil)
	c := authedRaw(t, s.Addr())
	c.cmd("event plain BACKGROUND_JOB", "+OK event listener enabled plain")
	c.send("bgapi status\nJob-UUID: my-job-1\n\n")
	reply := c.read()
	if reply.raw != "Content-Type: command/reply\nReply-Text: +OK Job-UUID: my-job-1\nJob-UUID: my-job-1\n\n" {
		t.Fatalf("bgapi reply %q", reply.raw)
	}
	ev := c.waitEvent("job", func(hs []header) bool { return hget(hs, "Job-UUID") == "my-job-1" })
	if !strings.Contains(ev.body, "\n\nUP 0 years") || !strings.Contains(ev.body, "Job-Command: status\n") {
		t.Errorf("job event %q", ev.body)
	}
	c.send("bgapi reloadxml\n\n")
	reply = c.read()
	id := reply.get("Job-UUID")
	if len(id) != 36 || reply.get("Reply-Text") != "+OK Job-UUID: "+id {
		t.Fatalf("generated job reply %q", reply.raw)
	}
	c.waitEvent("generated job", func(hs []header) bool { return hget(hs, "Job-UUID") == id })
}

// TestAPIBlocksEvents: while `api originate` runs, that connection gets no
// events; they follow the api/response.
func TestAPIBlocksEvents(t *testing.T) {
	sc := DefaultScenario()
	sc.Overrides = []NumberOverride{{Number: "555", Outcome: OutcomeAnswer, Ring: 5 * time.Second}}
	s := startSim(t, sc)
	c := authedRaw(t, s.Addr())
	c.cmd("event plain CHANNEL_CREATE CHANNEL_ANSWER", "+OK event listener enabled plain")
	c.send("api originate {origination_uuid=blocked-1}sofia/gateway/gw1/555 &park()\n\n")
	first := c.read()
	if first.get("Content-Type") != "api/response" || first.body != "+OK blocked-1\n" {
		t.Fatalf("first frame after api %q", first.raw)
	}
	create := c.read()
	if hget(eventHeaders(create.body), "Event-Name") != "CHANNEL_CREATE" {
		t.Errorf("queued event %q", create.raw)
	}
}

func TestFiltersAndSubscriptions(t *testing.T) {
	s := startSim(t, nil)
	c := authedRaw(t, s.Addr())
	c.cmd("event plain ALL", "+OK event listener enabled plain")
	c.cmd("nixevent CHANNEL_STATE CHANNEL_CALLSTATE API", "+OK events nixed")
	c.cmd("filter Unique-ID keep-me", "+OK filter added. [Unique-ID]=[keep-me]")
	c.cmd("filter Event-Name -CHANNEL_OUTGOING", "+OK filter added. [Event-Name]=[-CHANNEL_OUTGOING]")
	c.send("bgapi originate {origination_uuid=drop-me}loopback/park &park()\n\n")
	c.nextReply()
	c.send("bgapi originate {origination_uuid=keep-me}loopback/park &park()\n\n")
	c.nextReply()
	seen := map[string]bool{}
	c.waitEvent("keep-me park", func(hs []header) bool {
		name, id := hget(hs, "Event-Name"), hget(hs, "Unique-ID")
		if id != "keep-me" || name == "BACKGROUND_JOB" || name == "CHANNEL_STATE" || name == "CHANNEL_OUTGOING" {
			t.Errorf("filtered event leaked: %s %s", name, id)
		}
		seen[name] = true
		return name == "CHANNEL_PARK"
	})
	if !seen["CHANNEL_CREATE"] || !seen["CHANNEL_ANSWER"] {
		t.Errorf("expected events missing: %v", seen)
	}
}

func TestOriginateCauses(t *testing.T) {
	sc := DefaultScenario()
	sc.Gateways = append(sc.Gateways, Gateway{Name: "down", Down: true}, Gateway{Name: "one", MaxChannels: 1})
	sc.Users = append(sc.Users, User{Extension: "2000"})
	sc.Overrides = []NumberOverride{{Number: "100", Outcome: OutcomeAnswer, Ring: time.Second},
		{Number: "101", Outcome: OutcomeBusy, Ring: time.Second},
		{Number: "102", Outcome: OutcomeNoAnswer, Ring: time.Second},
		{Number: "103", Outcome: OutcomeInvalid},
		{Number: "104", Outcome: OutcomeRejected, Ring: time.Second}}
	s := startSim(t, sc)
	c := authedRaw(t, s.Addr())
	tests := []struct{ url, want string }{
		{"sofia/gateway/gw1/101", "-ERR USER_BUSY\n"},
		{"{originate_timeout=3}sofia/gateway/gw1/102", "-ERR NO_ANSWER\n"},
		{"sofia/gateway/gw1/103", "-ERR UNALLOCATED_NUMBER\n"},
		{"sofia/gateway/gw1/104", "-ERR CALL_REJECTED\n"},
		{"sofia/gateway/nope/100", "-ERR INVALID_GATEWAY\n"},
		{"sofia/gateway/down/100", "-ERR GATEWAY_DOWN\n"},
		{"user/2000", "-ERR USER_NOT_REGISTERED\n"},
		{"user/9999", "-ERR SUBSCRIBER_ABSENT\n"},
		{"error/user_busy", "-ERR USER_BUSY\n"},
		{"{origination_uuid=cause-ok}sofia/gateway/one/100", "+OK cause-ok\n"},
		{"sofia/gateway/one/100", "-ERR NORMAL_CIRCUIT_CONGESTION\n"},
		{"{origination_uuid=agent-1}user/1001", "+OK agent-1\n"},
	}
	for _, tt := range tests {
		if got := c.api("originate " + tt.url + " &park()"); got != tt.want {
			t.Errorf("originate %s = %q, want %q", tt.url, got, tt.want)
		}
	}
	if got := c.api("originate"); !strings.HasPrefix(got, "-USAGE: ") {
		t.Errorf("bare originate %q", got)
	}
}

func TestGatewayCallsPerSecond(t *testing.T) {
	sc := DefaultScenario()
	sc.Gateways = []Gateway{{Name: "slow", CallsPerSecond: 2}}
	sc.Overrides = []NumberOverride{{Number: "1", Outcome: OutcomeAnswer}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The CPS window is one simulated second; slowed down 1000 times it
	// holds all three originates however slowly this machine sends them.
	s, err := Start(ctx, Options{Scenario: sc, TimeScale: 1000, HeartbeatInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := authedRaw(t, s.Addr())
	c.cmd("event plain BACKGROUND_JOB", "+OK event listener enabled plain")
	// Ring time zero: a job's event can come before the next reply, so the
	// replies are skipped rather than awaited (waitEvent skips them).
	for range 3 {
		c.send("bgapi originate sofia/gateway/slow/1 &park()\n\n")
	}
	failed := 0
	for range 3 {
		ev := c.waitEvent("job", func(hs []header) bool { return hget(hs, "Event-Name") == "BACKGROUND_JOB" })
		if strings.Contains(ev.body, "-ERR NORMAL_TEMPORARY_FAILURE") {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d of 3 calls refused, want 1 (cps 2)", failed)
	}
}

// Only authentication has a deadline: an authenticated client may stay
// silent for as long as it likes (FreeSWITCH's 25 s apply before auth).
// Fixed: the simulator used to drop authenticated connections 25 s after
// they connected, which the controller logged as recycled connections.
func TestIdleAuthenticatedConnectionStays(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := Start(ctx, Options{HeartbeatInterval: -1, AuthTimeout: time.Second}) // long enough for a loaded machine to authenticate
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	idle := authedRaw(t, s.Addr())
	// A connection opened later that never authenticates is dropped after
	// the timeout, which is then past for the idle one too.
	late := dialRaw(t, s.Addr())
	if f := late.read(); f.get("Content-Type") != "auth/request" {
		t.Fatalf("first frame %q", f.raw)
	}
	if f := late.read(); f.get("Content-Type") != "text/disconnect-notice" {
		t.Fatalf("unauthenticated client got %q, want the disconnect notice", f.raw)
	}
	if got := idle.api("status"); !strings.HasPrefix(got, "UP ") {
		t.Fatalf("idle authenticated connection answered %q", got)
	}
}
