package dialer

import (
	"context"
	"strconv"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/ivr"
	"github.com/bankcc/callcenter/store"
)

// legWatch reads a leg's event stream to its end and keeps what the call's
// goroutine waits on.
type legWatch struct {
	leg      controller.Leg
	answered chan controller.Event // the answer (once)
	amd      chan controller.AMDVerdict
	beep     chan struct{} // mod_avmd heard the beep: the greeting is over
	dtmf     chan string
	played   chan struct{} // a playback ended
	gone     chan struct{} // closed after the hangup
	hangup   *controller.Hangup
	hungupAt time.Time
}

func watchLeg(leg controller.Leg) *legWatch {
	w := &legWatch{leg: leg, answered: make(chan controller.Event, 1), amd: make(chan controller.AMDVerdict, 4), beep: make(chan struct{}, 1),
		dtmf: make(chan string, 16), played: make(chan struct{}, 8), gone: make(chan struct{})}
	go func() {
		defer close(w.gone)
		for e := range leg.Events() {
			w.apply(e)
		}
	}()
	return w
}

func (w *legWatch) apply(e controller.Event) {
	switch e.Kind {
	case controller.EventAnswer:
		offer(w.answered, e)
		if e.AMD != controller.AMDUnknown {
			offer(w.amd, e.AMD)
		}
	case controller.EventAMD:
		if e.Subclass == controller.SubclassAVMDBeep { // before the verdict, so whoever reads the verdict finds it
			offer(w.beep, struct{}{})
		}
		offer(w.amd, e.AMD)
	case controller.EventDTMF:
		offer(w.dtmf, e.DTMF.Digit)
	case controller.EventExecuteComplete:
		if e.App.Name == "playback" {
			offer(w.played, struct{}{})
		}
	case controller.EventHangup:
		w.hangup, w.hungupAt = e.Hangup, e.At
		if e.Hangup != nil && !e.Hangup.Hungup.IsZero() {
			w.hungupAt = e.Hangup.Hungup
		}
	}
}

// ended is the hangup and its time once the stream has ended, else nil and
// now (shutdown, or a wait that ran out): the watcher writes the hangup
// fields before it closes gone, so reading them earlier would race.
func (w *legWatch) ended(now time.Time) (*controller.Hangup, time.Time) {
	select {
	case <-w.gone:
		if w.hungupAt.IsZero() {
			return w.hangup, now
		}
		return w.hangup, w.hungupAt
	default:
		return nil, now
	}
}

// endedAt is the hangup time of ended.
func (w *legWatch) endedAt(now time.Time) time.Time {
	_, at := w.ended(now)
	return at
}

// offer sends without blocking: the stream reader never waits on the call.
func offer[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
}

// waitGone waits for the hangup (or ctx, or limit).
func (w *legWatch) waitGone(ctx context.Context, r *runner, limit time.Duration) bool {
	t := r.o.Clock.NewTimer(limit)
	defer t.Stop()
	select {
	case <-w.gone:
		return true
	case <-ctx.Done():
	case <-t.C():
	}
	return false
}

// voice originates one call of a voice or IVR campaign and follows it to
// its end; the attempt is finished on every path.
func (r *runner) voice(a *attempt, pc *pacing) {
	ctx := r.callCtx
	leg, err := r.o.Switch.Originate(ctx, r.originateRequest(a))
	if err != nil {
		r.log.Warn("dialer: originate", "contact_id", a.cl.Contact.ID, "err", err)
		r.releaseAgent(a, "dial failed")
		pc.ended(r.o.Clock.Now(), a, OutcomeFailed)
		now := r.o.Clock.Now()
		r.finish(a, store.Finish{Claim: a.cl, CallUUID: a.uuid, Class: store.ResultNetworkFailure, Cause: cut(err.Error(), 64), HungupAt: &now, Now: now})
		return
	}
	w := watchLeg(leg)
	select {
	case ans := <-w.answered:
		r.answered(ctx, a, w, ans.At, pc)
	case <-w.gone:
		select { // a short call may be over before this goroutine looked: the answer came first
		case ans := <-w.answered:
			r.answered(ctx, a, w, ans.At, pc)
		default:
			r.notAnswered(a, w, pc)
		}
	case <-ctx.Done():
		return // lease lost or shutdown: the reaper settles the contact
	}
}

