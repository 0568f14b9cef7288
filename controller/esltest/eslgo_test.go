package esltest

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/percipia/eslgo"
	eslcmd "github.com/percipia/eslgo/command"
	"github.com/percipia/eslgo/command/call"
)

// eslgo v1.5.0 has data races on its own response map whenever an inbound
// connection is closed (authLoop reads it unlocked, issue #46 family), so
// the eslgo tests share one simulator started in TestMain and never close
// their clients; the process exit ends them. Each test uses its own
// numbers and uuids.
var (
	shared      *Server
	outboundTo  string      // address of the eslgo outbound listener
	outboundGot chan string // what its handler saw, tagged with the call's uuid
	runCounter  atomic.Int64
)

// runID makes uuids unique across -count repetitions on the shared server.
func runID() string { return strconv.FormatInt(runCounter.Add(1), 10) }

func TestMain(m *testing.M) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	outboundTo = ln.Addr().String()
	_ = ln.Close()
	sc := DefaultScenario()
	sc.Overrides = []NumberOverride{
		{Number: "13800000001", Outcome: OutcomeAnswer, Ring: time.Second},
		{Number: "13800000002", Outcome: OutcomeBusy, Ring: time.Second},
		{Number: "13900000000", Outcome: OutcomeAnswer, Ring: time.Second, DTMF: "110101199003071234#"},
	}
	sc.Dialplan["4000"] = "answer,socket:" + outboundTo + " async full"
	shared, err = Start(context.Background(), Options{Scenario: sc, TimeScale: 0.01, HeartbeatInterval: -1})
	if err != nil {
		panic(err)
	}
	outboundGot = make(chan string, 64)
	opts := eslgo.DefaultOutboundOptions
	opts.Logger = eslgo.NilLogger{}
	go func() {
		_ = opts.ListenAndServe(outboundTo, func(ctx context.Context, conn *eslgo.Conn, resp *eslgo.RawResponse) {
			outboundGot <- "connect|" + resp.GetHeader("Unique-ID") + "|" + resp.GetHeader("Reply-Text") + "|" +
				resp.GetHeader("Socket-Mode") + "|" + resp.GetHeader("Control")
			r, err := conn.SendCommand(ctx, &call.Execute{UUID: resp.ChannelUUID(), AppName: "hangup",
				AppArgs: "USER_BUSY"})
			if err == nil {
				outboundGot <- "sendmsg|" + resp.ChannelUUID() + "|" + r.GetReply()
			}
			<-ctx.Done()
		})
	}()
	os.Exit(m.Run())
}

func dialESL(t *testing.T, s *Server, password string) (*eslgo.Conn, error) {
	t.Helper()
	opts := eslgo.DefaultInboundOptions
	opts.Password = password
	opts.Logger = eslgo.NilLogger{}
	opts.ExitTimeout = 300 * time.Millisecond
	return opts.Dial(s.Addr())
}

// eventLog collects events delivered by eslgo (which delivers on
// separate goroutines) for eventually-style waiting.
type eventLog struct {
	mu     sync.Mutex
	events []*eslgo.Event
	added  chan struct{}
}

func listen(c *eslgo.Conn) *eventLog {
	l := &eventLog{added: make(chan struct{}, 1)}
	c.RegisterEventListener(eslgo.EventListenAll, func(e *eslgo.Event) {
		l.mu.Lock()
		l.events = append(l.events, e)
		l.mu.Unlock()
		select {
		case l.added <- struct{}{}:
		default:
		}
	})
	return l
}

