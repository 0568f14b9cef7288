package esltest

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
)

func TestJSONAndXMLEvents(t *testing.T) {
	s := startSim(t, nil)
	c := authedRaw(t, s.Addr())
	c.cmd("event json BACKGROUND_JOB", "+OK event listener enabled json")
	c.send("bgapi status\nJob-UUID: json-job\n\n")
	c.nextReply()
	f := c.read()
	if f.get("Content-Type") != "text/event-json" {
		t.Fatalf("frame %q", f.raw)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(f.body), &m); err != nil {
		t.Fatalf("json %q: %v", f.body, err)
	}
	if m["Event-Name"] != "BACKGROUND_JOB" || m["Job-UUID"] != "json-job" || !strings.HasPrefix(m["_body"], "UP ") ||
		m["Event-Date-Local"] == "" || strings.Contains(m["Event-Date-Local"], "%") {
		t.Errorf("json event %v", m)
	}
	c.cmd("event xml BACKGROUND_JOB", "+OK event listener enabled xml")
	c.send("bgapi status\nJob-UUID: xml-job\n\n")
	c.nextReply()
	f = c.read()
	if f.get("Content-Type") != "text/event-xml" || !strings.Contains(f.body, "<Job-UUID>xml-job</Job-UUID>") ||
		!strings.Contains(f.body, "<Event-Date-Local>") || !strings.Contains(f.body, "%3A") {
		t.Errorf("xml event %q", f.raw)
	}
}

func TestSendevent(t *testing.T) {
	s := startSim(t, nil)
	c := authedRaw(t, s.Addr())
	c.cmd("event plain CUSTOM my::thing", "+OK event listener enabled plain")
	c.send("sendevent CUSTOM\nEvent-Subclass: my::thing\nX-Note: hello world\nContent-Length: 2\n\nhi")
	reply := c.read()
	ev := c.read()
	id := strings.TrimPrefix(reply.get("Reply-Text"), "+OK ")
	hs := eventHeaders(ev.body)
	if len(id) != 36 || hget(hs, "Event-UUID") != id {
		t.Fatalf("sendevent reply %q after %q", reply.raw, ev.raw)
	}
	if hs[0].name != "Event-Subclass" || hget(hs, "X-Note") != "hello%20world" || !strings.HasSuffix(ev.body, "\n\nhi") {
		t.Errorf("sendevent event %q", ev.body)
	}
}

// TestOutboundWithoutFull: a socket without `full` only takes the session
// commands (doc 1.5).
func TestOutboundWithoutFull(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sc := DefaultScenario()
	sc.Dialplan["6000"] = "socket:" + ln.Addr().String() + " async"
	s := startSim(t, sc)
	id, _ := s.InboundCall(InboundCall{From: "1", To: "6000", Vars: map[string]string{"crm_id": "77"}})
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := &rawClient{t: t, nc: nc, r: newReader(nc)}
	c.send("connect\n\n")
	if f := c.read(); f.get("Control") != "single-channel" || f.get("variable_crm_id") != "77" {
		t.Fatalf("connect reply %q", f.raw[:min(200, len(f.raw))])
	}
	for _, line := range []string{"event plain ALL", "api status", "bgapi status", "linger", "nixevent ALL"} {
		c.cmd(line, "-ERR command not found")
	}
	c.cmd("getvar crm_id", "77")
	c.cmd("getvar nothing", "-ERR command not found")
	c.cmd("resume", "+OK")
	c.cmd("myevents plain", "+OK Events Enabled")
	c.cmd("sendmsg "+id+"\ncall-command: hangup", "+OK")
	if f := c.nextReply(); f.get("Content-Disposition") != "disconnect" {
		t.Errorf("notice %q", f.raw)
	}
}

// TestOutboundStaticSendmsg: on a static socket the sendmsg reply comes
// after the application completed.
func TestOutboundStaticSendmsg(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sc := DefaultScenario()
	sc.Dialplan["6001"] = "socket:" + ln.Addr().String()
	s := startSim(t, sc)
	if _, err := s.InboundCall(InboundCall{From: "1", To: "6001"}); err != nil {
		t.Fatal(err)
	}
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := &rawClient{t: t, nc: nc, r: newReader(nc)}
	c.send("connect\n\n")
	if f := c.read(); f.get("Socket-Mode") != "static" {
		t.Fatalf("connect reply %q", f.raw[:min(200, len(f.raw))])
	}
	c.cmd("myevents", "+OK Events Enabled")
	c.send("sendmsg\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: ivr/x.wav\n\n")
	completed := false
	for {
		f := c.read()
		if f.get("Content-Type") == "command/reply" {
			if f.get("Reply-Text") != "+OK" || !completed {
				t.Errorf("reply %q before completion=%v", f.get("Reply-Text"), completed)
			}
			break
		}
		if hget(eventHeaders(f.body), "Event-Name") == "CHANNEL_EXECUTE_COMPLETE" {
			completed = true
		}
	}
}
