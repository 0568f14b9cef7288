package esltest

import (
	"strconv"
	"strings"
	"time"
)

var callStateNumbers = map[string]int{"DOWN": 0, "DIALING": 1, "RINGING": 2, "EARLY": 3, "ACTIVE": 4,
	"HELD": 5, "RING_WAIT": 6, "HANGUP": 7, "UNHELD": 8}

// newChannel registers a channel in CS_NEW; the caller fires the state
// events and CHANNEL_CREATE once its variables are in place (start).
func (w *world) newChannel(id, name, direction string, prof profile) *channel {
	ch := &channel{uuid: id, name: name, direction: direction, state: csNew, callState: "DOWN",
		answerState: "ringing", prof: prof, created: time.Now()}
	ch.prof.channelName = name
	ch.vars.set("direction", direction)
	if direction == "outbound" {
		ch.vars.set("is_outbound", "true")
	}
	ch.vars.set("uuid", id)
	w.sessionsSinceStart++
	ch.vars.set("session_id", strconv.Itoa(w.sessionsSinceStart))
	ch.vars.set("channel_name", name)
	w.channels[id] = ch
	w.peak = max(w.peak, len(w.channels))
	return ch
}

// announceNew fires CHANNEL_STATE for CS_NEW. Only an inbound channel's
// thread starts in CS_NEW (an outbound endpoint sets CS_INIT before the
// thread runs), and its caller profile is not set yet, so the event has
// the channel headers alone (captured frame, switch_channel.c).
func (w *world) announceNew(ch *channel) {
	e := w.newEventCap("CHANNEL_STATE", 24)
	addChannelHeaders(e, ch)
	w.fire(e)
}

// start moves a new channel to CS_INIT and fires CHANNEL_CREATE, as the
// session thread's first state does.
func (w *world) start(ch *channel) {
	w.setState(ch, csInit)
	w.emit("CHANNEL_CREATE", ch)
}

// setState changes the running state and fires CHANNEL_STATE.
func (w *world) setState(ch *channel, st int) {
	if ch.state == st {
		return
	}
	ch.state = st
	w.emit("CHANNEL_STATE", ch)
}

// setCallState changes the call state and fires CHANNEL_CALLSTATE.
func (w *world) setCallState(ch *channel, cs string) {
	old := ch.callState
	if old == cs {
		return
	}
	ch.callState = cs
	pre := []header{{"Original-Channel-Call-State", old},
		{"Channel-Call-State-Number", strconv.Itoa(callStateNumbers[cs])}}
	w.fire(w.channelEvent("CHANNEL_CALLSTATE", ch, pre, nil))
}

// ring marks 180 Ringing.
func (w *world) ring(ch *channel) {
	if !ch.isUp() || !ch.progress.IsZero() {
		return
	}
	ch.progress = time.Now()
	w.setState(ch, csConsumeMedia)
	w.emit("CHANNEL_PROGRESS", ch)
	w.setCallState(ch, "RINGING")
}

// preAnswer marks 183 with SDP (early media).
func (w *world) preAnswer(ch *channel) {
	if !ch.isUp() || !ch.progressMedia.IsZero() || ch.isAnswered() {
		return
	}
	ch.progressMedia = time.Now()
	ch.media = true
	ch.answerState = "early"
	ch.vars.set("endpoint_disposition", "EARLY MEDIA")
	w.emit("CHANNEL_PROGRESS_MEDIA", ch)
	w.setCallState(ch, "EARLY")
}

// answer marks the channel answered; CHANNEL_ANSWER still shows the old
// call state and ACTIVE follows (captured frames).
func (w *world) answer(ch *channel) {
	if !ch.isUp() || ch.isAnswered() {
		return
	}
	ch.answered = time.Now()
	ch.media = true
	ch.answerState = "answered"
	ch.vars.set("endpoint_disposition", "ANSWER")
	w.emit("CHANNEL_ANSWER", ch)
	w.setCallState(ch, "ACTIVE")
	w.executeOn(ch, "execute_on_answer")
	cbs := ch.onAnswer
	ch.onAnswer = nil
	for _, fn := range cbs {
		fn()
	}
}

