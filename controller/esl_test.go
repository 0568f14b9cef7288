package controller

import (
	"context"
	"errors"
	"net"
	"reflect"
	"testing"
	"time"
)

// rawServer accepts connections and runs serve on each.
func rawServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); serve(c) }()
		}
	}()
	return ln.Addr().String()
}

// TestDialGuards: a switch that never completes the handshake keeps its
// connection open for the whole test, so only the dial's own guard can end
// the dial; without it the dial would hang and fail after patience.
func TestDialGuards(t *testing.T) {
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) }) // the servers let go at the end
	silent := rawServer(t, func(c net.Conn) { <-hold })
	rude := rawServer(t, func(c net.Conn) {
		_, _ = c.Write([]byte("Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n"))
	})
	// Sends auth/request but never answers auth: eslgo's own Dial waits.
	mute := rawServer(t, func(c net.Conn) {
		_, _ = c.Write([]byte("Content-Type: auth/request\n\n"))
		<-hold
	})
	for name, addr := range map[string]string{"silent": silent, "rude": rude, "mute": mute} {
		t.Run(name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := dialESL(context.Background(), dialConfig{addr: addr, password: "x", timeout: 200 * time.Millisecond}, nil)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("dial succeeded")
				}
			case <-time.After(patience):
				t.Fatal("dial still waiting: the 200ms guard did not end it")
			}
		})
	}
}

func TestCommandTimeoutRecyclesConnection(t *testing.T) {
	f := startFakeFS(t)
	// Dial and a first command with a timeout no busy machine reaches; then
	// a short one for a command the fake never answers, which must time out.
	c, err := dialESL(context.Background(), dialConfig{addr: f.addr(), password: "ClueCon", timeout: patience}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := c.send(context.Background(), "api status"); err != nil || !r.ok() {
		t.Fatalf("api status: %+v %v", r, err)
	}
	c.timeout = 200 * time.Millisecond // no command is in flight: only this goroutine reads it
	stop := make(chan struct{})
	f.onBgapi = func(string) { <-stop }
	defer close(stop)
	_, err = c.send(context.Background(), "bgapi status")
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	var se *sendError
	if !errors.As(err, &se) || !se.maybeSent {
		t.Errorf("a timed-out command must count as maybe sent: %v", err)
	}
	select {
	case <-c.Dead():
	case <-time.After(patience):
		t.Fatal("connection not recycled after a timeout")
	}
	if _, err := c.send(context.Background(), "api status"); !errors.Is(err, errConnDead) {
		t.Errorf("command on a dead connection: %v", err)
	}
}

func TestSilentEventConnectionIsReplaced(t *testing.T) {
	f := startFakeFS(t) // sends no heartbeats at all
	p := newTestPool(t, NodeConfig{Name: "n1", Address: f.addr(), HeartbeatInterval: 50 * time.Millisecond,
		MaxBackoff: 50 * time.Millisecond})
	eventually(t, 5*time.Second, "three sessions", func() bool { return p.Status()[0].Reconnects >= 3 })
	// Exactly one subscription per session: a session counts once it has
	// subscribed, so at most one more subscription than sessions exists.
	before := p.Status()[0].Reconnects
	subs := len(f.subbed)
	after := p.Status()[0].Reconnects
	if subs < before || subs > after+1 {
		t.Errorf("%d subscriptions for %d..%d sessions", subs, before, after)
	}
	if s := p.Status()[0]; s.Recycles < 2 {
		t.Errorf("recycles = %d", s.Recycles)
	}
}

// An unknown content type stops eslgo's receive loop without a word
// (freeswitch-esl.md 7.3.3); only the heartbeat watchdog can notice.
func TestWatchdogRecoversFromDeadReceiveLoop(t *testing.T) {
	f := startFakeFS(t)
	hb := 30 * time.Millisecond
	p := newTestPool(t, NodeConfig{Name: "n1", Address: f.addr(), HeartbeatInterval: hb, MaxBackoff: hb})
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(hb / 2):
				_ = f.heartbeat()
			}
		}
	}()
	before := p.Status()[0]
	if err := f.send("Content-Type: text/unknown\nContent-Length: 2\n\nhi"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "event connection replaced", func() bool {
		s := p.Status()[0]
		return s.Reconnects > before.Reconnects && s.State == NodeUp
	})
	at := time.Now()
	eventually(t, 5*time.Second, "heartbeats on the new connection", func() bool {
		return p.Status()[0].LastHeartbeat.After(at)
	})
}

// The controller tears eslgo connections down by closing eslgo's own
// socket, found by reflection. If eslgo's internals change this test fails
// (and NewPool refuses to start) rather than leaving connections unclosed.
func TestESLGoSocketLookup(t *testing.T) {
	if err := checkESLGo(); err != nil {
		t.Fatalf("eslgo changed: %v", err)
	}
	type noField struct{ other net.Conn }
	type wrongType struct{ conn int }
	for _, typ := range []reflect.Type{reflect.TypeFor[noField](), reflect.TypeFor[wrongType]()} {
		if _, err := lookupSocketField(typ); !errors.Is(err, errESLGoChanged) {
			t.Errorf("%s: %v, want errESLGoChanged", typ, err)
		}
	}
	// rawSocket is the very socket eslgo reads: closing it ends the
	// connection (eslgo dials the relay's unix socket).
	f := startFakeFS(t)
	c, err := dialESL(context.Background(), dialConfig{addr: f.addr(), password: "ClueCon", timeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.raw == nil || c.raw.RemoteAddr().Network() != "unix" {
		t.Fatalf("raw socket %v", c.raw)
	}
	c.kill(errors.New("test"))
	if _, err := c.raw.Write([]byte("x")); err == nil {
		t.Error("socket still open after kill")
	}
}
