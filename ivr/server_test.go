package ivr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

const callUUID = "6f1c7a52-93f4-4a8e-b7a1-2d5c0e9b4f10"

// patience bounds every wait in these tests. It is a safety net, not a
// speed expectation: on a busy 2-core machine under -race what takes a
// millisecond when idle can take seconds, so each wait ends as soon as its
// condition holds and fails only when it never does.
const patience = time.Minute

// chanReporter hands results to the test.
type chanReporter chan Result

func (c chanReporter) IVRResult(_ context.Context, r Result) { c <- r }

func (c chanReporter) next(t *testing.T) Result {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(patience):
		t.Fatal("no IVR result reported")
		return Result{}
	}
}

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startServer(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	opts.Addr = "127.0.0.1:0"
	// Commands the fake always answers must not time out on a busy machine;
	// a test of the timeout sets its own.
	if opts.CommandTimeout == 0 {
		opts.CommandTimeout = patience
	}
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = patience
	}
	srv := NewServer(opts)
	addr, err := srv.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return srv, addr
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestServerVerifyIDEndToEnd(t *testing.T) {
	rep := make(chanReporter, 4)
	logs := &lockedBuffer{}
	srv, addr := startServer(t, Options{
		Reporter: rep, Verifier: &fakeVerifier{want: secretID},
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	fs := newFakeSwitch(t, callUUID)
	// "12" is too short: play_and_get_digits retries by itself. The second
	// entry has the right form but the wrong value: the flow asks again.
	fs.keys["ivr_id_digits"] = []string{"12", "99999999", secretID}
	fs.dial(addr, map[string]string{"ivr_flow": FlowVerifyID, "cc_contact_id": "42"})

	for _, want := range []string{"connect", "myevents plain", "linger 30"} {
		if got := fs.nextCommand().Line; got != want {
			t.Fatalf("command = %q, want %q", got, want)
		}
	}
	if c := fs.nextCommand(); c.app() != "answer" || c.Line != "sendmsg "+callUUID {
		t.Fatalf("expected answer on the caller's channel, got %+v", c)
	}
	pagd := fs.waitApp("play_and_get_digits")
	if want := "4 20 3 10000 # " + soundEnterPin + " " + soundInvalid + " ivr_id_digits ^[0-9*]+$ 5000"; pagd.arg() != want {
		t.Errorf("play_and_get_digits %q\nwant %q", pagd.arg(), want)
	}
	hold := fs.waitApp("playback")
	for hold.arg() != soundHold {
		hold = fs.waitApp("playback")
	}

	r := rep.next(t)
	if r.Outcome != OutcomeHandback || !r.Verified || r.Attempts != 2 || r.CallUUID != callUUID ||
		r.Flow != FlowVerifyID || r.ChannelVars["cc_contact_id"] != "42" {
		t.Fatalf("result = %+v", r)
	}
	if srv.ActiveCalls() != 1 {
		t.Errorf("active calls = %d while waiting for the agent", srv.ActiveCalls())
	}
	fs.bridge() // the controller bridged the caller back to the agent
	fs.waitClosed()
	eventually(t, "call to end", func() bool { return srv.ActiveCalls() == 0 })

	fs.mu.Lock()
	_, left := fs.vars["ivr_id_digits"]
	fs.mu.Unlock()
	if left {
		t.Error("the digits were left in a channel variable")
	}
	for _, secret := range []string{secretID, "99999999"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("digits %s appear in the log", secret)
		}
	}
}

func TestServerSurveyHangsUpAfterAnswers(t *testing.T) {
	rep := make(chanReporter, 4)
	srv, addr := startServer(t, Options{Reporter: rep})
	fs := newFakeSwitch(t, callUUID)
	fs.keys["q1"] = []string{"9", "4"} // 9 is out of range: FreeSWITCH asks again
	fs.dial(addr, map[string]string{"ivr_flow": FlowSurvey, "ivr_survey_q1": "survey/q1.wav"})

	r := rep.next(t)
	if r.Outcome != OutcomeCompleted || len(r.Answers) != 1 || r.Answers[0] != (Answer{"q1", "4"}) {
		t.Fatalf("result = %+v", r)
	}
	hangup := fs.nextCommand()
	for hangup.Headers["call-command"] != "hangup" {
		hangup = fs.nextCommand()
	}
	if hangup.Headers["hangup-cause"] != "NORMAL_CLEARING" {
		t.Errorf("hangup = %+v", hangup)
	}
	fs.waitClosed()
	eventually(t, "call to end", func() bool { return srv.ActiveCalls() == 0 })
}

func TestServerCallerHangsUpMidFlow(t *testing.T) {
	rep := make(chanReporter, 4)
	srv, addr := startServer(t, Options{Reporter: rep})
	fs := newFakeSwitch(t, callUUID)
	fs.hangupOn = "play_and_get_digits"
	fs.dial(addr, map[string]string{"ivr_flow": FlowNotify, "ivr_message": "m.wav", "ivr_confirm": "true"})

	r := rep.next(t)
	if r.Outcome != OutcomeHangup || r.Flow != FlowNotify {
		t.Fatalf("result = %+v", r)
	}
	fs.waitClosed()
	eventually(t, "call to end", func() bool { return srv.ActiveCalls() == 0 })
	for {
		select {
		case c := <-fs.cmds:
			if c.Headers["call-command"] == "hangup" {
				t.Errorf("hung up a channel that was already gone: %+v", c)
			}
			continue
		default:
		}
		break
	}
}

func TestServerCallerGoneBeforeLinger(t *testing.T) {
	rep := make(chanReporter, 4)
	srv, addr := startServer(t, Options{Reporter: rep})
	fs := newFakeSwitch(t, callUUID)
	fs.dropOn = "linger"
	fs.dial(addr, map[string]string{"ivr_flow": FlowSurvey})
	if r := rep.next(t); r.Outcome != OutcomeHangup {
		t.Fatalf("result = %+v", r)
	}
	eventually(t, "call to end", func() bool { return srv.ActiveCalls() == 0 })
}

// The caller hangs up between "myevents" and "linger": eslgo's disconnect
// handling runs while the server sends linger. Under -race this failed when
// the linger command went through eslgo's own Linger (it writes the close
// delay the disconnect handling reads, without a common lock).
func TestServerCallerGoneWhileLingerSent(t *testing.T) {
	for i := range 20 {
		rep := make(chanReporter, 4)
		srv, addr := startServer(t, Options{Reporter: rep})
		fs := newFakeSwitch(t, callUUID)
		fs.dropAfter = "myevents"
		fs.dial(addr, map[string]string{"ivr_flow": FlowSurvey})
		if r := rep.next(t); r.Outcome != OutcomeHangup && r.Outcome != OutcomeFailed {
			t.Fatalf("try %d: result = %+v", i, r)
		}
		eventually(t, "call to end", func() bool { return srv.ActiveCalls() == 0 })
	}
}

func TestServerSocketLostMidFlow(t *testing.T) {
	rep := make(chanReporter, 4)
	srv, addr := startServer(t, Options{Reporter: rep})
	fs := newFakeSwitch(t, callUUID)
	fs.holdApp = "play_and_get_digits"
	fs.dial(addr, map[string]string{"ivr_flow": FlowSurvey, "ivr_survey_q1": "q1.wav"})
	fs.waitApp("play_and_get_digits")
	_ = fs.conn.Close() // FreeSWITCH restarted, say: no notice, no events
	if r := rep.next(t); r.Outcome != OutcomeFailed || !strings.Contains(r.Error, "closed the socket") {
		t.Fatalf("result = %+v", r)
	}
	eventually(t, "call to end", func() bool { return srv.ActiveCalls() == 0 })
}

func TestServerUnparsableFrameEndsCall(t *testing.T) {
	rep := make(chanReporter, 4)
	srv, addr := startServer(t, Options{Reporter: rep})
	fs := newFakeSwitch(t, callUUID)
	fs.holdApp = "play_and_get_digits"
	fs.dial(addr, map[string]string{"ivr_flow": FlowSurvey, "ivr_survey_q1": "q1.wav"})
	fs.waitApp("play_and_get_digits")
	// eslgo stops reading at a content type it does not know (7.3 point 3).
	fs.write("Content-Type: log/data\nContent-Length: 4\n\nlog\n")
	if r := rep.next(t); r.Outcome != OutcomeFailed || !strings.Contains(r.Error, "stopped reading") {
		t.Fatalf("result = %+v", r)
	}
	fs.waitClosed()
	eventually(t, "call to end", func() bool { return srv.ActiveCalls() == 0 })
}

func TestServerQueueTransfer(t *testing.T) {
	rep := make(chanReporter, 4)
	_, addr := startServer(t, Options{Reporter: rep})
	fs := newFakeSwitch(t, callUUID)
	fs.keys["choice"] = []string{"0"}
	fs.dial(addr, map[string]string{"ivr_flow": FlowNotify, "ivr_message": "m.wav",
		"ivr_confirm": "true", "ivr_queue": "collections"})

	if tr := fs.waitApp("transfer"); tr.arg() != "collections XML "+QueueContext {
		t.Errorf("transfer %q", tr.arg())
	}
	if r := rep.next(t); r.Outcome != OutcomeQueued || r.Queue != "collections" {
		t.Fatalf("result = %+v", r)
	}
	fs.waitClosed()
}

func TestServerUnknownFlowIsReported(t *testing.T) {
	rep := make(chanReporter, 4)
	_, addr := startServer(t, Options{Reporter: rep})
	fs := newFakeSwitch(t, callUUID)
	fs.dial(addr, map[string]string{"ivr_flow": "no_such_flow"})
	r := rep.next(t)
	if r.Outcome != OutcomeFailed || !strings.Contains(r.Error, "no such flow") {
		t.Fatalf("result = %+v", r)
	}
	fs.waitClosed()
}

func TestServerCommandTimeoutEndsCall(t *testing.T) {
	rep := make(chanReporter, 4)
	_, addr := startServer(t, Options{Reporter: rep, CommandTimeout: 200 * time.Millisecond})
	fs := newFakeSwitch(t, callUUID)
	fs.noReplyTo = "linger"
	fs.dial(addr, map[string]string{"ivr_flow": FlowSurvey})
	r := rep.next(t)
	if r.Outcome != OutcomeFailed || !strings.Contains(r.Error, "unusable") {
		t.Fatalf("result = %+v", r)
	}
	fs.waitClosed()
}

func TestServerShutdownAbortsCallInProgress(t *testing.T) {
	rep := make(chanReporter, 4)
	srv := NewServer(Options{Addr: "127.0.0.1:0", Reporter: rep})
	addr, err := srv.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fs := newFakeSwitch(t, callUUID)
	fs.holdApp = "play_and_get_digits" // the caller never finishes keying
	fs.dial(addr, map[string]string{"ivr_flow": FlowSurvey, "ivr_survey_q1": "q1.wav"})
	fs.waitApp("play_and_get_digits")

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v, want deadline exceeded", err)
	}
	if srv.ActiveCalls() != 0 {
		t.Errorf("active calls after Shutdown = %d", srv.ActiveCalls())
	}
	if r := rep.next(t); r.Outcome != OutcomeAborted || r.CallUUID != callUUID {
		t.Fatalf("result = %+v", r)
	}
	fs.waitClosed()
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("still accepting after Shutdown")
	}
	if _, err := srv.Listen(context.Background()); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Listen after Shutdown = %v", err)
	}
}

