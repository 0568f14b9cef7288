package controller

import (
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// EventKind names a typed call event.
type EventKind string

// Event kinds, in the order a leg typically sees them. A leg's stream always
// ends with exactly one EventHangup.
const (
	EventCreate          EventKind = "create"           // CHANNEL_CREATE
	EventRinging         EventKind = "ringing"          // 180 (CHANNEL_PROGRESS)
	EventEarlyMedia      EventKind = "early_media"      // 183 with media (CHANNEL_PROGRESS_MEDIA)
	EventAnswer          EventKind = "answer"           // answered; AMD set when the verdict is already known
	EventAMD             EventKind = "amd"              // an answering-machine verdict became known or changed
	EventBridge          EventKind = "bridge"           // bridged to Other
	EventUnbridge        EventKind = "unbridge"         // bridge to Other ended
	EventPark            EventKind = "park"             // entered the park loop
	EventUnpark          EventKind = "unpark"           // left the park loop
	EventHold            EventKind = "hold"             // put on hold
	EventUnhold          EventKind = "unhold"           // taken off hold
	EventDTMF            EventKind = "dtmf"             // a digit from the far end
	EventExecute         EventKind = "execute"          // an application started
	EventExecuteComplete EventKind = "execute_complete" // an application returned
	EventHangup          EventKind = "hangup"           // the leg ended: last event of its stream
	EventCustom          EventKind = "custom"           // a CUSTOM event (Subclass), e.g. sofia::register, spandsp::txfaxresult
	EventOther           EventKind = "other"            // any other FreeSWITCH event of the leg (RECORD_START, PLAYBACK_STOP, ...)
)

// SubclassAVMDBeep is mod_avmd's CUSTOM event (AVMD_EVENT_BEEP in
// mod_avmd.c): the beep after a machine's greeting. It comes as an
// EventAMD with this Subclass.
const SubclassAVMDBeep = "avmd::beep"

// AMDVerdict is an answering-machine detection result.
type AMDVerdict string

// Verdicts: mod_amd's amd_result HUMAN, MACHINE, NOTSURE (NOT_SURE in some
// forks); mod_avmd's beep means a machine.
const (
	AMDUnknown AMDVerdict = ""
	AMDHuman   AMDVerdict = "human"
	AMDMachine AMDVerdict = "machine"
	AMDNotSure AMDVerdict = "not_sure"
)

// DTMF is one digit keyed at the far end.
type DTMF struct {
	Digit string
	// Duration is FreeSWITCH's DTMF-Duration in samples at 8 kHz
	// (1600 = 200 ms).
	Duration int
	Source   string // RTP, INBAND_AUDIO, ENDPOINT, APP, ... (newer builds)
}

// App is the application of an execute or execute_complete event.
type App struct {
	Name     string
	Data     string
	Response string // execute_complete only, e.g. "FILE PLAYED"; "_none_" when the app set none
	UUID     string // Application-UUID: the Event-UUID given with sendmsg, else a fresh one
}

// Hangup is the end of a leg.
type Hangup struct {
	Cause   string // FreeSWITCH cause name; empty when the switch never said (see Reason)
	SIPCode int    // sip_term_status; 0 when unknown
	Result  ResultClass
	BillSec int
	// Reason explains an end the switch did not report itself (reconnect,
	// shutdown, lost events, not dialed).
	Reason                             string
	Created, Answered, Bridged, Hungup time.Time
}

// Event is one typed call event. Leg streams carry the events of one leg
// in the order FreeSWITCH sent them; the pool stream (Switch.Subscribe)
// carries the legs no Leg owns and every CUSTOM event.
type Event struct {
	Kind EventKind
	UUID string // the leg; empty for a CUSTOM event about no channel (sofia::register)
	Node string
	At   time.Time // Event-Date-Timestamp, or when the controller made the event
	// Seq numbers a leg's events 1, 2, 3 ... in its stream; 0 on the pool stream.
	Seq uint64
	// Name and Subclass are the FreeSWITCH event behind it (empty for
	// events the controller made itself, such as a hangup after a reconnect).
	Name, Subclass string

	Other  string     // bridge, unbridge: the other leg's uuid
	AMD    AMDVerdict // answer (when known), amd
	DTMF   DTMF       // dtmf
	App    App        // execute, execute_complete
	Hangup *Hangup    // hangup only (nil on every other kind)
	// Headers holds the event-specific headers of custom and other events,
	// URL-decoded, keyed in canonical MIME form (channel data, caller
	// profiles and variables left out).
	Headers map[string]string
	// Call describes the call on create and park events: where it came
	// from and the product's own channel variables (cc_*), which the
	// dialplan sets on legs it parks for the controller (cc_queue: the agent
	// group's queue; cc_inbound: a carrier call).
	Call *CallInfo
}

// CallInfo is what a create or park event says about its call.
type CallInfo struct {
	Direction         string // inbound, outbound
	Context           string // the dialplan context (queue, inbound, dialer, ...)
	DestinationNumber string
	CallerIDNumber    string
	CallerIDName      string
	// Vars holds the channel variables named cc_*, without the prefix
	// FreeSWITCH gives them in events ("cc_queue" → "3").
	Vars map[string]string
}

// Header returns one of Headers, whatever the case of name ("" when absent).
func (e Event) Header(name string) string { return e.Headers[textproto.CanonicalMIMEHeaderKey(name)] }

// typedEvent translates a FreeSWITCH event statelessly. It is what the
// pool stream carries; a leg's owner refines it with the leg's state.
// ok is false for events that make no typed event (CHANNEL_HANGUP, whose
// HANGUP_COMPLETE follows; DESTROY; HEARTBEAT; BACKGROUND_JOB).
func typedEvent(e *event, node string) (Event, bool) {
	out := Event{UUID: e.UUID, Node: node, At: e.Time(), Name: e.Name}
	switch e.Name {
	case "CHANNEL_CREATE":
		out.Kind, out.Call = EventCreate, callInfo(e)
	case "CHANNEL_PROGRESS":
		out.Kind = EventRinging
	case "CHANNEL_PROGRESS_MEDIA":
		out.Kind = EventEarlyMedia
	case "CHANNEL_ANSWER":
		out.Kind, out.AMD = EventAnswer, amdVerdict(e)
	case "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE":
		out.Kind, out.Other = EventBridge, otherLeg(e, e.UUID)
		if e.Name == "CHANNEL_UNBRIDGE" {
			out.Kind = EventUnbridge
		}
	case "CHANNEL_PARK":
		out.Kind, out.Call = EventPark, callInfo(e)
	case "CHANNEL_UNPARK":
		out.Kind = EventUnpark
	case "CHANNEL_HOLD":
		out.Kind = EventHold
	case "CHANNEL_UNHOLD":
		out.Kind = EventUnhold
	case "DTMF":
		out.Kind = EventDTMF
		out.DTMF = DTMF{Digit: e.get(hdrDTMFDigit), Duration: e.intHeader(hdrDTMFLength), Source: e.get(hdrDTMFSource)}
	case "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE":
		out.Kind = EventExecute
		out.App = App{Name: e.get(hdrApp), Data: e.get(hdrAppData), UUID: e.get(hdrAppUUID)}
		if e.Name == "CHANNEL_EXECUTE_COMPLETE" {
			out.Kind, out.App.Response = EventExecuteComplete, e.get(hdrAppResponse)
		}
	case "CHANNEL_HANGUP_COMPLETE":
		out.Kind, out.Hangup = EventHangup, hangupOf(e)
	case "CHANNEL_HANGUP", "CHANNEL_DESTROY", "HEARTBEAT", "BACKGROUND_JOB", "":
		return Event{}, false
	case "CUSTOM":
		out.Kind, out.Subclass = EventCustom, e.get(hdrSubclass)
		if out.Subclass == SubclassAVMDBeep {
			out.Kind, out.AMD = EventAMD, AMDMachine
		}
		out.Headers = specificHeaders(e)
	default:
		out.Kind, out.Headers = EventOther, specificHeaders(e)
	}
	if out.At.IsZero() {
		out.At = e.arrived
	}
	return out, true
}

// otherLeg is the bridge partner named by a bridge event, from the point of
// view of leg self (FreeSWITCH fires it on the A-leg).
func otherLeg(e *event, self string) string {
	a, b := e.get(hdrBridgeA), e.get(hdrBridgeB)
	switch {
	case a != "" && a != self:
		return a
	case b != "" && b != self:
		return b
	}
	return e.get(hdrOtherLeg)
}

// amdVerdict reads the answering-machine result an event carries: mod_amd's
// amd_result variable, mod_avmd's beep event or its avmd_detect variable.
// Only the events that can bring a new verdict are looked at: the answer,
// an application's completion (amd), the CDR, and CUSTOM events.
func amdVerdict(e *event) AMDVerdict {
	switch e.Name {
	case "CHANNEL_ANSWER", "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_HANGUP_COMPLETE":
	case "CUSTOM":
		if e.get(hdrSubclass) == SubclassAVMDBeep {
			return AMDMachine
		}
	default:
		return AMDUnknown
	}
	if strings.EqualFold(e.get(varAVMDDetect), "TRUE") {
		return AMDMachine
	}
	switch strings.ToUpper(strings.ReplaceAll(e.get(varAMDResult), "_", "")) {
	case "HUMAN":
		return AMDHuman
	case "MACHINE":
		return AMDMachine
	case "NOTSURE":
		return AMDNotSure
	}
	return AMDUnknown
}

// hangupOf reads a HANGUP_COMPLETE on its own (pool stream: no owner).
func hangupOf(e *event) *Hangup {
	h := &Hangup{Cause: e.get(hdrHangupCause), Created: micros(e, "Caller-Channel-Created-Time"),
		Answered: micros(e, "Caller-Channel-Answered-Time"), Bridged: micros(e, "Caller-Channel-Bridged-Time"),
		Hungup: micros(e, "Caller-Channel-Hangup-Time")}
	h.SIPCode, _ = strconv.Atoi(e.get(varSIPStatus))
	h.BillSec, _ = strconv.Atoi(e.get(varBillSec))
	h.Result = Classify(h.Cause, h.SIPCode, !h.Answered.IsZero())
	if h.Result == ResultAnswered && amdVerdict(e) == AMDMachine {
		h.Result = ResultMachine
	}
	return h
}

func micros(e *event, name string) time.Time {
	us, err := strconv.ParseInt(e.Headers.Get(name), 10, 64)
	if err != nil || us <= 0 {
		return time.Time{}
	}
	return time.UnixMicro(us)
}

// callInfo reads the caller profile and the cc_* variables of a channel
// event (FreeSWITCH sends channel variables with channel events unless told
// otherwise; eslgo canonicalises variable_cc_queue to Variable_cc_queue).
func callInfo(e *event) *CallInfo {
	ci := &CallInfo{Direction: e.get("Call-Direction"), Context: e.get("Caller-Context"),
		DestinationNumber: e.get("Caller-Destination-Number"), CallerIDNumber: e.get("Caller-Caller-Id-Number"),
		CallerIDName: e.get("Caller-Caller-Id-Name")}
	for name := range e.Headers {
		if key, ok := strings.CutPrefix(name, "Variable_cc_"); ok {
			if ci.Vars == nil {
				ci.Vars = map[string]string{}
			}
			ci.Vars["cc_"+key] = e.get(name)
		}
	}
	return ci
}

// specificHeaders copies the headers particular to an event: the base
// headers, channel data, caller profiles and variables are left out, so a
// custom or other event stays small while it waits in a stream.
func specificHeaders(e *event) map[string]string {
	out := map[string]string{}
	for name := range e.Headers {
		if !genericHeader(name) {
			out[name] = e.get(name)
		}
	}
	return out
}

// genericHeader tells the base, channel and profile headers (names as
// eslgo canonicalises them) from an event's own.
func genericHeader(name string) bool {
	for _, p := range []string{"Event-", "Core-Uuid", "Freeswitch-", "Channel-", "Caller-", "Other-", "Variable_",
		"Presence-", "Unique-Id", "Answer-State", "Call-Direction", "Session-External-Id", "Hangup-Cause", "Cc-Relay-Seq"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
