package esltest

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// promptTime is how long a simulated prompt or file plays.
const promptTime = time.Second

// playDuration guesses a file's length: silence_stream://<ms> says it,
// anything else plays for promptTime.
func playDuration(path string) time.Duration {
	if ms, ok := strings.CutPrefix(path, "silence_stream://"); ok {
		n, _ := strconv.Atoi(strings.Split(ms, ",")[0])
		return time.Duration(n) * time.Millisecond
	}
	return promptTime
}

func appPlayback(w *world, ch *channel, r *appRun) {
	path := r.call.arg
	w.emit("PLAYBACK_START", ch, header{"Playback-File-Path", path})
	finish := func(status string) {
		w.emit("PLAYBACK_STOP", ch, header{"Playback-File-Path", path}, header{"Playback-Status", status})
		ch.vars.set("playback_terminator_used", "")
		w.done(ch, r, "FILE PLAYED")
	}
	r.onBreak = func() { finish("break") }
	terms := ch.vars.get("playback_terminators")
	if terms == "" {
		terms = "*"
	}
	r.onDTMF = func(d string) {
		if terms != "none" && strings.Contains(terms, d) {
			ch.vars.set("playback_terminator_used", d)
			finish("break")
		}
	}
	w.later(ch, r, playDuration(path), func() { finish("done") })
}

// collect holds the parameters of read / play_and_get_digits.
type collect struct {
	min, max, tries int
	timeout         time.Duration
	terminators     string
	varName         string
	re              *regexp.Regexp
}

// appPlayAndGetDigits: <min> <max> <tries> <timeout_ms> <terminators> <file>
// <invalid_file> <var_name> <regexp> [<digit_timeout_ms>] ...
func appPlayAndGetDigits(w *world, ch *channel, r *appRun) {
	f := strings.Fields(r.call.arg)
	if len(f) < 9 {
		w.done(ch, r, "")
		return
	}
	c := collect{min: atoi(f[0]), max: atoi(f[1]), tries: max(atoi(f[2]), 1),
		timeout: time.Duration(max(atoi(f[3]), 1000)) * time.Millisecond, terminators: f[4], varName: f[7]}
	c.re, _ = regexp.Compile(f[8])
	w.collectAttempt(ch, r, c, 1)
}

// appRead: <min> <max> <file> <var_name> <timeout_ms> <terminators>
func appRead(w *world, ch *channel, r *appRun) {
	f := strings.Fields(r.call.arg)
	if len(f) < 6 {
		w.done(ch, r, "")
		return
	}
	c := collect{min: atoi(f[0]), max: atoi(f[1]), tries: 1, varName: f[3],
		timeout: time.Duration(max(atoi(f[4]), 1)) * time.Millisecond, terminators: f[5]}
	w.collectAttempt(ch, r, c, 1)
}

// collectAttempt plays the prompt, lets the callee key its next scripted
// answer (or live DTMF from Server.SendDTMF) and judges the input. The
// timeout restarts with every digit; while scripted digits are still to
// come it is not armed at all, because a scripted caller is still keying:
// were it armed, a busy machine running the next digit's timer late would
// turn the answer into a timeout.
func (w *world) collectAttempt(ch *channel, r *appRun, c collect, try int) {
	var buf strings.Builder
	finished, tick := false, 0
	answer := ""
	if len(ch.dtmfAnswers) > 0 {
		answer, ch.dtmfAnswers = ch.dtmfAnswers[0], ch.dtmfAnswers[1:]
	}
	pending := len(answer) // scripted digits not keyed yet
	finish := func(term string) {
		if finished {
			return
		}
		finished = true
		w.judgeDigits(ch, r, c, try, buf.String(), term)
	}
	armTimeout := func(d time.Duration) {
		tick++
		mine := tick
		if pending > 0 {
			return // the next scripted digit re-arms it
		}
		w.later(ch, r, d, func() {
			if mine == tick {
				finish("")
			}
		})
	}
	r.onDTMF = func(d string) {
		if finished {
			return
		}
		armTimeout(c.timeout)
		if strings.Contains(c.terminators, d) {
			finish(d)
			return
		}
		buf.WriteString(d)
		if buf.Len() >= c.max && c.max > 0 {
			finish("")
		}
	}
	var keyNext func(i int)
	keyNext = func(i int) {
		if finished || i >= len(answer) {
			return
		}
		pending--
		w.keyDTMF(ch, answer[i:i+1])
		w.later(ch, r, 150*time.Millisecond, func() { keyNext(i + 1) })
	}
	w.later(ch, r, promptTime, func() { keyNext(0) })
	armTimeout(promptTime + c.timeout)
}

func (w *world) judgeDigits(ch *channel, r *appRun, c collect, try int, digits, term string) {
	ch.vars.set("read_terminator_used", term)
	valid := len(digits) >= c.min && (c.max == 0 || len(digits) <= c.max) &&
		(c.re == nil || c.re.MatchString(digits))
	switch {
	case valid && digits != "":
		ch.vars.set(c.varName, digits)
		ch.vars.set("read_result", "success")
		w.done(ch, r, "")
		return
	case digits != "":
		ch.vars.set(c.varName+"_invalid", digits)
	}
	if try < c.tries {
		w.collectAttempt(ch, r, c, try+1)
		return
	}
	ch.vars.unset(c.varName)
	if digits == "" {
		ch.vars.set("read_result", "timeout")
	} else {
		ch.vars.set("read_result", "failure")
	}
	w.done(ch, r, "")
}

