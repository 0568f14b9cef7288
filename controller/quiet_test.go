package controller

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller/esltest"
)

// An idle system and a clean shutdown log no warnings (issue: every 25 s a
// "command connection recycled", and on SIGTERM eslgo's "Error receiving
// message ... use of closed network connection" and "node down").
func TestIdleAndCleanShutdownLogNoWarnings(t *testing.T) {
	// The switch's auth timeout is short so that idling past it takes
	// seconds, and long enough that a loaded machine answers auth/request
	// within it (150 ms did not, and the node never came up).
	auth := 2 * time.Second
	srv, err := esltest.Start(context.Background(), esltest.Options{Scenario: simScenario(), TimeScale: simScale,
		HeartbeatInterval: simHB, AuthTimeout: auth, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	logs := &logCapture{}
	p, err := NewPool(context.Background(), PoolConfig{Nodes: []NodeConfig{simNode("fs1", srv)}, Logger: slog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "node up", func() bool { return p.Status()[0].State == NodeUp })
	up := time.Now()
	// Idle well past the switch's auth timeout: heartbeats keep coming and
	// no command connection is dropped.
	eventually(t, 20*time.Second, "heartbeats long after the auth timeout", func() bool {
		return p.Status()[0].LastHeartbeat.After(up.Add(2 * auth))
	})
	if s := p.Status()[0]; s.Recycles != 0 || s.Reconnects != 1 {
		t.Errorf("idle node: %d recycles, %d sessions", s.Recycles, s.Reconnects)
	}
	// A call ends with the pool: the owner closes it without a warning.
	c := longCall(t, p)
	p.Close()
	waitCh(t, c.Done(), "call closed by shutdown")
	_ = srv.Close()
	if got := logs.lines(); len(got) > 0 {
		t.Errorf("warnings from an idle, cleanly stopped pool:\n%v", got)
	}
}