// hangup ends a channel with FreeSWITCH's event sequence: HANGUP, the
// running app's EXECUTE_COMPLETE, UNBRIDGE, UNPARK, HANGUP_COMPLETE, DESTROY.
// disposition is sip_hangup_disposition (recv_bye, send_bye, ...).
func (w *world) hangup(ch *channel, cause, disposition string) {
	if !ch.isUp() || w.channels[ch.uuid] != ch {
		return
	}
	for _, t := range ch.timers {
		t.Stop()
	}
	ch.timers = nil
	ch.cause = cause
	ch.hungup = time.Now()
	ch.answerState = "hangup"
	w.setHangupVars(ch, cause, disposition)
	w.lingerNotices(ch)
	w.emit("CHANNEL_HANGUP", ch)
	w.setCallState(ch, "HANGUP")
	ch.state = csHangup
	w.stopRecording(ch, "")
	if ch.app != nil {
		w.finishApp(ch, ch.app.call, w.appResponse(ch))
	}
	w.leaveBridge(ch)
	if ch.parked {
		w.unpark(ch)
	}
	w.leaveConference(ch)
	w.emit("CHANNEL_STATE", ch)
	w.endBound(ch)
	cbs := ch.onHangup
	ch.onHangup = nil
	for _, fn := range cbs {
		fn()
	}
	w.reportAndDestroy(ch)
}

func (w *world) reportAndDestroy(ch *channel) {
	w.setBillingVars(ch)
	ch.state = csReporting
	w.emit("CHANNEL_STATE", ch)
	pre := []header{{"Hangup-Cause", ch.cause}}
	w.fire(w.channelEvent("CHANNEL_HANGUP_COMPLETE", ch, pre, nil))
	ch.state = csDestroy
	w.emit("CHANNEL_DESTROY", ch)
	w.s.logCall(CallRecord{UUID: ch.uuid, Name: ch.name, Direction: ch.direction, Destination: ch.prof.dest,
		Answered: ch.isAnswered(), Cause: ch.cause, Created: ch.created})
	delete(w.channels, ch.uuid)
	w.releaseGateway(ch)
}

func (w *world) setHangupVars(ch *channel, cause, disposition string) {
	ch.vars.set("hangup_cause", cause)
	ch.vars.set("hangup_cause_q850", strconv.Itoa(q850(cause)))
	if disposition != "" {
		ch.vars.set("sip_hangup_disposition", disposition)
	}
	if code := sipStatus(cause); code != "" && ch.vars.get("sip_term_status") == "" {
		ch.vars.set("sip_term_status", code)
		ch.vars.set("sip_term_cause", strconv.Itoa(q850(cause)))
	}
}

// setBillingVars adds the CDR variables FreeSWITCH computes at reporting time.
func (w *world) setBillingVars(ch *channel) {
	epoch := func(name string, t time.Time) {
		s, u := "0", "0"
		if !t.IsZero() {
			s, u = strconv.FormatInt(t.Unix(), 10), strconv.FormatInt(t.UnixMicro(), 10)
		}
		ch.vars.set(name+"_epoch", s)
		ch.vars.set(name+"_uepoch", u)
	}
	epoch("start", ch.created)
	epoch("answer", ch.answered)
	epoch("progress", ch.progress)
	epoch("progress_media", ch.progressMedia)
	epoch("end", ch.hungup)
	secs := func(from, to time.Time) string {
		if from.IsZero() || to.IsZero() {
			return "0"
		}
		return strconv.FormatInt(int64(to.Sub(from).Seconds()), 10)
	}
	ch.vars.set("duration", secs(ch.created, ch.hungup))
	ch.vars.set("billsec", secs(ch.answered, ch.hungup))
	ch.vars.set("progresssec", secs(ch.created, ch.progress))
	ch.vars.set("answersec", secs(ch.created, ch.answered))
	ch.vars.set("progress_mediasec", secs(ch.created, ch.progressMedia))
	ch.vars.set("billmsec", strconv.FormatInt(msBetween(ch.answered, ch.hungup), 10))
}

func msBetween(from, to time.Time) int64 {
	if from.IsZero() {
		return 0
	}
	return to.Sub(from).Milliseconds()
}

// bridge joins a (the A-leg, which gets CHANNEL_BRIDGE) and b.
func (w *world) bridge(a, b *channel) {
	now := time.Now()
	a.bridged, b.bridged = b, a
	a.other, a.otherType = b, "originatee"
	b.other, b.otherType = a, "originator"
	a.bridgedAt, b.bridgedAt = now, now
	a.vars.set("bridge_uuid", b.uuid)
	b.vars.set("bridge_uuid", a.uuid)
	a.vars.set("signal_bond", b.uuid)
	b.vars.set("signal_bond", a.uuid)
	a.vars.set("last_bridge_to", b.uuid)
	a.bridgeA, b.bridgeA = true, false
	pre := []header{{"Bridge-A-Unique-ID", a.uuid}, {"Bridge-B-Unique-ID", b.uuid}}
	w.fire(w.channelEvent("CHANNEL_BRIDGE", a, pre, nil))
}

