package esltest

import (
	"slices"
	"strconv"
	"time"
)

// Channel running states in switch_channel_state_t order (doc 2.1).
var stateNames = []string{"CS_NEW", "CS_INIT", "CS_ROUTING", "CS_SOFT_EXECUTE", "CS_EXECUTE",
	"CS_EXCHANGE_MEDIA", "CS_PARK", "CS_CONSUME_MEDIA", "CS_HIBERNATE", "CS_RESET", "CS_HANGUP",
	"CS_REPORTING", "CS_DESTROY", "CS_NONE"}

const (
	csNew = iota
	csInit
	csRouting
	csSoftExecute
	csExecute
	csExchangeMedia
	csPark
	csConsumeMedia
	csHibernate
	csReset
	csHangup
	csReporting
	csDestroy
)

// ChannelInfo is a snapshot of one simulated channel.
type ChannelInfo struct {
	UUID        string
	Name        string // e.g. "sofia/gateway/gw1/13800138000"
	Direction   string // "inbound" or "outbound"
	State       string // CS_* name
	CallState   string // DOWN, RINGING, EARLY, ACTIVE, HELD, HANGUP
	Destination string
	CallerIDNum string
	Answered    bool
	Parked      bool
	Held        bool
	Application string // app running now ("park" while parked), "" if none
	BridgedTo   string // uuid of the bridged leg, "" if none
	Recording   string // path of an active uuid_record/record_session, "" if none
	Displace    string // path mixed in by uuid_displace, "" if none
	Eavesdrop   string // for a supervisor leg: eavesdrop mode ("listen", "whisper", "barge")
	Created     time.Time
	Vars        map[string]string
}

// profile is a caller profile (switch_caller_profile_t) as far as events show it.
type profile struct {
	direction, username, dialplan            string
	cidName, cidNum, origCidName, origCidNum string
	calleeName, calleeNum, networkAddr       string
	ani, dest, source, transferSource        string
	context, rdnis, channelName              string
	index                                    int
}

// channel is one simulated call leg. Only the world goroutine touches it.
type channel struct {
	uuid, name, direction string
	state                 int
	callState             string
	answerState           string
	hitDialplan           bool
	cause                 string
	media                 bool
	prof                  profile
	vars                  varStore

	created, answered, progress, progressMedia time.Time
	hungup, transferred, bridgedAt, lastHold   time.Time
	holdAccum                                  time.Duration

	other     *channel // bridge partner or originator/originatee
	otherType string   // "originator" or "originatee"
	bridged   *channel // current bridge partner

	callee *callee // scenario behaviour of the far end
	// app and queue implement the channel's execution: one app at a time,
	// sendmsg messages queued behind it, then the rest of the dialplan.
	app      *appRun
	queue    []appCall
	dialplan []appCall
	parked   bool
	parkCall appCall
	ready    bool // reached execute state: queued messages may run
	bridgeA  bool // this leg is Bridge-A of its bridge
	// socketHeld: an async outbound socket controls the channel (it parks).
	socketHeld bool
	socketCall appCall
	exported   []header
	recordings map[string]*recording
	displace   string // file mixed in by uuid_displace (one at a time here)
	avmd       bool   // mod_avmd's media bug is on the channel
	held       bool
	hangupAB   bool // bridge ended: hang up (hangup_after_bridge)

	eavesdrop   string
	bound       []*conn // connections controlling this channel (outbound socket, myevents)
	onAnswer    []func()
	onEarly     func()
	onHangup    []func()
	timers      []*simTimer
	dtmfAnswers []string // scenario answers still to key, one per prompt
}

// varStore keeps channel variables in insertion order, as events list them.
// The list is copy-on-write: events keep a reference to it instead of
// copying, so an existing element is never changed in place.
type varStore struct {
	list  []varEntry
	index map[string]int
}

// varEntry keeps the "variable_<name>" header name so events do not
// rebuild it each time.
type varEntry struct {
	name, value, key, enc string
}

func (v *varStore) set(name, value string) {
	if v.index == nil {
		v.index = map[string]int{}
	}
	if value == "" {
		v.unset(name)
		return
	}
	if i, ok := v.index[name]; ok {
		if v.list[i].value == value {
			return
		}
		v.list = slices.Clone(v.list)
		v.list[i].value, v.list[i].enc = value, urlEncode(value)
		return
	}
	v.index[name] = len(v.list)
	// append may reuse spare capacity: events hold shorter slices of it,
	// so they never see the new element.
	v.list = append(v.list, varEntry{name, value, "variable_" + name, urlEncode(value)})
}

func (v *varStore) unset(name string) {
	i, ok := v.index[name]
	if !ok {
		return
	}
	v.list = slices.Delete(slices.Clone(v.list), i, i+1)
	delete(v.index, name)
	for j := i; j < len(v.list); j++ {
		v.index[v.list[j].name] = j
	}
}

func (v *varStore) get(name string) string {
	if i, ok := v.index[name]; ok {
		return v.list[i].value
	}
	return ""
}

func (v *varStore) toMap() map[string]string {
	m := make(map[string]string, len(v.list))
	for _, h := range v.list {
		m[h.name] = h.value
	}
	return m
}

func (ch *channel) stateName() string { return stateNames[ch.state] }

func (ch *channel) callUUID() string {
	if u := ch.vars.get("call_uuid"); u != "" {
		return u
	}
	return ch.uuid
}

func (ch *channel) isAnswered() bool { return !ch.answered.IsZero() }

