package controller

import (
	"testing"
	"time"
)

func TestPacerSpacing(t *testing.T) {
	now := time.Unix(0, 0)
	p := newPacer(4) // 250 ms apart
	p.now = func() time.Time { return now }
	if d := p.reserve(); d != 0 {
		t.Fatalf("first reserve waits %v", d)
	}
	if d := p.reserve(); d != 250*time.Millisecond {
		t.Fatalf("second reserve wait = %v, want 250ms", d)
	}
	now = now.Add(100 * time.Millisecond)
	if d := p.reserve(); d != 150*time.Millisecond {
		t.Fatalf("wait = %v, want 150ms", d)
	}
	// Over any one-second window at most MaxCPS reservations succeed.
	now, granted := time.Unix(10, 0), 0
	for i := 0; i < 1000; i++ {
		if p.reserve() == 0 {
			granted++
		}
		now = now.Add(time.Millisecond)
	}
	if granted != 4 {
		t.Errorf("granted %d in one second at MaxCPS 4", granted)
	}
	if d := newPacer(0).reserve(); d != 0 {
		t.Errorf("unlimited pacer waits %v", d)
	}
}

func TestPacerRate(t *testing.T) {
	now := time.Unix(50, 0)
	p := newPacer(0)
	p.now = func() time.Time { return now }
	for range 3 {
		p.beforeWrite()
	}
	if r := p.rate(); r != 0 {
		t.Errorf("rate during the first second = %d", r)
	}
	now = now.Add(time.Second)
	p.beforeWrite()
	if r := p.rate(); r != 3 {
		t.Errorf("rate of the previous second = %d, want 3", r)
	}
	now = now.Add(5 * time.Second)
	if r := p.rate(); r != 0 {
		t.Errorf("rate after idle seconds = %d", r)
	}
}
