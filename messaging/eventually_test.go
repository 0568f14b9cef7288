package messaging

import (
	"testing"
	"time"
)

// eventually polls cond until it holds, failing the test after a minute
// (a busy 2-core machine is slow, never this slow).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
