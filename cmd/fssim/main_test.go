package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// patience bounds every wait: a safety net for a busy machine, not a speed
// expectation; each wait ends as soon as its condition holds.
const patience = time.Minute

// TestRunServesScenario starts fssim with the example scenario on a free
// port, checks it answers like FreeSWITCH and stops on cancel.
func TestRunServesScenario(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--listen", addr, "--scenario", "scenario.example.yaml", "--heartbeat", "-1s"}, io.Discard)
	}()
	var nc net.Conn
	deadline := time.Now().Add(patience)
	for {
		if nc, err = net.Dial("tcp", addr); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fssim never listened: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	defer nc.Close()
	r := bufio.NewReader(nc)
	expect := func(want string) {
		t.Helper()
		var got strings.Builder
		for got.Len() < len(want) {
			b, err := r.ReadByte()
			if err != nil {
				t.Fatalf("read: %v (so far %q)", err, got.String())
			}
			got.WriteByte(b)
		}
		if got.String() != want {
			t.Fatalf("got %q, want %q", got.String(), want)
		}
	}
	expect("Content-Type: auth/request\n\n")
	_, _ = io.WriteString(nc, "auth ClueCon\n\n")
	expect("Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
	_, _ = io.WriteString(nc, "api sofia status gateway backup\n\n")
	expect("Content-Type: api/response\nContent-Length: ")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(patience):
		t.Fatal("run did not stop")
	}
}

func TestRunRejectsBadScenario(t *testing.T) {
	err := run(context.Background(), []string{"--scenario", "does-not-exist.yaml"}, io.Discard)
	if err == nil {
		t.Fatal("missing scenario accepted")
	}
}
