package controller

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// memRecorder keeps what RecordCall received, in order.
type memRecorder struct {
	mu   sync.Mutex
	recs []CallRecord
}

func (m *memRecorder) RecordCall(_ context.Context, c CallRecord) error {
	m.mu.Lock()
	m.recs = append(m.recs, c)
	m.mu.Unlock()
	return nil
}

func (m *memRecorder) all() []CallRecord {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]CallRecord(nil), m.recs...)
}

func startTestCall(t *testing.T, rec CallRecorder, lost time.Duration) (*Call, chan struct{}) {
	t.Helper()
	stop := make(chan struct{})
	finished := make(chan struct{})
	c := newCall(CallRecord{UUID: "u1", State: StateDialing}, callHooks{
		rec: rec, stop: stop, lostAfter: lost,
		finished: func() { close(finished) },
	})
	go c.run(CallRecord{UUID: "u1", State: StateDialing})
	t.Cleanup(func() { close(stop) })
	return c, finished
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(patience):
		t.Fatalf("%s not signalled", what)
	}
}

func TestCallOwnerLifecycle(t *testing.T) {
	rec := &memRecorder{}
	c, finished := startTestCall(t, rec, 0)
	c.deliver(ev("CHANNEL_CREATE", 1))
	c.deliver(jobResult{body: "+OK u1\n"})
	c.deliver(ev("CHANNEL_ANSWER", 2))
	waitClosed(t, c.Answered(), "answered")
	c.deliver(ev("CHANNEL_BRIDGE", 3, "Other-Leg-Unique-ID", "agent"))
	waitClosed(t, c.Bridged(), "bridged")
	c.deliver(ev("CHANNEL_HANGUP_COMPLETE", 5, "Hangup-Cause", "NORMAL_CLEARING", "variable_billsec", "9"))
	c.deliver(ev("CHANNEL_ANSWER", 4)) // late: after the end, ignored
	r, err := c.Wait(context.Background())
	if err != nil || r.State != StateEnded || r.Result != ResultAnswered || r.BillSec != 9 {
		t.Fatalf("final record %+v, %v", r, err)
	}
	waitClosed(t, finished, "unregistered")
	got := rec.all()
	if len(got) != 3 || got[0].State != StateAnswered || !got[1].Bridged || got[2].State != StateEnded {
		t.Fatalf("recorder saw %d records: %+v", len(got), got)
	}
}

func TestCallOwnerJobFailureWithoutChannel(t *testing.T) {
	rec := &memRecorder{}
	c, _ := startTestCall(t, rec, 0)
	c.deliver(jobResult{body: "-ERR USER_NOT_REGISTERED\n"})
	r, _ := c.Wait(context.Background())
	if r.Result != ResultNetworkFailure || r.HangupCause != "USER_NOT_REGISTERED" {
		t.Fatalf("record %+v", r)
	}
	if n := len(rec.all()); n != 1 {
		t.Fatalf("recorder called %d times", n)
	}
}

func TestCallOwnerCloseAndLost(t *testing.T) {
	c, _ := startTestCall(t, nil, 0)
	c.deliver(ev("CHANNEL_CREATE", 1))
	c.deliver(closeCall{reason: "ended while the node was disconnected"})
	r, _ := c.Wait(context.Background())
	if r.State != StateEnded || r.Reason == "" || r.Result != ResultNetworkFailure {
		t.Fatalf("closed record %+v", r)
	}

	lost, _ := startTestCall(t, nil, 20*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	r, err := lost.Wait(ctx)
	if err != nil || r.Reason == "" {
		t.Fatalf("silent call not closed: %+v %v", r, err)
	}
}

func TestCallOwnerAbandonWritesNothing(t *testing.T) {
	rec := &memRecorder{}
	c, finished := startTestCall(t, rec, 0)
	c.deliver(abandonCall{})
	waitClosed(t, c.Done(), "done")
	waitClosed(t, finished, "unregistered")
	if n := len(rec.all()); n != 0 {
		t.Fatalf("abandoned call recorded %d times", n)
	}
}

func TestCallOwnerResyncAfterReconnect(t *testing.T) {
	rec := &memRecorder{}
	c, _ := startTestCall(t, rec, 0)
	c.deliver(ev("CHANNEL_CREATE", 1))
	c.deliver(resyncCall{callState: "ACTIVE"}) // answered while we were disconnected
	waitClosed(t, c.Answered(), "answered from resync")
	c.deliver(resyncCall{callState: "RINGING"}) // stale: never goes back
	c.deliver(ev("CHANNEL_HANGUP_COMPLETE", 9, "Hangup-Cause", "NORMAL_CLEARING"))
	r, _ := c.Wait(context.Background())
	if r.Result != ResultAnswered || len(rec.all()) != 2 {
		t.Fatalf("record %+v, %d recorder calls", r, len(rec.all()))
	}
}

func TestPoolCloseEndsLiveCalls(t *testing.T) {
	f := startFakeFS(t) // accepts originates, never answers
	rec := &memRecorder{}
	p := newTestPool(t, rec, NodeConfig{Name: "n1", Address: f.addr(), HeartbeatInterval: time.Hour})
	c, err := p.Originate(context.Background(), OriginateRequest{Gateway: "gw", Number: "1", ContactID: 5})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	waitClosed(t, c.Done(), "call closed by shutdown")
	if r := c.Record(); r.Reason != "controller shut down" || r.ContactID != 5 || len(rec.all()) != 1 {
		t.Errorf("record %+v, %d recorder calls", r, len(rec.all()))
	}
	if _, err := p.Originate(context.Background(), OriginateRequest{Gateway: "gw", Number: "2"}); !errors.Is(err, ErrClosed) {
		t.Errorf("originate after Close: %v", err)
	}
}
