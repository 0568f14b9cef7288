package controller

import (
	"bufio"
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestCopyFrames(t *testing.T) {
	ev1 := "Event-Name: HEARTBEAT\nEvent-Sequence: 7\n\n"
	job := "Event-Name: BACKGROUND_JOB\nContent-Length: 5\n\n+OK x"
	in := "Content-Type: auth/request\n\n" +
		"Content-Type: command/reply\nReply-Text: +OK accepted\n\n" +
		"Content-Length: " + itoa(len(ev1)) + "\nContent-Type: text/event-plain\n\n" + ev1 +
		"Content-Type: log/data\nContent-Length: 3\nLog-Level: 7\n\nabc" +
		"Content-Length: " + itoa(len(job)) + "\nContent-Type: text/event-plain\n\n" + job
	var out bytes.Buffer
	err := copyFrames(&out, bufio.NewReader(strings.NewReader(in)), true)
	if err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("copy ended with %v, want EOF", err)
	}
	s1 := "Cc-Relay-Seq: 1\n" + ev1
	s2 := "Cc-Relay-Seq: 2\n" + job
	want := "Content-Type: auth/request\n\n" +
		"Content-Type: command/reply\nReply-Text: +OK accepted\n\n" +
		"Content-Length: " + itoa(len(s1)) + "\nContent-Type: text/event-plain\n\n" + s1 +
		"Content-Length: " + itoa(len(s2)) + "\nContent-Type: text/event-plain\n\n" + s2
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestCopyFramesStopsAtDisconnectNotice(t *testing.T) {
	in := "Content-Type: api/response\nContent-Length: 4\n\n+OK\n" +
		"Content-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n" +
		"Content-Type: api/response\nContent-Length: 4\n\n+OK\n"
	var out bytes.Buffer
	err := copyFrames(&out, bufio.NewReader(strings.NewReader(in)), false)
	if !errors.Is(err, errDisconnectNotice) {
		t.Fatalf("err = %v", err)
	}
	if out.String() != "Content-Type: api/response\nContent-Length: 4\n\n+OK\n" {
		t.Errorf("forwarded %q", out.String())
	}
}