// leaveBridge ends ch's bridge because ch is going away: UNBRIDGE on the
// A-leg, then the partner hangs up, parks or carries on (doc 4, bridge).
func (w *world) leaveBridge(ch *channel) {
	peer := w.unbridge(ch)
	if peer == nil || !peer.isUp() {
		return
	}
	peer.vars.set("bridge_hangup_cause", ch.cause)
	if peer.app != nil && peer.app.call.name == "bridge" {
		w.finishApp(peer, peer.app.call, "_none_")
	}
	w.afterBridge(peer)
}

// unbridge separates ch from its partner and fires CHANNEL_UNBRIDGE on the
// A-leg; it returns the partner (nil when ch was not bridged).
func (w *world) unbridge(ch *channel) *channel {
	peer := ch.bridged
	if peer == nil {
		return nil
	}
	a, b := ch, peer
	if !ch.bridgeA {
		a, b = peer, ch
	}
	ch.bridged, peer.bridged = nil, nil
	pre := []header{{"Bridge-A-Unique-ID", a.uuid}, {"Bridge-B-Unique-ID", b.uuid}}
	w.fire(w.channelEvent("CHANNEL_UNBRIDGE", a, pre, nil))
	return peer
}

// afterBridge decides the survivor's fate: park_after_bridge parks it,
// hangup_after_bridge=false lets it carry on, otherwise it hangs up.
func (w *world) afterBridge(ch *channel) {
	switch {
	case ch.vars.get("park_after_bridge") == "true":
		w.park(ch, appCall{name: "park"})
	case ch.vars.get("hangup_after_bridge") == "false":
		w.next(ch)
	default:
		w.hangup(ch, "NORMAL_CLEARING", "send_bye")
	}
}

// breakBridge separates two legs without hanging up (transfer of one leg).
func (w *world) breakBridge(ch *channel) {
	peer := w.unbridge(ch)
	if peer == nil {
		return
	}
	for _, leg := range []*channel{ch, peer} {
		if leg.app != nil && leg.app.call.name == "bridge" {
			leg.app.cancel()
			w.finishApp(leg, leg.app.call, "_none_")
		}
	}
}

// park puts the channel in the park loop (CHANNEL_EXECUTE park, CHANNEL_PARK);
// queued messages are then run at once.
func (w *world) park(ch *channel, call appCall) {
	if ch.parked || !ch.isUp() {
		w.next(ch)
		return
	}
	w.executeEvent(ch, call)
	ch.parked = true
	ch.parkCall = call
	ch.vars.set("current_application", "park")
	w.setState(ch, csExecute)
	w.emit("CHANNEL_PARK", ch)
	w.next(ch)
}

// unpark leaves the park loop: CHANNEL_UNPARK and park's EXECUTE_COMPLETE.
func (w *world) unpark(ch *channel) {
	if !ch.parked {
		return
	}
	ch.parked = false
	w.emit("CHANNEL_UNPARK", ch)
	w.completeEvent(ch, ch.parkCall, "_none_")
}

// hold toggles CHANNEL_HOLD/UNHOLD.
func (w *world) hold(ch *channel, on bool) {
	if ch.held == on {
		return
	}
	ch.held = on
	if on {
		ch.lastHold = time.Now()
		w.emit("CHANNEL_HOLD", ch)
		w.setCallState(ch, "HELD")
		return
	}
	ch.holdAccum += time.Since(ch.lastHold)
	w.emit("CHANNEL_UNHOLD", ch)
	w.setCallState(ch, "ACTIVE")
}

// executeOn runs a channel's execute_on_<when> hook as FreeSWITCH's
// switch_channel_execute_on_value does: "app arg" runs at once where the
// hook fires (an application that takes time, mod_amd's amd, holds the
// originate's own application until it returns), "app::arg" is queued as
// the channel's next application.
func (w *world) executeOn(ch *channel, name string) {
	v := ch.vars.get(name)
	if v == "" {
		return
	}
	if app, arg, ok := strings.Cut(v, "::"); ok && !strings.ContainsAny(app, " :") {
		w.enqueue(ch, appCall{name: app, arg: arg})
		return
	}
	app, arg, _ := strings.Cut(v, " ")
	if ch.app != nil { // an application runs: the hook's goes first in line
		ch.queue = append([]appCall{{name: app, arg: arg}}, ch.queue...)
		return
	}
	w.exec(ch, appCall{name: app, arg: arg})
}
