package esltest

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// world is the simulated switch: channels, users, gateways and the
// listening connections. Only the loop goroutine (Server.run) touches it;
// everything else posts closures to Server.inbox.
type world struct {
	s        *Server
	coreUUID string
	seq      uint64
	started  time.Time
	channels map[string]*channel
	conns    map[*conn]bool
	scen     *scenarioState
	confs    map[string][]*channel
	timers   timerQueue // pending steps (timers.go)
	timerSeq uint64

	sessionsSinceStart, peak int
	// the date headers change once a second; cache their text.
	dateSec            int64
	dateLocal, dateGMT string
}

func newWorld(s *Server, sc *Scenario) *world {
	return &world{s: s, coreUUID: uuid.NewString(), started: time.Now(),
		channels: map[string]*channel{}, conns: map[*conn]bool{},
		scen: newScenarioState(sc), confs: map[string][]*channel{}}
}

// callSite is what Event-Calling-File/Function/Line-Number say for an event;
// values taken from the captured frames and the 1.10 source.
type callSite struct {
	file, fn string
	line     int
}

func (c callSite) lineText() string { return strconv.Itoa(c.line) }

var callSites = map[string]callSite{
	"CHANNEL_CREATE":                {"switch_core_state_machine.c", "switch_core_session_run", 627},
	"CHANNEL_PROGRESS":              {"switch_channel.c", "switch_channel_perform_mark_ring_ready_value", 3673},
	"CHANNEL_PROGRESS_MEDIA":        {"switch_channel.c", "switch_channel_perform_mark_pre_answered", 3796},
	"CHANNEL_ANSWER":                {"switch_channel.c", "switch_channel_perform_mark_answered", 4054},
	"CHANNEL_HANGUP":                {"switch_channel.c", "switch_channel_perform_hangup", 3572},
	"CHANNEL_HANGUP_COMPLETE":       {"switch_core_state_machine.c", "switch_core_session_reporting_state", 946},
	"CHANNEL_DESTROY":               {"switch_core_session.c", "switch_core_session_perform_destroy", 1714},
	"CHANNEL_EXECUTE":               {"switch_core_session.c", "switch_core_session_exec", 2967},
	"CHANNEL_EXECUTE_COMPLETE":      {"switch_core_session.c", "switch_core_session_exec", 3023},
	"CHANNEL_PARK":                  {"switch_ivr.c", "switch_ivr_park", 1002},
	"CHANNEL_UNPARK":                {"switch_ivr.c", "switch_ivr_park", 1161},
	"CHANNEL_BRIDGE":                {"switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1754},
	"CHANNEL_UNBRIDGE":              {"switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1900},
	"CHANNEL_HOLD":                  {"switch_channel.c", "switch_channel_perform_mark_hold", 1313},
	"CHANNEL_UNHOLD":                {"switch_channel.c", "switch_channel_perform_mark_hold", 1313},
	"CHANNEL_STATE":                 {"switch_channel.c", "switch_channel_perform_set_running_state", 2443},
	"CHANNEL_CALLSTATE":             {"switch_channel.c", "switch_channel_perform_set_callstate", 350},
	"CHANNEL_DATA":                  {"mod_event_socket.c", "parse_command", 2021},
	"DTMF":                          {"switch_channel.c", "switch_channel_dequeue_dtmf", 656},
	"RECORD_START":                  {"switch_ivr_async.c", "record_callback", 1336},
	"RECORD_STOP":                   {"switch_ivr_async.c", "record_callback", 1203},
	"PLAYBACK_START":                {"switch_ivr_play_say.c", "switch_ivr_play_file", 1540},
	"PLAYBACK_STOP":                 {"switch_ivr_play_say.c", "switch_ivr_play_file", 2075},
	"HEARTBEAT":                     {"switch_core.c", "send_heartbeat", 70},
	"BACKGROUND_JOB":                {"mod_event_socket.c", "api_exec", 1572},
	"API":                           {"switch_loadable_module.c", "switch_api_execute", 2936},
	"sofia::register":               {"sofia_reg.c", "sofia_reg_handle_register_token", 2029},
	"sofia::unregister":             {"sofia_reg.c", "sofia_reg_handle_register_token", 2213},
	"sofia::expire":                 {"sofia_reg.c", "sofia_reg_del_callback", 726},
	"sofia::gateway_state":          {"sofia_reg.c", "sofia_reg_fire_custom_gateway_state_event", 138},
	"spandsp::txfaxnegociateresult": {"mod_spandsp_fax.c", "phase_b_handler", 386},
	"spandsp::rxfaxnegociateresult": {"mod_spandsp_fax.c", "phase_b_handler", 386},
	"spandsp::txfaxpageresult":      {"mod_spandsp_fax.c", "phase_d_handler", 521},
	"spandsp::rxfaxpageresult":      {"mod_spandsp_fax.c", "phase_d_handler", 521},
	"spandsp::txfaxresult":          {"mod_spandsp_fax.c", "phase_e_handler", 676},
	"spandsp::rxfaxresult":          {"mod_spandsp_fax.c", "phase_e_handler", 676},
	"avmd::beep":                    {"mod_avmd.c", "avmd_fire_event", 700},
	"CHANNEL_OUTGOING":              {"switch_core_session.c", "switch_core_session_outgoing_channel", 739},
	"CUSTOM":                        {"mod_event_socket.c", "parse_command", 2373},
}

// varEvents are the events that carry variable_* headers (doc 2.1).
var varEvents = map[string]bool{
	"CHANNEL_CREATE": true, "CHANNEL_ORIGINATE": true, "CHANNEL_UUID": true, "CHANNEL_ANSWER": true,
	"CHANNEL_PARK": true, "CHANNEL_UNPARK": true, "CHANNEL_BRIDGE": true, "CHANNEL_UNBRIDGE": true,
	"CHANNEL_PROGRESS": true, "CHANNEL_PROGRESS_MEDIA": true, "CHANNEL_HANGUP": true,
	"CHANNEL_HANGUP_COMPLETE": true, "CHANNEL_DATA": true, "CHANNEL_EXECUTE": true,
	"CHANNEL_EXECUTE_COMPLETE": true, "CHANNEL_DESTROY": true, "API": true, "RECORD_START": true,
	"RECORD_STOP": true, "PLAYBACK_START": true, "PLAYBACK_STOP": true, "CHANNEL_HOLD": true,
	"CHANNEL_UNHOLD": true, "CUSTOM": true,
}

// newEvent builds an event with the base headers (doc 1.2) and the next
// Event-Sequence. For CUSTOM events name is the subclass.
func (w *world) newEvent(name string) *event { return w.newEventCap(name, 16) }

// newEventCap is newEvent with room for n headers, to build an event in
// one allocation.
func (w *world) newEventCap(name string, n int) *event {
	eventName, subclass := name, ""
	if strings.Contains(name, "::") {
		eventName, subclass = "CUSTOM", name
	}
	now := time.Now()
	if sec := now.Unix(); sec != w.dateSec {
		w.dateSec = sec
		w.dateLocal = now.Format("2006-01-02 15:04:05")
		w.dateGMT = now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
	}
	site := callSites[name]
	w.seq++
	e := &event{headers: make([]header, 0, n)}
	e.add("Event-Name", eventName)
	e.add("Core-UUID", w.coreUUID)
	e.add("FreeSWITCH-Hostname", w.s.opts.Hostname)
	e.add("FreeSWITCH-Switchname", w.s.opts.Hostname)
	e.add("FreeSWITCH-IPv4", "127.0.0.1")
	e.add("FreeSWITCH-IPv6", "::1")
	e.add("Event-Date-Local", w.dateLocal)
	e.add("Event-Date-GMT", w.dateGMT)
	e.add("Event-Date-Timestamp", strconv.FormatInt(now.UnixMicro(), 10))
	e.add("Event-Calling-File", site.file)
	e.add("Event-Calling-Function", site.fn)
	e.add("Event-Calling-Line-Number", site.lineText())
	e.add("Event-Sequence", strconv.FormatUint(w.seq, 10))
	e.add("Event-Subclass", subclass)
	return e
}

// channelEvent builds a channel event: pre headers (placed before the
// channel data, like Bridge-A-Unique-ID), channel data, variables where
// FreeSWITCH adds them, then post headers (Application, DTMF-Digit, ...).
func (w *world) channelEvent(name string, ch *channel, pre, post []header) *event {
	e := w.newEventCap(name, 110+len(pre)+len(post))
	for _, h := range pre {
		e.add(h.name, h.value)
	}
	addChannelData(e, ch, varEvents[name] || ch.vars.get("verbose_events") == "true")
	for _, h := range post {
		e.add(h.name, h.value)
	}
	return e
}

// emit builds and fires a channel event.
func (w *world) emit(name string, ch *channel, post ...header) {
	w.fire(w.channelEvent(name, ch, nil, post))
}

// fire hands an event to every connection whose subscription wants it.
func (w *world) fire(e *event) {
	for c := range w.conns {
		c.deliver(e)
	}
}

// after runs fn in the world loop once the scaled delay has passed, unless
// the channel is gone by then (nil ch means a world-level timer).
func (w *world) after(ch *channel, d time.Duration, fn func()) {
	gen := w.coreUUID
	t := w.schedule(d, func() {
		if w.coreUUID != gen {
			return
		}
		if ch != nil && w.channels[ch.uuid] != ch {
			return
		}
		fn()
	})
	if ch != nil {
		ch.timers = append(ch.timers, t)
	}
}

func (w *world) sessionCount() int { return len(w.channels) }

// restart drops every connection and channel without a word, like a crash.
func (w *world) restart() {
	for c := range w.conns {
		c.abort()
	}
	w.conns = map[*conn]bool{}
	for _, ch := range w.channels {
		for _, t := range ch.timers {
			t.Stop()
		}
	}
	w.channels = map[string]*channel{}
	w.confs = map[string][]*channel{}
	w.coreUUID = uuid.NewString()
	w.seq = 0
	w.started = time.Now()
	w.sessionsSinceStart, w.peak = 0, 0
	w.scen.reset()
}
