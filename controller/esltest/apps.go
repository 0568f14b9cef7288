package esltest

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// appCall is one application to run: from sendmsg, &app(), the scenario
// dialplan or an inline transfer.
type appCall struct {
	name, arg            string
	appUUID, appUUIDName string
	// done, if set, runs when the app completes (a static outbound
	// socket's sendmsg replies only then).
	done func()
}

// appRun is the application a channel is running now.
type appRun struct {
	call    appCall
	stop    []func()
	onDTMF  func(digit string)
	onBreak func()
}

func (r *appRun) cancel() {
	for _, fn := range r.stop {
		fn()
	}
	r.stop = nil
}

// appFunc starts an application; it must eventually call w.done(ch, run,
// response) unless the channel hangs up first.
type appFunc func(w *world, ch *channel, run *appRun)

var apps map[string]appFunc

func init() {
	apps = map[string]appFunc{
		"answer":              func(w *world, ch *channel, r *appRun) { w.answer(ch); w.done(ch, r, "") },
		"pre_answer":          func(w *world, ch *channel, r *appRun) { w.preAnswer(ch); w.done(ch, r, "") },
		"ring_ready":          func(w *world, ch *channel, r *appRun) { w.ring(ch); w.done(ch, r, "") },
		"hangup":              appHangup,
		"set":                 appSet,
		"export":              appSet,
		"multiset":            appMultiset,
		"unset":               func(w *world, ch *channel, r *appRun) { ch.vars.unset(r.call.arg); w.done(ch, r, "") },
		"sleep":               appSleep,
		"playback":            appPlayback,
		"speak":               appPlayback,
		"say":                 appPlayback,
		"phrase":              appPlayback,
		"endless_playback":    appPlayback,
		"wait_for_silence":    appSleepFixed(time.Second),
		"displace_session":    func(w *world, ch *channel, r *appRun) { w.done(ch, r, "") },
		"play_and_get_digits": appPlayAndGetDigits,
		"read":                appRead,
		"record_session":      appRecordSession,
		"stop_record_session": appStopRecordSession,
		"record":              appRecord,
		"bridge":              appBridge,
		"eavesdrop":           appEavesdrop,
		"three_way":           appEavesdrop,
		"conference":          appConference,
		"voicemail":           appVoicemail,
		"txfax":               appFax,
		"rxfax":               appFax,
		"transfer":            appTransfer,
		"socket":              appSocket,
		"avmd_start":          appAvmd,
		"avmd_stop":           func(w *world, ch *channel, r *appRun) { w.done(ch, r, "") },
		"amd":                 appAMD,
		"mod_amd":             appAMD,
		"sched_hangup":        appSchedHangup,
	}
}

// enqueue adds a sendmsg execute to the channel's queue and runs it when
// the channel is free (parked or idle), as the channel thread would.
func (w *world) enqueue(ch *channel, call appCall) {
	ch.queue = append(ch.queue, call)
	w.next(ch)
}

// next runs the next queued message or dialplan app; with nothing left an
// unparked channel hangs up, as the end of the dialplan does.
func (w *world) next(ch *channel) {
	if !ch.isUp() || !ch.ready || ch.app != nil || w.channels[ch.uuid] != ch {
		return
	}
	switch {
	case len(ch.queue) > 0:
		call := ch.queue[0]
		ch.queue = ch.queue[1:]
		w.exec(ch, call)
	case len(ch.dialplan) > 0:
		call := ch.dialplan[0]
		ch.dialplan = ch.dialplan[1:]
		w.exec(ch, call)
	case ch.parked || ch.bridged != nil || ch.socketHeld:
	default:
		w.hangup(ch, "NORMAL_CLEARING", "send_bye")
	}
}

// exec starts one application with its CHANNEL_EXECUTE.
func (w *world) exec(ch *channel, call appCall) {
	if call.appUUID == "" {
		call.appUUID = uuid.NewString()
	}
	if call.name == "park" {
		w.park(ch, call)
		return
	}
	fn, ok := apps[call.name]
	if !ok {
		w.s.log.Warn("esltest: invalid application", "app", call.name, "call_uuid", ch.uuid)
		if call.done != nil {
			call.done()
		}
		w.next(ch)
		return
	}
	run := &appRun{call: call}
	ch.app = run
	w.executeEvent(ch, call)
	fn(w, ch, run)
}