func (ch *channel) isUp() bool { return ch.state < csHangup }

func (ch *channel) info() ChannelInfo {
	ci := ChannelInfo{UUID: ch.uuid, Name: ch.name, Direction: ch.direction, State: ch.stateName(),
		CallState: ch.callState, Destination: ch.prof.dest, CallerIDNum: ch.prof.cidNum,
		Answered: ch.isAnswered(), Parked: ch.parked, Held: ch.held, Recording: ch.recordingPath(), Displace: ch.displace,
		Eavesdrop: ch.eavesdrop, Created: ch.created, Vars: ch.vars.toMap()}
	if ch.app != nil {
		ci.Application = ch.app.call.name
	} else if ch.parked {
		ci.Application = "park"
	}
	if ch.bridged != nil {
		ci.BridgedTo = ch.bridged.uuid
	}
	return ci
}

// micros renders a time as FreeSWITCH's microsecond timestamps, 0 when unset.
func micros(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixMicro(), 10)
}

// addChannelData appends the channel headers of switch_channel_event_set_data
// (doc 2.1) in FreeSWITCH's order; variables only when withVars.
func addChannelData(e *event, ch *channel, withVars bool) {
	addChannelHeaders(e, ch)
	addProfile(e, "Caller-", ch, true)
	if ch.other != nil {
		e.add("Other-Type", ch.otherType)
		addProfile(e, "Other-Leg-", ch.other, false)
	}
	if withVars {
		addVars(e, ch)
	}
}

// addChannelHeaders appends the headers before the caller profile.
func addChannelHeaders(e *event, ch *channel) {
	e.add("Channel-State", ch.stateName())
	e.add("Channel-Call-State", ch.callState)
	e.add("Channel-State-Number", strconv.Itoa(ch.state))
	e.add("Channel-Name", ch.name)
	e.add("Unique-ID", ch.uuid)
	e.add("Call-Direction", ch.direction)
	e.add("Presence-Call-Direction", ch.direction)
	e.add("Channel-HIT-Dialplan", strconv.FormatBool(ch.hitDialplan))
	e.add("Channel-Presence-ID", ch.vars.get("presence_id"))
	e.add("Channel-Call-UUID", ch.callUUID())
	e.add("Answer-State", ch.answerState)
	e.add("Hangup-Cause", ch.cause)
	if ch.media {
		for _, dir := range []string{"Read", "Write"} {
			e.add("Channel-"+dir+"-Codec-Name", "PCMA")
			e.add("Channel-"+dir+"-Codec-Rate", "8000")
			e.add("Channel-"+dir+"-Codec-Bit-Rate", "64000")
		}
	}
}

func addVars(e *event, ch *channel) {
	e.vars, e.varsAt = ch.vars.list, len(e.headers)
}

// addProfile writes one caller profile block; the Other-Leg block has no
// Profile-Index (captured frames).
func addProfile(e *event, prefix string, ch *channel, withIndex bool) {
	p := &ch.prof
	n := profileNames(prefix)
	vals := [...]string{p.direction, p.direction, p.username, p.dialplan, p.cidName, p.cidNum,
		p.origCidName, p.origCidNum, p.calleeName, p.calleeNum, p.networkAddr, p.ani, p.dest, ch.uuid,
		p.source, p.transferSource, p.context, p.rdnis, ch.name}
	for i, v := range vals {
		e.add(n[i], v)
	}
	if withIndex {
		e.add(n[19], strconv.Itoa(max(p.index, 1)))
	}
	times := [...]string{micros(ch.created), micros(ch.created), micros(ch.answered), micros(ch.progress),
		micros(ch.progressMedia), micros(ch.hungup), micros(ch.transferred), "0", micros(ch.bridgedAt),
		micros(ch.lastHold), strconv.FormatInt(ch.holdAccum.Microseconds(), 10), "true", "false", "false"}
	for i, v := range times {
		e.add(n[20+i], v)
	}
}

// profileFields are the caller profile header suffixes in FreeSWITCH order.
var profileFields = []string{"Direction", "Logical-Direction", "Username", "Dialplan", "Caller-ID-Name",
	"Caller-ID-Number", "Orig-Caller-ID-Name", "Orig-Caller-ID-Number", "Callee-ID-Name",
	"Callee-ID-Number", "Network-Addr", "ANI", "Destination-Number", "Unique-ID", "Source",
	"Transfer-Source", "Context", "RDNIS", "Channel-Name", "Profile-Index", "Profile-Created-Time",
	"Channel-Created-Time", "Channel-Answered-Time", "Channel-Progress-Time",
	"Channel-Progress-Media-Time", "Channel-Hangup-Time", "Channel-Transfer-Time",
	"Channel-Resurrect-Time", "Channel-Bridged-Time", "Channel-Last-Hold", "Channel-Hold-Accum",
	"Screen-Bit", "Privacy-Hide-Name", "Privacy-Hide-Number"}

var profileNameCache = map[string][]string{}

func init() {
	for _, prefix := range []string{"Caller-", "Other-Leg-", "Channel-"} {
		names := make([]string, len(profileFields))
		for i, f := range profileFields {
			names[i] = prefix + f
		}
		profileNameCache[prefix] = names
	}
}

func profileNames(prefix string) []string { return profileNameCache[prefix] }

// addChannelDataProfile is the extra "Channel-" profile block that
// CHANNEL_DATA (the connect reply) carries before the channel headers.
func addChannelDataProfile(e *event, ch *channel) {
	addProfile(e, "Channel-", ch, true)
}
