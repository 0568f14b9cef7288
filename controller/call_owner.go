package controller

import (
	"context"
	"sync"
	"time"
)

// run is the owner goroutine.
func (c *Call) run(rec CallRecord) {
	o := owner{c: c, rec: rec}
	o.loop()
}

type owner struct {
	c       *Call
	rec     CallRecord
	created bool
	timer   *time.Timer
	final   bool
	lastSeq uint64
}

func (o *owner) loop() {
	o.timer = time.NewTimer(time.Hour)
	o.timer.Stop()
	if o.c.hooks.lostAfter > 0 {
		o.timer.Reset(o.c.hooks.lostAfter)
	}
	defer o.timer.Stop()
	for !o.final {
		select {
		case <-o.c.mb.sig:
			for _, m := range o.c.mb.take() {
				o.handle(m)
			}
		case <-o.timer.C:
			o.expire()
		case <-o.c.hooks.stop:
			o.close("controller shut down")
		}
	}
}

func (o *owner) handle(m any) {
	if o.final {
		return
	}
	switch m := m.(type) {
	case *event:
		o.handleEvent(m)
	case jobResult:
		o.handleJob(m.body)
	case closeCall:
		o.close(m.reason)
	case abandonCall:
		o.abandon()
	case resyncCall:
		o.resync(m.callState)
	}
}

func (o *owner) handleEvent(e *event) {
	o.c.applied.Add(1)
	if e.Seq != 0 && e.Seq < o.lastSeq {
		o.c.disorder.Add(1)
	}
	o.lastSeq = max(o.lastSeq, e.Seq)
	o.signOfLife()
	ch := o.rec.apply(e)
	o.publish()
	switch {
	case ch.final:
		o.end()
		return
	case ch.hungup:
		o.timer.Reset(hangupGrace)
	}
	if ch.answered {
		closeOnce(o.c.answered)
		o.record()
	}
	if ch.bridged {
		closeOnce(o.c.answered)
		closeOnce(o.c.bridged)
		o.record()
	}
}

// handleJob takes the originate's result. A failure without any channel
// event means the leg never existed (e.g. USER_NOT_REGISTERED): end now.
// Otherwise the hangup events are on their way; wait for them a little.
func (o *owner) handleJob(body string) {
	if !o.rec.applyJob(body) {
		o.signOfLife()
		return
	}
	o.publish()
	if o.rec.CreatedAt.IsZero() {
		o.end()
		return
	}
	o.timer.Reset(hangupGrace)
}

func (o *owner) expire() {
	switch {
	case o.rec.State == StateEnded || o.rec.HangupCause != "":
		o.end()
	case !o.created:
		o.close("no events from FreeSWITCH for this leg")
	}
}

// close ends the call for a reason the switch did not report (reconcile,
// shutdown, lost events).
func (o *owner) close(reason string) {
	// No HangupCause is made up: the switch never said one. The empty
	// cause classifies as network_failure and Reason tells why.
	if o.rec.Reason == "" {
		o.rec.Reason = reason
	}
	o.end()
}

func (o *owner) resync(callState string) {
	o.signOfLife()
	switch callState {
	case "ACTIVE", "HELD", "UNHELD":
		if o.rec.advance(StateAnswered) {
			setTime(&o.rec.AnsweredAt, time.Now())
			o.publish()
			closeOnce(o.c.answered)
			o.record()
		}
	case "RINGING", "EARLY":
		o.rec.advance(StateRinging)
		o.publish()
	}
}

func (o *owner) abandon() {
	o.rec.Reason = "not dialed"
	o.rec.finish()
	o.final = true
	o.publish()
	o.signOfLife()
	if o.c.hooks.finished != nil {
		o.c.hooks.finished()
	}
	close(o.c.done)
}

func (o *owner) end() {
	o.rec.finish()
	o.final = true
	o.publish()
	o.signOfLife()
	o.record()
	if o.c.hooks.finished != nil {
		o.c.hooks.finished()
	}
	close(o.c.done)
}

func (o *owner) signOfLife() {
	if o.created {
		return
	}
	o.created = true
	if !o.final {
		o.timer.Stop()
	}
	if o.c.hooks.created != nil {
		o.c.hooks.created()
	}
}

func (o *owner) publish() {
	r := o.rec.clone()
	o.c.snap.Store(&r)
}

func (o *owner) record() {
	rec := o.c.hooks.rec
	if rec == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	if err := rec.RecordCall(ctx, o.rec.clone()); err != nil && o.c.hooks.log != nil {
		o.c.hooks.log.Warn("record call", "call_uuid", o.rec.UUID, "node", o.rec.Node, "err", err)
	}
}

func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}

// mailbox is an unbounded FIFO: the node's router must never block on a
// slow call owner (a recorder writing to a busy database), or every call on
// that node would stall.
type mailbox struct {
	mu  sync.Mutex
	q   []any
	sig chan struct{}
}

func (m *mailbox) put(v any) {
	m.mu.Lock()
	m.q = append(m.q, v)
	m.mu.Unlock()
	select {
	case m.sig <- struct{}{}:
	default:
	}
}

func (m *mailbox) take() []any {
	m.mu.Lock()
	q := m.q
	m.q = nil
	m.mu.Unlock()
	return q
}
