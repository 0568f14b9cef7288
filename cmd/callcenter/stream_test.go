package main

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestProgramShutdownEndsStreams: an open event stream does not hold up the
// ordered shutdown; it is told why it ends.
func TestProgramShutdownEndsStreams(t *testing.T) {
	const adminPW = "Boss-Pass-2026!"
	p := startProgram(t, map[string]string{"CC_ADMIN_PASSWORD": adminPW, "CC_IVR_LISTEN": "127.0.0.1:0",
		"CC_DATA_DIR": t.TempDir(), "CC_DATABASE_DSN": t.TempDir() + "/cc.db", "CC_SHUTDOWN_TIMEOUT": "60s"})
	token := p.login(t, "admin", adminPW)
	resp, err := http.Get(p.base + "/api/v1/me/events?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	waitLine := func(want string) {
		t.Helper()
		timeout := time.After(time.Minute)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("stream closed before %q", want)
				}
				if l == want {
					return
				}
			case <-timeout:
				t.Fatalf("no %q on the stream", want)
			}
		}
	}
	waitLine("event: hello")
	stopped := make(chan error, 1)
	go func() { stopped <- p.stop() }()
	waitLine("event: end")
	waitLine(`data: {"reason":"shutdown"}`)
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