// keyDTMF is a digit from the far end: a DTMF event, then the running app
// (collector, eavesdrop mode switch, playback terminator) sees it.
func (w *world) keyDTMF(ch *channel, digit string) {
	if !ch.isUp() {
		return
	}
	w.emit("DTMF", ch, header{"DTMF-Digit", digit}, header{"DTMF-Duration", "1600"},
		header{"DTMF-Source", "RTP"})
	if ch.app != nil && ch.app.onDTMF != nil {
		ch.app.onDTMF(digit)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// appAvmd starts mod_avmd's beep detection. A callee whose verdict is
// MACHINE beeps after its greeting: avmd_detect is set, then avmd::beep
// fires with mod_avmd's own headers (Unique-ID, Call-command, the beep's
// measures; no channel data: avmd_fire_event adds none).
func appAvmd(w *world, ch *channel, r *appRun) {
	w.done(ch, r, "")
	startAvmd(w, ch)
}

// avmdSyntax is mod_avmd's usage line, which its API errors repeat.
const avmdSyntax = "<uuid> < start | stop | set [inbound|outbound|default] | load [inbound|outbound] | reload | show >"

// apiAvmd is mod_avmd's API for a channel: "avmd <uuid> start" adds the
// detector's media bug at once, whatever application the channel runs (no
// queue, unlike uuid_broadcast of avmd_start); "stop" removes it. Replies as
// mod_avmd words them with report_status on (its default).
func apiAvmd(w *world, args string) string {
	if !w.scen.modules["mod_avmd"] {
		return "-ERR avmd Command not found!\n"
	}
	f := strings.Fields(args)
	if len(f) < 2 {
		return "-ERR, avmd takes [2] min and [3] max parameters!\n-USAGE: " + avmdSyntax + "\n\n"
	}
	ch := w.channels[f[0]]
	if ch == nil {
		return "-ERR, no FreeSWITCH session for uuid [" + f[0] + "]!\n-USAGE: " + avmdSyntax + "\n\n"
	}
	switch {
	case strings.EqualFold(f[1], "stop") && ch.avmd:
		ch.avmd = false
		return "+OK\n [" + ch.uuid + "] [" + ch.name + "] stopped\n\n"
	case strings.EqualFold(f[1], "stop"):
		return "+ERR, avmd has not yet been started on\n [" + ch.uuid + "] [" + ch.name + "]\n\n"
	case ch.avmd:
		return "-ERR, avmd for FreeSWITCH session [" + ch.uuid + "]\n already started\n\n"
	case !strings.EqualFold(f[1], "start"):
		return "-ERR, did you mean\n api avmd " + ch.uuid + " start ?\n-USAGE: " + avmdSyntax + "\n\n"
	}
	startAvmd(w, ch)
	return "+OK\n [" + ch.uuid + "] [" + ch.name + "] started!\n\n"
}

// startAvmd puts the detector on the channel: a callee whose verdict is
// MACHINE beeps 3 s later (unless the detector was stopped by then).
func startAvmd(w *world, ch *channel) {
	ch.avmd = true
	if ch.callee.verdict() != AMDMachine {
		return
	}
	w.after(ch, 3*time.Second, func() {
		if !ch.avmd {
			return
		}
		ch.vars.set("avmd_detect", "TRUE")
		e := w.newEvent("avmd::beep")
		for _, h := range []header{{"Unique-ID", ch.uuid}, {"Call-command", "avmd"}, {"Beep-Status", "DETECTED"},
			{"Frequency", "800.000000"}, {"Frequency-variance", "0.000012"}, {"Amplitude", "0.000000"},
			{"Amplitude-variance", "0.000000"}, {"Detection-time", "2045000"}, {"Detector-resolution", "0"},
			{"Detector-offset", "0"}, {"Detector-index", "0"}} {
			e.add(h.name, h.value)
		}
		w.fire(e)
	})
}

// appAMD mimics the third-party mod_amd `amd` application: after a short
// analysis it sets amd_result and amd_cause (values of that module) from
// the callee's scenario and returns.
func appAMD(w *world, ch *channel, r *appRun) {
	w.later(ch, r, 2*time.Second, func() {
		v := ch.callee.verdict()
		ch.vars.set("amd_result", string(v))
		ch.vars.set("amd_cause", amdCauses[v])
		w.done(ch, r, "")
	})
}

// appVoicemail lets the caller leave a short message, then returns.
func appVoicemail(w *world, ch *channel, r *appRun) {
	w.answer(ch)
	w.later(ch, r, 5*time.Second, func() {
		ch.vars.set("voicemail_message_len", "5")
		w.done(ch, r, "")
	})
}