// originateRequest is the customer leg: the campaign's gateway and lane,
// the caller ID StartAttempt reserved, at least the minimum ring time,
// pinned to the reserved agent's node; a broadcast runs the IVR on answer.
func (r *runner) originateRequest(a *attempt) controller.OriginateRequest {
	camp := a.p.camp
	gw := camp.Gateway
	if gw == "" {
		gw = r.o.Gateway
	}
	ring := max(a.dial.Ring, time.Duration(store.DefaultMinRingS)*time.Second)
	req := controller.OriginateRequest{UUID: a.uuid, Gateway: gw, Number: a.phone, CallerIDNumber: a.dial.CallerID,
		Timeout: ring, CampaignID: camp.ID, ContactID: a.cl.Contact.ID,
		Vars: map[string]string{"cc_campaign_id": strconv.FormatInt(camp.ID, 10),
			"cc_contact_id": strconv.FormatInt(a.cl.Contact.ID, 10), "cc_attempt_id": strconv.FormatInt(a.dial.AttemptID, 10)}}
	if a.res != nil {
		req.Node, req.AgentID = a.res.Node, a.res.AgentID
	}
	if app := r.o.AMD.app(); app != "" {
		// Run where the answer happens, before the park or the IVR socket:
		// avmd_start returns at once and beeps later; amd holds the call
		// until its verdict.
		req.Vars["execute_on_answer"] = app
	}
	if camp.DialMode == store.DialBroadcast && r.o.IVRAddr != "" {
		req.App, req.AppArgs = "socket", r.o.IVRAddr+" async full"
		req.Vars["ivr_flow"] = camp.IVRFlow
		r.ivrMenuVars(camp, req.Vars)
	}
	return req
}

// notAnswered settles a call that ended before any answer.
func (r *runner) notAnswered(a *attempt, w *legWatch, pc *pacing) {
	r.releaseAgent(a, "not answered")
	h, at := w.ended(r.o.Clock.Now())
	class := hangupClass(h)
	out := OutcomeFailed
	if class == store.ResultNoAnswer || class == store.ResultCancelled {
		out = OutcomeNoAnswer
	}
	pc.ended(at, a, out)
	r.finish(a, r.hangupFinish(a, w, class))
}

// hangupClass is the dialer's class of a switch hangup.
func hangupClass(h *controller.Hangup) store.ResultClass {
	if h == nil {
		return store.ResultNetworkFailure
	}
	c := store.ResultClass(h.Result)
	if !c.Valid() {
		return store.ResultNetworkFailure
	}
	return c
}