func TestServerShutdownWaitsForCallToEnd(t *testing.T) {
	rep := make(chanReporter, 4)
	srv := NewServer(Options{Addr: "127.0.0.1:0", Reporter: rep, Verifier: &fakeVerifier{want: secretID}})
	addr, err := srv.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fs := newFakeSwitch(t, callUUID)
	fs.keys["ivr_id_digits"] = []string{secretID}
	fs.dial(addr, map[string]string{"ivr_flow": FlowVerifyID})
	if r := rep.next(t); r.Outcome != OutcomeHandback || !r.Verified {
		t.Fatalf("result = %+v", r)
	}

	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		stopped <- srv.Shutdown(ctx)
	}()
	eventually(t, "listener to close", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned %v while a caller waited for the agent", err)
	default:
	}
	fs.bridge()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Shutdown = %v", err)
		}
	case <-time.After(patience):
		t.Fatal("Shutdown did not return after the call ended")
	}
	fs.waitClosed()
}

func TestServerManyConcurrentCalls(t *testing.T) {
	const calls = 100
	rep := make(chanReporter, calls)
	srv, addr := startServer(t, Options{Reporter: rep})
	start := time.Now()
	fakes := make([]*fakeSwitch, calls)
	for i := range fakes {
		fakes[i] = newFakeSwitch(t, fmt.Sprintf("00000000-0000-4000-8000-%012d", i))
		fakes[i].keys["q1"] = []string{fmt.Sprint(i%5 + 1)}
		fakes[i].dial(addr, map[string]string{"ivr_flow": FlowSurvey, "ivr_survey_q1": "q1.wav"})
	}
	got := map[string]string{}
	for range calls {
		r := rep.next(t)
		if r.Outcome != OutcomeCompleted || len(r.Answers) != 1 {
			t.Fatalf("result = %+v", r)
		}
		got[r.CallUUID] = r.Answers[0].Digits
	}
	for i, f := range fakes {
		if want := fmt.Sprint(i%5 + 1); got[f.uuid] != want {
			t.Errorf("call %d answered %q, want %q", i, got[f.uuid], want)
		}
		f.waitClosed()
	}
	eventually(t, "all calls to end", func() bool { return srv.ActiveCalls() == 0 })
	t.Logf("%d concurrent survey calls in %v", calls, time.Since(start))
}
