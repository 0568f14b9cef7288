package acd

import (
	"context"
	"sync"
	"time"

	"github.com/bankcc/callcenter/controller"
)

// inboundLeg is a call the controller did not originate (a carrier's call,
// a caller the IVR sent to a queue), as a controller.Leg: its events come
// from the pool stream (Switch.Subscribe), which the desk feeds in here.
type inboundLeg struct {
	uuid, node string

	mu       sync.Mutex
	cond     *sync.Cond
	events   []controller.Event
	ended    bool
	rec      controller.CallRecord
	answered chan struct{}
	bridged  chan struct{}
	done     chan struct{}
}

var _ controller.Leg = (*inboundLeg)(nil)

func newInboundLeg(e controller.Event, answered bool) *inboundLeg {
	l := &inboundLeg{uuid: e.UUID, node: e.Node, answered: make(chan struct{}), bridged: make(chan struct{}), done: make(chan struct{}),
		rec: controller.CallRecord{UUID: e.UUID, Node: e.Node, CreatedAt: e.At, State: controller.StateRinging}}
	if e.Call != nil {
		l.rec.Destination = e.Call.CallerIDNumber
	}
	l.cond = sync.NewCond(&l.mu)
	if answered {
		l.rec.AnsweredAt, l.rec.State = e.At, controller.StateAnswered
		close(l.answered)
	}
	return l
}

func (l *inboundLeg) UUID() string                  { return l.uuid }
func (l *inboundLeg) Node() string                  { return l.node }
func (l *inboundLeg) Answered() <-chan struct{}     { return l.answered }
func (l *inboundLeg) Bridged() <-chan struct{}      { return l.bridged }
func (l *inboundLeg) Done() <-chan struct{}         { return l.done }
func (l *inboundLeg) Record() controller.CallRecord { l.mu.Lock(); defer l.mu.Unlock(); return l.rec }

func (l *inboundLeg) Wait(ctx context.Context) (controller.CallRecord, error) {
	select {
	case <-l.done:
		return l.Record(), nil
	case <-ctx.Done():
		return l.Record(), ctx.Err()
	}
}

// Events streams the leg's events from the first fed in, closed after the
// hangup. A reader that stops reading is let go a minute after the leg ends.
func (l *inboundLeg) Events() <-chan controller.Event {
	out := make(chan controller.Event)
	go func() {
		defer close(out)
		for i := 0; ; i++ {
			l.mu.Lock()
			for i >= len(l.events) && !l.ended {
				l.cond.Wait()
			}
			if i >= len(l.events) {
				l.mu.Unlock()
				return
			}
			e := l.events[i]
			l.mu.Unlock()
			select {
			case out <- e:
			case <-l.lateAfterDone(time.Minute):
				return
			}
		}
	}()
	return out
}

// lateAfterDone closes d after the leg has ended.
func (l *inboundLeg) lateAfterDone(d time.Duration) <-chan struct{} {
	c := make(chan struct{})
	go func() {
		<-l.done
		time.Sleep(d)
		close(c)
	}()
	return c
}

// feed applies one event of the leg from the pool stream.
func (l *inboundLeg) feed(e controller.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return
	}
	l.events = append(l.events, e)
	switch e.Kind {
	case controller.EventAnswer:
		if l.rec.AnsweredAt.IsZero() {
			l.rec.AnsweredAt = e.At
			close(l.answered)
		}
	case controller.EventBridge:
		l.rec.Bridged = true
		if l.rec.BridgedAt.IsZero() {
			l.rec.BridgedAt = e.At
			close(l.bridged)
		}
		if e.Other != "" {
			l.rec.OtherUUIDs = append(l.rec.OtherUUIDs, e.Other)
		}
		if l.rec.AnsweredAt.IsZero() {
			l.rec.AnsweredAt = e.At
			close(l.answered)
		}
	case controller.EventUnbridge:
		l.rec.Bridged = false
	case controller.EventHangup:
		l.rec.Bridged, l.rec.State, l.rec.HungupAt = false, controller.StateEnded, e.At
		if h := e.Hangup; h != nil {
			l.rec.HangupCause, l.rec.SIPCode, l.rec.BillSec, l.rec.Result = h.Cause, h.SIPCode, h.BillSec, h.Result
		}
		l.ended = true
		close(l.done)
	}
	l.cond.Broadcast()
}
