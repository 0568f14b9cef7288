package esltest

import (
	"strconv"
	"strings"

	"github.com/google/uuid"
)

func noChannel() string { return "-ERR No such channel!\n" }

func apiKill(w *world, args string) string {
	f := strings.Fields(args)
	if len(f) == 0 || w.channels[f[0]] == nil {
		return noChannel()
	}
	cause := "NORMAL_CLEARING"
	if len(f) > 1 {
		cause = causeName(f[1])
	}
	w.hangup(w.channels[f[0]], cause, "send_bye")
	return "+OK\n"
}

func apiAnswer(w *world, args string) string {
	ch := w.channels[strings.TrimSpace(args)]
	if ch == nil {
		return "-ERROR\n"
	}
	w.answer(ch)
	return "+OK\n"
}

// apiPhoneEvent: <uuid> <event>. A simulated SIP phone answers a ringing
// call on talk (the NOTIFY mod_sofia sends) and ignores the rest; like
// mod_commands it answers -ERR Operation Failed for an unknown channel.
func apiPhoneEvent(w *world, args string) string {
	f := strings.Fields(args)
	if len(f) < 1 {
		return "-USAGE: <uuid>\n"
	}
	ch := w.channels[f[0]]
	if ch == nil {
		return "-ERR Operation Failed\n"
	}
	if len(f) > 1 && f[1] == "talk" && ch.isUp() && ch.answered.IsZero() {
		w.answer(ch)
	}
	return "+OK Success\n"
}

func apiPark(w *world, args string) string {
	ch := w.channels[strings.TrimSpace(args)]
	if ch == nil {
		return noChannel()
	}
	w.breakBridge(ch)
	if ch.app != nil {
		w.finishApp(ch, ch.app.call, "_none_")
	}
	ch.ready = true
	w.park(ch, appCall{name: "park"})
	return "+OK\n"
}

func apiBridge(w *world, args string) string {
	f := strings.Fields(args)
	if len(f) < 2 {
		return "-USAGE: <uuid> <other_uuid>\n"
	}
	a, b := w.channels[f[0]], w.channels[f[1]]
	if a == nil || b == nil || a == b {
		return "-ERR Invalid uuid\n"
	}
	for _, leg := range []*channel{a, b} {
		w.breakBridge(leg)
		if leg.app != nil {
			w.finishApp(leg, leg.app.call, "_none_")
		}
		w.unpark(leg)
		leg.ready = true
	}
	w.answer(a)
	w.answer(b)
	w.bridge(a, b)
	return "+OK " + b.uuid + "\n"
}

func apiTransfer(w *world, args string) string {
	argv := splitArgs(args)
	if len(argv) < 2 {
		return "-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n"
	}
	ch := w.channels[argv[0]]
	if ch == nil {
		return noChannel()
	}
	if !w.transferCmd(ch, argv[1:]) {
		return "-ERR\n"
	}
	return "+OK\n"
}

func apiHold(w *world, args string) string {
	f := strings.Fields(args)
	mode := "on"
	if len(f) > 0 && (f[0] == "off" || f[0] == "toggle") {
		mode, f = f[0], f[1:]
	}
	if len(f) == 0 || w.channels[f[0]] == nil || !w.channels[f[0]].isAnswered() {
		return "-ERR Operation failed\n"
	}
	ch := w.channels[f[0]]
	switch mode {
	case "off":
		w.hold(ch, false)
	case "toggle":
		w.hold(ch, !ch.held)
	default:
		w.hold(ch, true)
	}
	return "+OK Success\n"
}

func apiRecord(w *world, args string) string {
	f := strings.Fields(args)
	if len(f) < 3 {
		return "-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n"
	}
	ch := w.channels[f[0]]
	if ch == nil {
		return "-ERR Cannot locate session!\n"
	}
	path := f[2]
	ok, failure := false, ""
	switch f[1] {
	case "start":
		limit := 0
		if len(f) > 3 {
			limit, _ = strconv.Atoi(f[3])
		}
		ok, failure = w.startRecording(ch, path, secondsDur(limit)), "-ERR Cannot record session!\n"
	case "stop":
		ok, failure = w.stopRecording(ch, path), "-ERR Cannot stop record session!\n"
	case "mask", "unmask", "pause", "resume":
		ok = w.maskRecording(ch, path, f[1] == "mask" || f[1] == "pause")
		failure = map[string]string{"mask": "-ERR Cannot mask recording session!\n",
			"unmask": "-ERR Cannot unmask recording session!\n", "pause": "-ERR Cannot pause recording session!\n",
			"resume": "-ERR Cannot resume recording session!\n"}[f[1]]
	default:
		return "-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n"
	}
	if !ok {
		return failure
	}
	return "+OK Success\n"
}

func apiBroadcast(w *world, args string) string {
	f := strings.Fields(args)
	if len(f) < 2 || w.channels[f[0]] == nil {
		return "-ERR invalid uuid\n"
	}
	ch := w.channels[f[0]]
	path, hangupCause, _ := strings.Cut(f[1], "!")
	call := appCall{name: "playback", arg: path}
	if app, arg, ok := strings.Cut(path, "::"); ok {
		call = appCall{name: app, arg: arg}
	}
	targets := []*channel{ch}
	if len(f) > 2 && f[2] == "bleg" && ch.bridged != nil {
		targets = []*channel{ch.bridged}
	} else if len(f) > 2 && f[2] == "both" && ch.bridged != nil {
		targets = append(targets, ch.bridged)
	}
	for _, t := range targets {
		if t.app != nil && t.app.call.name == "bridge" {
			// a bridged channel hears the broadcast while staying bridged.
			w.broadcastBridged(t, call)
			continue
		}
		w.enqueue(t, call)
		if hangupCause != "" {
			w.enqueue(t, appCall{name: "hangup", arg: hangupCause})
		}
	}
	return "+OK Message sent\n"
}