// waitFor waits until an event matching match arrives.
func (l *eventLog) waitFor(t *testing.T, what string, match func(*eslgo.Event) bool) *eslgo.Event {
	t.Helper()
	deadline := time.After(patience)
	for {
		l.mu.Lock()
		for _, e := range l.events {
			if match(e) {
				l.mu.Unlock()
				return e
			}
		}
		l.mu.Unlock()
		select {
		case <-l.added:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func named(name, uuid string) func(*eslgo.Event) bool {
	return func(e *eslgo.Event) bool {
		return e.GetName() == name && (uuid == "" || e.GetHeader("Unique-ID") == uuid)
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	t.Cleanup(cancel)
	return ctx
}

func TestEslgoAuth(t *testing.T) {
	s := shared
	if _, err := dialESL(t, s, "ClueCon"); err != nil {
		t.Fatalf("good password: %v", err)
	}
	if _, err := dialESL(t, s, "wrong"); err == nil {
		t.Fatal("bad password accepted")
	}
}

func TestEslgoAPI(t *testing.T) {
	s := shared
	c, err := dialESL(t, s, "ClueCon")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ cmd, args, prefix string }{
		{"status", "", "UP 0 years"},
		{"uuid_exists", "nope", "false"},
		{"uuid_kill", "nope", "-ERR No such channel!"},
		{"sofia", "status gateway gw1", sofiaRule + "\nName    \tgw1\n"},
		{"sofia", "status gateway nope", "Invalid Gateway!"},
		{"show", "channels count", "\n"},
		{"bogus", "", "-ERR bogus Command not found!"},
		{"reloadxml", "", "+OK [Success]"},
		{"module_exists", "mod_avmd", "true"},
		{"module_exists", "mod_h26x", "false"},
	}
	for _, tt := range tests {
		resp, err := c.SendCommand(ctxT(t), eslcmd.API{Command: tt.cmd, Arguments: tt.args})
		if err != nil {
			t.Fatalf("%s: %v", tt.cmd, err)
		}
		if !strings.HasPrefix(string(resp.Body), tt.prefix) {
			t.Errorf("api %s %s = %q, want prefix %q", tt.cmd, tt.args, resp.Body, tt.prefix)
		}
	}
}

// bgapiCmd is a bgapi with the client's own Job-UUID header (doc 7.4).
type bgapiCmd struct{ line, job string }

func (b bgapiCmd) BuildMessage() string { return "bgapi " + b.line + "\r\nJob-UUID: " + b.job }

func TestEslgoBgapiAndOriginate(t *testing.T) {
	s := shared
	c, err := dialESL(t, s, "ClueCon")
	if err != nil {
		t.Fatal(err)
	}
	events := listen(c)
	if err := c.EnableEvents(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ number, body, lastEvent string }{
		{"13800000001", "+OK ", "CHANNEL_PARK"},
		{"13800000002", "-ERR USER_BUSY\n", "CHANNEL_DESTROY"},
	}
	var legs []string
	for i, tt := range tests {
		job, leg := fmt.Sprintf("job-%d-%s", i, runID()), fmt.Sprintf("leg-%d-%s", i, runID())
		legs = append(legs, leg)
		line := "originate {origination_uuid=" + leg + ",campaign_id=7}sofia/gateway/gw1/" + tt.number + " &park()"
		resp, err := c.SendCommand(ctxT(t), bgapiCmd{line, job})
		if err != nil || resp.GetHeader("Job-UUID") != job || resp.GetReply() != "+OK Job-UUID: "+job {
			t.Fatalf("bgapi reply %+v, %v", resp, err)
		}
		bj := events.waitFor(t, "BACKGROUND_JOB", func(e *eslgo.Event) bool {
			return e.GetName() == "BACKGROUND_JOB" && e.GetHeader("Job-UUID") == job
		})
		if !strings.HasPrefix(string(bj.Body), tt.body) {
			t.Errorf("job body %q, want prefix %q", bj.Body, tt.body)
		}
		ev := events.waitFor(t, tt.lastEvent, named(tt.lastEvent, leg))
		if ev.GetHeader("variable_campaign_id") != "7" {
			t.Errorf("%s lacks variable_campaign_id", tt.lastEvent)
		}
	}
	resp, err := c.SendCommand(ctxT(t), eslcmd.API{Command: "uuid_kill", Arguments: legs[0]})
	if err != nil || string(resp.Body) != "+OK\n" {
		t.Fatalf("uuid_kill: %q %v", resp.Body, err)
	}
	hc := events.waitFor(t, "hangup complete", named("CHANNEL_HANGUP_COMPLETE", legs[0]))
	if got := hc.GetHeader("variable_hangup_cause"); got != "NORMAL_CLEARING" {
		t.Errorf("hangup cause %q", got)
	}
}

func TestEslgoDTMF(t *testing.T) {
	s := shared
	c, err := dialESL(t, s, "ClueCon")
	if err != nil {
		t.Fatal(err)
	}
	events := listen(c)
	if err := c.EnableEvents(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	leg, pagd := "dtmf-"+runID(), "pagd-"+runID()
	resp, err := c.SendCommand(ctxT(t), eslcmd.API{Command: "originate",
		Arguments: "{origination_uuid=" + leg + "}sofia/gateway/gw1/13900000000 &park()"})
	if err != nil || string(resp.Body) != "+OK "+leg+"\n" {
		t.Fatalf("originate: %q %v", resp.Body, err)
	}
	// Timeouts of an hour (36 s at this time scale): the scripted digits come
	// 1.5 ms apart, and a busy machine must not turn a late timer into a
	// caller who stopped keying.
	_, err = c.SendCommand(ctxT(t), &call.Execute{UUID: leg, AppName: "play_and_get_digits",
		AppArgs: "18 18 3 3600000 # ivr/id.wav ivr/bad.wav id_number \\d{17}[\\dX] 3600000", AppUUID: pagd, Sync: true})
	if err != nil {
		t.Fatal(err)
	}
	done := events.waitFor(t, "pagd complete", func(e *eslgo.Event) bool {
		return e.GetName() == "CHANNEL_EXECUTE_COMPLETE" && e.GetHeader("Application-UUID") == pagd
	})
	if got := done.GetHeader("variable_id_number"); got != "110101199003071234" {
		t.Errorf("id_number = %q", got)
	}
	if got := done.GetHeader("variable_read_result"); got != "success" {
		t.Errorf("read_result = %q", got)
	}
	// 18 digits fill max, so the trailing # is never keyed.
	seven := events.waitFor(t, "DTMF 7", func(e *eslgo.Event) bool {
		return e.GetName() == "DTMF" && e.GetHeader("DTMF-Digit") == "7" && e.GetHeader("Unique-ID") == leg
	})
	if seven.HasHeader("variable_uuid") {
		t.Error("DTMF event carries variables")
	}
}

func TestEslgoOutboundSocket(t *testing.T) {
	s := shared
	// The eslgo listener starts asynchronously and a call made before it
	// listens fails its socket app: call until one connects. Messages carry
	// their call's uuid; those of other calls (a late connection of an
	// earlier attempt, an earlier -count run) are skipped.
	deadline := time.After(patience)
	ours := map[string]bool{}
	next := func(kind string, call func()) []string {
		for {
			if call != nil {
				call()
			}
			select {
			case m := <-outboundGot:
				if parts := strings.Split(m, "|"); parts[0] == kind && ours[parts[1]] {
					return parts[1:]
				}
			case <-time.After(200 * time.Millisecond): // not listening yet, or nothing of ours
			case <-deadline:
				t.Fatalf("no %s message from the outbound socket", kind)
			}
		}
	}
	connect := next("connect", func() {
		id, err := s.InboundCall(InboundCall{From: "13700000000", To: "4000"})
		if err != nil {
			t.Fatal(err)
		}
		ours[id] = true
	})
	id := connect[0]
	if len(connect) != 4 || connect[1] != "+OK\n" || connect[2] != "async" || connect[3] != "full" {
		t.Errorf("connect reply %q", connect)
	}
	ours = map[string]bool{id: true}
	if reply := next("sendmsg", nil); reply[1] != "+OK" {
		t.Errorf("sendmsg reply %q", reply)
	}
	eventually(t, func() bool {
		for _, ch := range s.Channels() {
			if ch.UUID == id {
				return false
			}
		}
		return true
	})
}

func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
