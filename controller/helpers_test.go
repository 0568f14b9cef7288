package controller

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"
)

// eventually polls cond until it holds or the timeout ends.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
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