// broadcastBridged plays a file to a bridged leg: only execute events.
func (w *world) broadcastBridged(ch *channel, call appCall) {
	call.appUUID = uuid.NewString()
	w.executeEvent(ch, call)
	w.after(ch, playDuration(call.arg), func() { w.completeEvent(ch, call, "FILE PLAYED") })
}

// apiDisplace: uuid_displace <uuid> [start|stop] <path> [<limit_s>] [mux].
// The file is mixed into the channel's audio; no event marks it (the media
// bug events are not subscribed), so tests read ChannelInfo.Displace.
func apiDisplace(w *world, args string) string {
	const usage = "-USAGE: <uuid> [start|stop] <path> [<limit>] [mux]\n"
	f := strings.Fields(args)
	if len(f) < 3 {
		return usage
	}
	ch := w.channels[f[0]]
	if ch == nil {
		return "-ERR Cannot locate session!\n"
	}
	path := f[2]
	switch strings.ToLower(f[1]) {
	case "start":
		if !ch.media || ch.displace != "" {
			return "-ERR Cannot displace session!\n"
		}
		ch.displace = path
		if len(f) > 3 {
			if secs := atoi(f[3]); secs > 0 {
				w.after(ch, secondsDur(secs), func() {
					if ch.displace == path {
						ch.displace = ""
					}
				})
			}
		}
	case "stop":
		if ch.displace != path {
			return "-ERR Cannot stop displace session!\n"
		}
		ch.displace = ""
	default:
		return usage
	}
	return "+OK Success\n"
}

func apiBreak(w *world, args string) string {
	f := strings.Fields(args)
	if len(f) == 0 || w.channels[f[0]] == nil {
		return noChannel()
	}
	ch := w.channels[f[0]]
	if len(f) > 1 && f[1] == "all" {
		ch.queue = nil
	}
	if r := ch.app; r != nil && r.call.name != "bridge" {
		if r.onBreak != nil {
			r.onBreak()
		} else {
			w.done(ch, r, "")
		}
	}
	return "+OK\n"
}

func apiSetvar(w *world, args string) string {
	f := strings.SplitN(args, " ", 3)
	if len(f) == 0 || w.channels[f[0]] == nil {
		return noChannel()
	}
	if len(f) < 2 || f[1] == "" {
		return "-ERR No variable specified\n"
	}
	value := ""
	if len(f) == 3 {
		value = f[2]
	}
	w.channels[f[0]].vars.set(f[1], value)
	return "+OK\n"
}

func apiSetvarMulti(w *world, args string) string {
	id, pairs, _ := strings.Cut(args, " ")
	ch := w.channels[id]
	if ch == nil {
		return noChannel()
	}
	for _, kv := range strings.Split(pairs, ";") {
		if name, value, ok := strings.Cut(kv, "="); ok {
			ch.vars.set(strings.TrimSpace(name), value)
		}
	}
	return "+OK\n"
}

func apiGetvar(w *world, args string) string {
	f := strings.Fields(args)
	if len(f) < 2 || w.channels[f[0]] == nil {
		return noChannel()
	}
	if v := w.channels[f[0]].vars.get(f[1]); v != "" {
		return v
	}
	return "_undef_"
}

func apiExists(w *world, args string) string {
	return strconv.FormatBool(w.channels[strings.TrimSpace(args)] != nil)
}

func apiDump(w *world, args string) string {
	f := strings.Fields(args)
	if len(f) == 0 || w.channels[f[0]] == nil {
		return noChannel()
	}
	e := w.channelData(w.channels[f[0]])
	if len(f) > 1 && f[1] == "json" {
		frame := e.jsonFrame()
		return string(frame[strings.Index(string(frame), "\n\n")+2:])
	}
	return string(e.serializePlain())
}

func apiSendDTMF(w *world, args string) string {
	f := strings.Fields(args)
	if len(f) < 2 || w.channels[f[0]] == nil {
		return "-ERR Cannot locate session!\n"
	}
	digits, _, _ := strings.Cut(f[1], "@")
	target := w.channels[f[0]]
	if target.bridged != nil {
		target = target.bridged
	}
	for _, d := range digits {
		w.keyDTMF(target, string(d))
	}
	return "+OK " + f[0] + " sent DTMF " + f[1] + ".\n"
}

func apiHupall(w *world, args string) string {
	f := strings.Fields(args)
	cause := "NORMAL_CLEARING"
	if len(f) > 0 {
		cause = causeName(f[0])
	}
	for _, ch := range w.channels {
		if len(f) >= 3 && ch.vars.get(f[1]) != f[2] {
			continue
		}
		w.hangup(ch, cause, "send_bye")
	}
	return "+OK hangup all channels with cause " + cause + "\n"
}

func apiFsctl(w *world, args string) string {
	f := strings.Fields(args)
	if len(f) == 0 {
		return "-USAGE: fsctl [hupall|pause|resume|shutdown|sps|max_sessions|ready_check]\n"
	}
	switch f[0] {
	case "ready_check":
		return "true"
	case "pause_check":
		return "false"
	case "hupall":
		return apiHupall(w, strings.Join(f[1:], " "))
	}
	return "+OK\n"
}
