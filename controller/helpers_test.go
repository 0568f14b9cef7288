package controller

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"
)

// patience bounds every wait in these tests. It is a safety net, not a
// speed expectation: on a busy 2-core machine under -race what takes a
// millisecond when idle can take seconds, so each wait ends as soon as its
// condition holds and fails only when it never does.
const patience = time.Minute

// eventually polls cond until it holds. timeout is what the condition
// needs on an idle machine; the wait gives up only after the larger of it
// and patience, so load alone never fails a test.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(max(timeout, patience))
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func testLogger() *slog.Logger {
	if os.Getenv("CC_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// newTestPool starts a pool and waits until every node is up.
func newTestPool(t testing.TB, cfgs ...NodeConfig) *Pool {
	t.Helper()
	p, err := NewPool(context.Background(), PoolConfig{Nodes: cfgs, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	eventually(t, 10*time.Second, "nodes up", func() bool {
		for _, s := range p.Status() {
			if s.State != NodeUp {
				return false
			}
		}
		return true
	})
	return p
}

// logCapture is a slog handler that keeps every record at warn or above.
type logCapture struct {
	mu   sync.Mutex
	recs []string
}

func (l *logCapture) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }

func (l *logCapture) Handle(_ context.Context, r slog.Record) error {
	line := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool {
		line += " " + a.String()
		return true
	})
	l.mu.Lock()
	l.recs = append(l.recs, line)
	l.mu.Unlock()
	return nil
}

func (l *logCapture) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCapture) WithGroup(string) slog.Handler      { return l }

func (l *logCapture) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.recs...)
}
