package controller

import (
	"testing"
	"time"
)

func TestSpacing(t *testing.T) {
	now := time.Unix(0, 0)
	s := newSpacing(4) // 250 ms apart
	if !s.ready(now) {
		t.Fatal("first start not ready")
	}
	s.take(now)
	if s.ready(now.Add(249*time.Millisecond)) || !s.ready(now.Add(250*time.Millisecond)) {
		t.Fatalf("next start at %v, want +250ms", s.readyAt().Sub(now))
	}
	// Over any one-second window at most MaxCPS starts.
	now, granted := time.Unix(10, 0), 0
	for range 1000 {
		if s.ready(now) {
			s.take(now)
			granted++
		}
		now = now.Add(time.Millisecond)
	}
	if granted != 4 {
		t.Errorf("granted %d in one second at MaxCPS 4", granted)
	}
	if u := newSpacing(0); !u.ready(time.Time{}) {
		t.Error("unlimited spacing not ready")
	}
}

func TestWriteGuard(t *testing.T) {
	start := time.Unix(100, 0)
	g := newWriteGuard(3)
	// Writes bunched by a late connection: the fourth inside the same
	// second waits until the first has left the window.
	for i, at := range []time.Duration{0, 10 * time.Millisecond, 20 * time.Millisecond} {
		if w := g.admit(start.Add(at)); w != 0 {
			t.Fatalf("write %d waits %v", i, w)
		}
	}
	if w := g.admit(start.Add(30 * time.Millisecond)); w != 970*time.Millisecond {
		t.Fatalf("fourth write waits %v, want 970ms", w)
	}
	if w := g.admit(start.Add(time.Second)); w != 0 {
		t.Fatalf("write after the window waits %v", w)
	}
	if r := g.rate(start.Add(time.Second)); r != 3 {
		t.Errorf("rate of the previous second = %d, want 3", r)
	}
	if r := g.rate(start.Add(5 * time.Second)); r != 0 {
		t.Errorf("rate after idle seconds = %d", r)
	}
	u := newWriteGuard(0)
	for range 100 {
		if w := u.admit(start); w != 0 {
			t.Fatal("unlimited guard waits")
		}
	}
}