func (w *world) executeEvent(ch *channel, call appCall) {
	if call.appUUID == "" {
		call.appUUID = uuid.NewString()
	}
	ch.vars.set("current_application", call.name)
	ch.vars.set("current_application_data", call.arg)
	w.emit("CHANNEL_EXECUTE", ch, header{"Application", call.name}, header{"Application-Data", call.arg},
		header{"Application-UUID", call.appUUID}, header{"Application-UUID-Name", call.appUUIDName})
}

func (w *world) completeEvent(ch *channel, call appCall, resp string) {
	if resp == "" {
		resp = "_none_"
	}
	ch.vars.set("current_application_response", resp)
	w.emit("CHANNEL_EXECUTE_COMPLETE", ch, header{"Application", call.name},
		header{"Application-Data", call.arg}, header{"Application-Response", resp},
		header{"Application-UUID", call.appUUID}, header{"Application-UUID-Name", call.appUUIDName})
}

// finishApp ends the running app with its EXECUTE_COMPLETE, without moving on.
func (w *world) finishApp(ch *channel, call appCall, resp string) {
	if ch.app != nil {
		ch.app.cancel()
	}
	ch.app = nil
	w.completeEvent(ch, call, resp)
	if call.done != nil {
		call.done()
	}
}

// done is how an app reports completion; stale reports are ignored.
func (w *world) done(ch *channel, run *appRun, resp string) {
	if ch.app != run || w.channels[ch.uuid] != ch {
		return
	}
	w.finishApp(ch, run.call, resp)
	if ch.isUp() {
		w.next(ch)
	}
}

// appResponse is what an app interrupted by hangup reports.
func (w *world) appResponse(ch *channel) string {
	if ch.app != nil && ch.app.call.name == "playback" {
		return "FILE PLAYED"
	}
	return "_none_"
}

// later schedules fn for the running app; the timer dies with the app.
func (w *world) later(ch *channel, run *appRun, d time.Duration, fn func()) {
	t := w.schedule(d, func() {
		if ch.app == run && w.channels[ch.uuid] == ch {
			fn()
		}
	})
	run.stop = append(run.stop, t.Stop)
}

func appHangup(w *world, ch *channel, r *appRun) {
	w.done(ch, r, "")
	w.hangup(ch, causeName(r.call.arg), "send_bye")
}

func appSet(w *world, ch *channel, r *appRun) {
	arg := strings.TrimPrefix(r.call.arg, "nolocal:")
	name, value, _ := strings.Cut(arg, "=")
	if !strings.HasPrefix(r.call.arg, "nolocal:") {
		ch.vars.set(name, value)
	}
	if r.call.name == "export" {
		ch.exported = append(ch.exported, header{name, value})
	}
	w.done(ch, r, "")
}

func appMultiset(w *world, ch *channel, r *appRun) {
	arg, sep := r.call.arg, " "
	if strings.HasPrefix(arg, "^^") && len(arg) > 2 {
		sep, arg = arg[2:3], arg[3:]
	}
	for _, kv := range strings.Split(arg, sep) {
		if name, value, ok := strings.Cut(kv, "="); ok {
			ch.vars.set(name, value)
		}
	}
	w.done(ch, r, "")
}

func appSleep(w *world, ch *channel, r *appRun) {
	ms, _ := strconv.Atoi(strings.TrimSpace(r.call.arg))
	w.later(ch, r, time.Duration(ms)*time.Millisecond, func() { w.done(ch, r, "") })
}

func appSleepFixed(d time.Duration) appFunc {
	return func(w *world, ch *channel, r *appRun) {
		w.later(ch, r, d, func() { w.done(ch, r, "") })
	}
}

func appSchedHangup(w *world, ch *channel, r *appRun) {
	fields := strings.Fields(r.call.arg)
	if len(fields) > 0 {
		secs, _ := strconv.Atoi(strings.TrimPrefix(fields[0], "+"))
		cause := "ALLOTTED_TIMEOUT"
		if len(fields) > 1 {
			cause = causeName(fields[1])
		}
		w.after(ch, time.Duration(secs)*time.Second, func() { w.hangup(ch, cause, "send_bye") })
	}
	w.done(ch, r, "")
}

// parseInline parses an inline dialplan "app:arg,app2:arg" (with the
// optional "m:<sep>:" prefix that changes the separator).
func parseInline(s string) []appCall {
	sep := ","
	if strings.HasPrefix(s, "m:") && len(s) > 3 && s[3] == ':' {
		sep, s = s[2:3], s[4:]
	}
	var calls []appCall
	for _, part := range strings.Split(s, sep) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, arg, _ := strings.Cut(part, ":")
		calls = append(calls, appCall{name: name, arg: arg})
	}
	return calls
}
