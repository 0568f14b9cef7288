package esltest

import (
	"strings"
	"time"
)

// appBridge dials the dial string and bridges the result to the channel.
func appBridge(w *world, ch *channel, r *appRun) {
	global, legs := parseDialString(r.call.arg)
	req := &dialRequest{global: global, legs: legs, aLeg: ch, timeout: 60 * time.Second}
	req.done = func(b *channel, cause string) {
		if ch.app != r || !ch.isUp() {
			if b != nil {
				w.hangup(b, "ORIGINATOR_CANCEL", "send_cancel")
			}
			return
		}
		if b == nil {
			ch.vars.set("originate_disposition", cause)
			ch.vars.set("DIALSTATUS", dialStatus(cause))
			w.done(ch, r, "")
			return
		}
		b.ready = true
		w.answer(ch)
		w.bridge(ch, b)
	}
	w.dial(req)
}

// dialStatus maps a failure cause to DIALSTATUS.
func dialStatus(cause string) string {
	switch cause {
	case "USER_BUSY":
		return "BUSY"
	case "NO_ANSWER", "NO_USER_RESPONSE":
		return "NOANSWER"
	case "ORIGINATOR_CANCEL":
		return "CANCEL"
	}
	return cause
}

// eavesdropModes maps DTMF during eavesdrop to the mode it selects.
var eavesdropModes = map[string]string{"0": "listen", "1": "whisper_aleg", "2": "whisper", "3": "barge"}

// appEavesdrop listens to (three_way: joins) another channel until either
// side leaves; DTMF 0-3 switch modes and * ends it (doc 4).
func appEavesdrop(w *world, ch *channel, r *appRun) {
	target := w.channels[strings.TrimSpace(r.call.arg)]
	if target == nil || target == ch {
		w.done(ch, r, "")
		return
	}
	w.answer(ch)
	switch {
	case r.call.name == "three_way":
		ch.eavesdrop = "barge"
	case ch.vars.get("eavesdrop_whisper_aleg") == "true":
		ch.eavesdrop = "whisper_aleg"
	case ch.vars.get("eavesdrop_whisper_bleg") == "true":
		ch.eavesdrop = "whisper"
	default:
		ch.eavesdrop = "listen"
	}
	ch.vars.set("eavesdrop_target", target.uuid)
	end := func() {
		ch.eavesdrop = ""
		w.done(ch, r, "")
	}
	r.onDTMF = func(d string) {
		if d == "*" {
			end()
			return
		}
		if m, ok := eavesdropModes[d]; ok && ch.vars.get("eavesdrop_enable_dtmf") != "false" {
			ch.eavesdrop = m
		}
	}
	target.onHangup = append(target.onHangup, func() {
		if ch.app == r {
			end()
		}
	})
}

// appConference joins a named conference until the member leaves.
func appConference(w *world, ch *channel, r *appRun) {
	name, _, _ := strings.Cut(r.call.arg, "@")
	name, _, _ = strings.Cut(name, "+")
	w.answer(ch)
	w.confs[name] = append(w.confs[name], ch)
	ch.vars.set("conference_name", name)
}

// leaveConference drops a hanging-up member.
func (w *world) leaveConference(ch *channel) {
	name := ch.vars.get("conference_name")
	members := w.confs[name]
	for i, m := range members {
		if m == ch {
			w.confs[name] = append(members[:i], members[i+1:]...)
		}
	}
	if len(w.confs[name]) == 0 {
		delete(w.confs, name)
	}
}

// appTransfer: <exten> [<dialplan> <context>], optionally -bleg/-both first.
// The transfer itself ends the running app (this one) and routes the
// channel on; completing first would end the dialplan and hang up.
func appTransfer(w *world, ch *channel, r *appRun) {
	argv := strings.Fields(r.call.arg)
	if !w.transferCmd(ch, argv) || argv[0] == "-bleg" {
		w.done(ch, r, "")
	}
}

// transferCmd runs uuid_transfer / transfer arguments against ch.
func (w *world) transferCmd(ch *channel, argv []string) bool {
	legs := []*channel{ch}
	if len(argv) > 0 && (argv[0] == "-bleg" || argv[0] == "-both") {
		if ch.bridged == nil && argv[0] == "-bleg" {
			return false
		}
		if argv[0] == "-bleg" {
			legs = []*channel{ch.bridged}
		} else if ch.bridged != nil {
			legs = append(legs, ch.bridged)
		}
		argv = argv[1:]
	}
	if len(argv) == 0 {
		return false
	}
	dialplan := ""
	if len(argv) > 1 {
		dialplan = argv[1]
	}
	for _, leg := range legs {
		// with -both the partner is moved too, so it must not hang up
		// as a bridge survivor would.
		w.transfer(leg, argv[0], dialplan, len(legs) == 2)
	}
	return true
}

// transfer moves a channel to a new extension: it leaves its bridge and
// park loop, then runs the extension's applications.
func (w *world) transfer(ch *channel, dest, dialplan string, keepPeer bool) {
	if !ch.isUp() {
		return
	}
	ch.transferred = time.Now()
	ch.prof.transferSource = "uuid_transfer"
	ch.prof.index++
	peer := ch.bridged
	w.breakBridge(ch)
	if ch.app != nil {
		w.finishApp(ch, ch.app.call, "_none_")
	}
	w.unpark(ch)
	ch.queue = nil
	if peer != nil && peer.isUp() && peer.app == nil && !keepPeer {
		// the partner of a moved leg ends like after any bridge.
		w.afterBridge(peer)
	}
	w.routeTo(ch, dest, dialplan)
}

// routeTo sends a channel through the simulated dialplan: "inline" takes
// apps from dest, otherwise the scenario's extension table is used.
func (w *world) routeTo(ch *channel, dest, dialplan string) {
	ch.ready = true
	ch.hitDialplan = true
	var calls []appCall
	if dialplan == "inline" {
		calls = parseInline(dest)
	} else if inline, ok := w.scen.sc.Dialplan[dest]; ok {
		calls = parseInline(inline)
	} else if u := w.scen.users[dest]; u != nil {
		calls = []appCall{{name: "bridge", arg: "user/" + dest}}
	} else {
		w.hangup(ch, "NO_ROUTE_DESTINATION", "send_refuse")
		return
	}
	ch.prof.dest = dest
	ch.dialplan = calls
	w.setState(ch, csExecute)
	w.next(ch)
}