// hangupFinish is the finish of a call from its switch record.
func (r *runner) hangupFinish(a *attempt, w *legWatch, class store.ResultClass) store.Finish {
	rec := w.leg.Record()
	now := r.o.Clock.Now()
	f := store.Finish{Claim: a.cl, CallUUID: a.uuid, Class: class, Cause: rec.HangupCause, SIPCode: rec.SIPCode,
		AnsweredAt: timePtr(rec.AnsweredAt), HungupAt: timePtr(rec.HungupAt), Now: now}
	if f.HungupAt == nil {
		f.HungupAt = &now
	}
	if rec.Machine {
		f.AMD = store.AMDMachine
	}
	return f
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// answered handles an answered call by mode: the verdict first (a machine
// is dropped or given a message), then the IVR for a broadcast, else an
// agent.
func (r *runner) answered(ctx context.Context, a *attempt, w *legWatch, at time.Time, pc *pacing) {
	pc.answered(at, a)
	if r.verdict(ctx, w) == controller.AMDMachine {
		pc.machine(r.o.Clock.Now(), a)
		r.releaseAgent(a, "answering machine")
		r.machine(ctx, a, w)
		return
	}
	if a.p.camp.DialMode == store.DialBroadcast {
		r.ivrCall(ctx, a, w)
		return
	}
	r.connect(ctx, a, w, at, pc)
}

// verdict is the answering-machine verdict: the one already known, else
// the one arriving within AMDWait; none means a person.
func (r *runner) verdict(ctx context.Context, w *legWatch) controller.AMDVerdict {
	select {
	case v := <-w.amd:
		return v
	default:
	}
	if r.o.AMDWait <= 0 {
		return controller.AMDHuman
	}
	t := r.o.Clock.NewTimer(r.o.AMDWait)
	defer t.Stop()
	select {
	case v := <-w.amd:
		return v
	case <-t.C():
	case <-w.gone:
	case <-ctx.Done():
	}
	return controller.AMDHuman
}

// listenForBeep starts mod_avmd on a call already up (avmd <uuid> start),
// after mod_amd's verdict or the switch's own, to hear the end of the
// greeting. Not as the channel's next application: the IVR's notice holds
// the channel's queue until it ends, and the beep would come and go first.
func (r *runner) listenForBeep(ctx context.Context, w *legWatch) {
	if err := r.o.Switch.StartBeepDetection(ctx, w.leg.UUID()); err != nil {
		r.log.Warn("dialer: start beep detection", "call_uuid", w.leg.UUID(), "err", err)
	}
}

// afterBeep waits for the beep that ends a machine's greeting, so a message
// is left on the recording and not over the greeting: at once when the
// verdict was the beep, else with avmd started for it (mod_amd judges the
// greeting's words, before its end), at most BeepWait. It reports whether
// the call is still up: a machine that hung up first gets no message.
func (r *runner) afterBeep(ctx context.Context, w *legWatch) bool {
	select {
	case <-w.beep:
		return true
	default:
	}
	if r.o.AMD != AMDAVMD {
		r.listenForBeep(ctx, w)
	}
	t := r.o.Clock.NewTimer(r.o.BeepWait)
	defer t.Stop()
	select {
	case <-w.beep:
		return true
	case <-t.C():
		r.log.Debug("dialer: no beep after the machine's greeting; leaving the message now", "call_uuid", w.leg.UUID())
		return true
	case <-w.gone:
	case <-ctx.Done():
	}
	return false
}

// machine leaves the campaign's machine message after the beep
// (machine_action message) or none (drop) and hangs up.
func (r *runner) machine(ctx context.Context, a *attempt, w *legWatch) {
	if camp := a.p.camp; camp.MachineAction == store.MachineLeaveMessage && camp.MachineMessage != "" {
		if r.afterBeep(ctx, w) {
			r.play(ctx, w, camp.MachineMessage, "")
		}
	}
	r.hangup(ctx, w)
	f := r.hangupFinish(a, w, store.ResultMachine)
	f.AMD = store.AMDMachine
	r.finish(a, f)
}

// play broadcasts a file to the customer and waits for it to end (or the
// hangup); it reports whether optOut was keyed meanwhile.
func (r *runner) play(ctx context.Context, w *legWatch, path, optOut string) bool {
	if err := r.o.Switch.Broadcast(ctx, w.leg.UUID(), path, controller.BroadcastALeg); err != nil {
		r.log.Warn("dialer: play message", "call_uuid", w.leg.UUID(), "err", err)
		return false
	}
	t := r.o.Clock.NewTimer(2 * time.Minute)
	defer t.Stop()
	for {
		select {
		case d := <-w.dtmf:
			if optOut != "" && d == optOut {
				return true
			}
		case <-w.played:
			return false
		case <-w.gone:
			return false
		case <-t.C():
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// hangup ends the customer leg and waits for its end.
func (r *runner) hangup(ctx context.Context, w *legWatch) {
	select {
	case <-w.gone:
		return
	default:
	}
	if err := r.o.Switch.Hangup(ctx, w.leg.UUID(), "NORMAL_CLEARING"); err != nil {
		r.log.Debug("dialer: hang up", "call_uuid", w.leg.UUID(), "err", err)
	}
	w.waitGone(ctx, r, 30*time.Second)
}

// ivrCall waits for a broadcast call to end and for the IVR's result, and
// finishes the attempt as answered with the flow's outcome.
func (r *runner) ivrCall(ctx context.Context, a *attempt, w *legWatch) {
	var results <-chan ivrOutcome
	if r.o.IVR != nil {
		results = r.o.IVR.expect(a.uuid)
		defer r.o.IVR.forget(a.uuid)
	}
	if r.o.IVRAddr == "" { // no socket on the originate: send the leg to the flow's extension
		err := r.o.Switch.Transfer(ctx, controller.TransferRequest{UUID: a.uuid, Dest: "ivr_" + a.p.camp.IVRFlow, Context: "ivr"})
		if err != nil {
			r.log.Warn("dialer: hand the call to the IVR", "call_uuid", a.uuid, "err", err)
			r.hangup(ctx, w)
		}
	}
	var early *ivrOutcome // a result before the hangup: a listener queued for an agent goes on (ivr_agent.go)
wait:
	for {
		select {
		case res := <-results:
			if res.outcome == string(ivr.OutcomeQueued) && r.ivrToAgent(ctx, a, w, res) {
				return
			}
			early = &res
			break wait
		case v := <-w.amd:
			if v == controller.AMDMachine { // a late verdict: the IVR was talking to a machine
				r.lateMachine(ctx, a, w)
				return
			}
		case <-w.gone:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	w.waitGone(ctx, r, 2*time.Hour)
	f := r.hangupFinish(a, w, store.ResultAnswered)
	if early != nil {
		f.Disposition = cut(early.disposition(), 64)
	} else if results != nil {
		t := r.o.Clock.NewTimer(10 * time.Second)
		select {
		case res := <-results:
			f.Disposition = cut(res.disposition(), 64)
		case <-t.C():
		case <-ctx.Done():
		}
		t.Stop()
	}
	r.finish(a, f)
}

// lateMachine acts on a machine verdict that came after the answer, while
// the IVR runs the call: machine_action drop hangs up; message waits for
// the beep and moves the call out of the IVR to the message and a hangup
// (uuid_transfer to an inline dialplan ends the socket application). The
// attempt is a machine's, whatever the IVR reports.
func (r *runner) lateMachine(ctx context.Context, a *attempt, w *legWatch) {
	camp := a.p.camp
	r.log.Debug("dialer: answering machine after the answer", "call_uuid", a.uuid, "action", camp.MachineAction)
	if camp.MachineAction == store.MachineLeaveMessage && camp.MachineMessage != "" && r.afterBeep(ctx, w) {
		err := r.o.Switch.Transfer(ctx, controller.TransferRequest{UUID: a.uuid, Dialplan: "inline",
			Dest: "playback:" + camp.MachineMessage + ",hangup:NORMAL_CLEARING"})
		if err == nil {
			w.waitGone(ctx, r, 5*time.Minute)
		} else {
			r.log.Warn("dialer: leave the machine message", "call_uuid", a.uuid, "err", err)
		}
	}
	r.hangup(ctx, w)
	f := r.hangupFinish(a, w, store.ResultMachine)
	f.AMD = store.AMDMachine
	r.finish(a, f)
}
