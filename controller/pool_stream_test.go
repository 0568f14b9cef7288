package controller

import (
	"context"
	"testing"
	"time"
)

// A subscriber that never reads delays neither the publisher nor the
// others; each reader gets every event in order; a cancelled context or a
// closed pool ends the stream.
func TestPoolStreamFanOut(t *testing.T) {
	stop := make(chan struct{})
	s := newPoolStream(stop)
	if s.active() {
		t.Fatal("active without subscribers")
	}
	idleCtx, cancelIdle := context.WithCancel(context.Background())
	idle := s.subscribe(idleCtx)
	fast := s.subscribe(context.Background())
	const n = 20000
	for i := range n { // never blocks although idle is not read
		s.publish(Event{Kind: EventDTMF, Seq: uint64(i)})
	}
	for i := range n {
		select {
		case e := <-fast:
			if e.Seq != uint64(i) {
				t.Fatalf("event %d came as %d", i, e.Seq)
			}
		case <-time.After(time.Minute):
			t.Fatalf("fast reader stuck at %d", i)
		}
	}
	cancelIdle()
	for range idle { // closed once its ctx ended, the backlog dropped
	}
	close(stop)
	for range fast {
	}
	eventually(t, 5*time.Second, "subscribers forgotten", func() bool { return !s.active() })
}
