package controller

import (
	"time"

	"github.com/bankcc/callcenter/clock"
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
	timer   clock.Timer
	final   bool
	lastSeq uint64
	seq     uint64 // typed events published
}

func (o *owner) loop() {
	o.timer = o.c.hooks.clock.NewTimer(time.Hour)
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
		case <-o.timer.C():
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
	ch := o.rec.apply(e, o.now())
	o.publish()
	o.emitFor(e, ch)
	switch {
	case ch.final:
		o.end()
		return
	case ch.hungup:
		o.timer.Reset(hangupGrace)
	}
	if ch.answered {
		closeOnce(o.c.answered)
	}
	if ch.firstBridge {
		closeOnce(o.c.bridged)
	}
}

// emitFor publishes the typed events one FreeSWITCH event makes for this
// leg: only real changes (a repeated or late answer makes none), an answer
// before a bridge that proved one, the machine verdict when it changes,
// every avmd beep (the greeting is over: what a campaign that leaves a
// message waits for, even after mod_amd already said MACHINE), and no
// hangup here (end publishes it once the record is final).
func (o *owner) emitFor(e *event, ch recordChange) {
	switch e.Name {
	case "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_DESTROY":
		if ch.amd {
			o.emitAMD(e.Time())
		}
		return
	}
	te, ok := typedEvent(e, o.c.node)
	if !ok {
		return
	}
	keep := true
	switch te.Kind {
	case EventCreate:
		keep = ch.created
	case EventRinging:
		keep = ch.ringing
	case EventEarlyMedia:
		keep = ch.early
	case EventAnswer:
		keep, te.AMD = ch.answered, o.rec.AMD
	case EventUnbridge:
		if e.UUID != o.c.uuid { // this is the B-leg
			te.Other = otherLeg(e, o.c.uuid)
		}
	case EventBridge:
		if e.UUID != o.c.uuid {
			te.Other = otherLeg(e, o.c.uuid)
		}
		if ch.answered {
			o.emit(Event{Kind: EventAnswer, Name: te.Name, At: te.At, AMD: o.rec.AMD})
		}
		keep = ch.bridged
	case EventAMD:
		keep, te.AMD = ch.amd || te.Subclass == SubclassAVMDBeep, o.rec.AMD
	}
	if keep {
		o.emit(te)
	}
	if ch.amd && te.Kind != EventAnswer && te.Kind != EventAMD {
		o.emitAMD(te.At)
	}
}

func (o *owner) emitAMD(at time.Time) {
	o.emit(Event{Kind: EventAMD, At: at, AMD: o.rec.AMD})
}

// emit numbers an event and adds it to the leg's stream.
func (o *owner) emit(e Event) {
	o.seq++
	e.Seq, e.UUID, e.Node = o.seq, o.c.uuid, o.c.node
	if e.At.IsZero() {
		e.At = o.now()
	}
	o.c.stream.add(e, e.Kind == EventHangup)
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
			setTime(&o.rec.AnsweredAt, o.now())
			o.publish()
			o.emit(Event{Kind: EventAnswer, AMD: o.rec.AMD})
			closeOnce(o.c.answered)
		}
	case "RINGING", "EARLY":
		if o.rec.advance(StateRinging) {
			o.publish()
			o.emit(Event{Kind: EventRinging})
		}
	}
}

// abandon ends a call whose originate never reached the switch: the
// caller got an error and no attempt was made.
func (o *owner) abandon() {
	o.rec.Reason = "not dialed"
	o.end()
}

func (o *owner) end() {
	o.rec.finish(o.now())
	o.final = true
	o.publish()
	o.signOfLife()
	o.emit(Event{Kind: EventHangup, At: o.rec.HungupAt, Hangup: o.rec.hangupInfo()})
	if o.c.hooks.finished != nil {
		o.c.hooks.finished()
	}
	close(o.c.done)
}

func (o *owner) now() time.Time { return o.c.hooks.clock.Now() }

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

func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}
