package esltest

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// dialRequest is one originate (API) or bridge (app) attempt.
type dialRequest struct {
	global []header
	legs   []legSpec
	// onAnswer runs on the new leg once it succeeds (answered, or early
	// media without ignore_early_media): set its app or extension.
	onSuccess func(ch *channel)
	// done reports the result: the leg, or nil and a cause.
	done    func(ch *channel, cause string)
	aLeg    *channel // bridge: the originating channel
	timeout time.Duration
}

type legSpec struct {
	vars     []header
	endpoint string
}

// parseDialString splits "{a=b}[c=d]ep1|[e=f]ep2" into global vars and legs.
// Legs separated by ',' or '|' are tried one after another.
func parseDialString(s string) ([]header, []legSpec) {
	var global []header
	if strings.HasPrefix(s, "{") {
		if end := closing(s, '{', '}'); end > 0 {
			global = parseVars(s[1:end])
			s = s[end+1:]
		}
	}
	var legs []legSpec
	for _, part := range splitTop(s) {
		var leg legSpec
		for strings.HasPrefix(part, "[") || strings.HasPrefix(part, "<") {
			open, shut := part[0], byte(']')
			if open == '<' {
				shut = '>'
			}
			end := closing(part, open, shut)
			if end < 0 {
				break
			}
			leg.vars = append(leg.vars, parseVars(part[1:end])...)
			part = part[end+1:]
		}
		leg.endpoint = strings.TrimSpace(part)
		if leg.endpoint != "" {
			legs = append(legs, leg)
		}
	}
	return global, legs
}

// closing finds the bracket closing s[0], skipping quoted text.
func closing(s string, open, shut byte) int {
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == open:
			depth++
		case c == shut:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitTop splits on ',' and '|' outside brackets and quotes ("\," escapes).
func splitTop(s string) []string {
	var parts []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '[' || c == '{' || c == '<':
			depth++
		case c == ']' || c == '}' || c == '>':
			depth--
		case depth == 0 && (c == ',' || c == '|' || strings.HasPrefix(s[i:], ":_:")):
			parts = append(parts, s[start:i])
			if c == ':' {
				i += 2
			}
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// parseVars parses "a=1,b='x y',c=1\,2" or "^^;a=1;b=x,y".
func parseVars(s string) []header {
	sep := byte(',')
	if strings.HasPrefix(s, "^^") && len(s) > 2 {
		sep, s = s[2], s[3:]
	}
	var out []header
	var cur strings.Builder
	quoted := false
	flush := func() {
		if name, value, ok := strings.Cut(cur.String(), "="); ok {
			out = append(out, header{strings.TrimSpace(name), strings.Trim(value, "'")})
		}
		cur.Reset()
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == sep:
			cur.WriteByte(sep)
			i++
		case c == '\'':
			quoted = !quoted
			cur.WriteByte(c)
		case c == sep && !quoted:
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

// dial tries the legs in order until one succeeds.
func (w *world) dial(req *dialRequest) {
	w.dialLeg(req, 0, "")
}

func (w *world) dialLeg(req *dialRequest, i int, lastCause string) {
	if i >= len(req.legs) {
		if lastCause == "" {
			lastCause = "INVALID_URL"
		}
		req.done(nil, lastCause)
		return
	}
	leg := req.legs[i]
	vars := append(append([]header{}, req.global...), leg.vars...)
	ch, cause := w.startLeg(leg.endpoint, vars, req)
	if ch == nil {
		w.dialLeg(req, i+1, cause)
		return
	}
	succeeded := false
	succeed := func() {
		if succeeded || !ch.isUp() {
			return
		}
		succeeded = true
		ch.vars.set("originate_disposition", "SUCCESS")
		ch.vars.set("DIALSTATUS", "SUCCESS")
		req.done(ch, "")
		if req.onSuccess != nil && ch.isUp() {
			req.onSuccess(ch)
		}
	}
	ch.onAnswer = append(ch.onAnswer, succeed)
	ch.onEarly = func() {
		if ch.vars.get("ignore_early_media") == "" || ch.vars.get("ignore_early_media") == "false" {
			succeed()
		}
	}
	ch.onHangup = append(ch.onHangup, func() {
		if !succeeded {
			succeeded = true
			if ch.cause != "NO_ANSWER" || i+1 >= len(req.legs) {
				w.dialLeg(req, len(req.legs), ch.cause)
				return
			}
			w.dialLeg(req, i+1, ch.cause)
		}
	})
	timeout := req.timeout
	for _, name := range []string{"leg_timeout", "originate_timeout", "call_timeout"} {
		if n := atoi(ch.vars.get(name)); n > 0 {
			timeout = time.Duration(n) * time.Second
			break
		}
	}
	w.after(ch, timeout, func() {
		if !succeeded {
			w.hangup(ch, "NO_ANSWER", "send_cancel")
		}
	})
}

// startLeg creates the channel for one endpoint, or returns the cause for
// which FreeSWITCH refuses it before any channel exists.
func (w *world) startLeg(endpoint string, vars []header, req *dialRequest) (*channel, string) {
	kind, rest, _ := strings.Cut(endpoint, "/")
	var cl *callee
	name, dest := endpoint, rest
	switch kind {
	case "sofia":
		profileName, target, _ := strings.Cut(rest, "/")
		if profileName == "gateway" {
			gwName, number, _ := strings.Cut(target, "/")
			if cause := w.gatewayAdmit(gwName); cause != "" {
				return nil, cause
			}
			dest, name = number, "sofia/external/"+number
			cl = w.scen.customer(number)
			vars = append(vars, header{"sip_gateway_name", gwName})
			break
		}
		user, _, _ := strings.Cut(strings.TrimPrefix(target, "sip:"), "@")
		dest = user
		if u := w.scen.users[user]; u != nil {
			cl = w.userCallee(u)
		} else {
			cl = w.scen.customer(user)
		}
	case "user":
		ext, _, _ := strings.Cut(rest, "@")
		u := w.scen.users[ext]
		if u == nil {
			return nil, "SUBSCRIBER_ABSENT"
		}
		if !u.Registered {
			return nil, "USER_NOT_REGISTERED"
		}
		dest, name = ext, "sofia/internal/"+ext+"@127.0.0.1"
		cl = w.userCallee(u)
		vars = append(vars, header{"dialed_user", ext}, header{"dialed_domain", "127.0.0.1"},
			header{"presence_id", ext + "@127.0.0.1"})
	case "loopback":
		ext, _, _ := strings.Cut(rest, "/")
		dest, name = ext, "loopback/"+ext+"-a"
		cl = &callee{outcome: OutcomeAnswer}
	case "error":
		return nil, causeName(rest)
	default:
		return nil, "CHAN_NOT_IMPLEMENTED"
	}
	id := uuid.NewString()
	for _, v := range vars {
		if v.name == "origination_uuid" && v.value != "" {
			id = v.value
		}
	}
	if w.channels[id] != nil {
		return nil, "INVALID_NUMBER_FORMAT"
	}
	ch := w.outboundLeg(id, name, dest, vars, cl, req)
	if gw := w.scen.gateways[ch.vars.get("sip_gateway_name")]; gw != nil {
		gw.active++ // released in reportAndDestroy
	}
	return ch, ""
}

func (w *world) userCallee(u *userState) *callee {
	cl := &callee{outcome: OutcomeNoAnswer, ring: u.AnswerDelay, user: u, dtmf: strings.Fields(u.DTMF)}
	if u.AutoAnswer {
		cl.outcome = OutcomeAnswer
	}
	return cl
}

// outboundLeg builds, announces and starts ringing an outbound channel.
func (w *world) outboundLeg(id, name, dest string, vars []header, cl *callee, req *dialRequest) *channel {
	get := func(n, def string) string {
		for i := len(vars) - 1; i >= 0; i-- {
			if vars[i].name == n {
				return vars[i].value
			}
		}
		return def
	}
	prof := profile{direction: "outbound", dialplan: "XML", context: "default", source: "mod_sofia",
		cidName:    get("origination_caller_id_name", "FreeSWITCH"),
		cidNum:     get("origination_caller_id_number", "0000000000"),
		calleeName: "Outbound Call", calleeNum: dest, dest: dest, networkAddr: "127.0.0.1"}
	prof.ani = prof.cidNum
	if a := req.aLeg; a != nil {
		prof.username = a.prof.username
		prof.cidName, prof.cidNum = get("origination_caller_id_name", a.prof.cidName), get("origination_caller_id_number", a.prof.cidNum)
	}
	ch := w.newChannel(id, name, "outbound", prof)
	ch.callee = cl
	ch.dtmfAnswers = cl.dtmf
	ch.vars.set("sip_profile_name", "external")
	ch.vars.set("sip_call_id", uuid.NewString())
	if a := req.aLeg; a != nil {
		ch.other, ch.otherType = a, "originator"
		ch.vars.set("call_uuid", a.uuid)
		ch.vars.set("originator", a.uuid)
		ch.vars.set("originating_leg_uuid", a.uuid)
		for _, v := range a.exported {
			ch.vars.set(v.name, v.value)
		}
	}
	for _, v := range vars {
		ch.vars.set(v.name, v.value)
	}
	ch.vars.set("origination_uuid", id)
	w.start(ch)
	w.emit("CHANNEL_OUTGOING", ch)
	w.runCallee(ch)
	return ch
}

// runCallee plays the far end's part from the scenario. The final answer
// or refusal is scheduled from the progress step, so 180/183 always comes
// first however late the timers fire on a busy machine.
func (w *world) runCallee(ch *channel) {
	cl := ch.callee
	switch cl.outcome {
	case OutcomeInvalid:
		w.after(ch, 100*time.Millisecond, func() { w.hangup(ch, "UNALLOCATED_NUMBER", "recv_refuse") })
		return
	}
	progress := min(cl.ring, 500*time.Millisecond)
	w.after(ch, progress, func() {
		if cl.earlyMedia {
			w.preAnswer(ch)
			if ch.onEarly != nil {
				ch.onEarly()
			}
		} else {
			w.ring(ch)
		}
		w.after(ch, cl.ring-progress, func() {
			switch cl.outcome {
			case OutcomeAnswer, OutcomeMachine:
				w.calleeAnswers(ch)
			case OutcomeBusy:
				w.hangup(ch, "USER_BUSY", "recv_refuse")
			case OutcomeRejected:
				w.hangup(ch, "CALL_REJECTED", "recv_refuse")
			}
		})
	})
}

func (w *world) calleeAnswers(ch *channel) {
	if ch.callee.outcome == OutcomeMachine {
		ch.vars.set("sim_answered_by", "machine")
	}
	w.answer(ch)
	// a fax machine stays on the line until the sender is done
	if talk := ch.callee.talk; talk > 0 && ch.callee.fax == nil {
		w.after(ch, talk, func() { w.hangup(ch, "NORMAL_CLEARING", "recv_bye") })
	}
}

// gatewayAdmit applies a gateway's state and limits (doc 3.2 causes).
func (w *world) gatewayAdmit(name string) string {
	gw := w.scen.gateways[name]
	switch {
	case gw == nil:
		return "INVALID_GATEWAY"
	case gw.Down:
		return "GATEWAY_DOWN"
	}
	gw.callsOut++
	now := time.Now()
	cut := 0
	for cut < len(gw.recent) && now.Sub(gw.recent[cut]) > w.s.scaled(time.Second) {
		cut++
	}
	gw.recent = gw.recent[cut:]
	switch {
	case gw.MaxChannels > 0 && gw.active >= gw.MaxChannels:
		gw.failOut++
		return "NORMAL_CIRCUIT_CONGESTION"
	case gw.CallsPerSecond > 0 && len(gw.recent) >= gw.CallsPerSecond:
		gw.failOut++
		return "NORMAL_TEMPORARY_FAILURE"
	}
	gw.recent = append(gw.recent, now)
	return ""
}

func (w *world) releaseGateway(ch *channel) {
	if gw := w.scen.gateways[ch.vars.get("sip_gateway_name")]; gw != nil && gw.active > 0 {
		gw.active--
	}
}

// dialResult formats an originate result as the API prints it.
func dialResult(ch *channel, cause string) string {
	if ch == nil {
		return "-ERR " + cause + "\n"
	}
	return "+OK " + ch.uuid + "\n"
}

// originateAPI runs `originate <url> <exten>|&app(args) [dialplan] [context]
// [cid_name] [cid_num] [timeout]`; result gets the reply body once known.
func (w *world) originateAPI(args string, result func(string)) {
	argv := splitArgs(args)
	if len(argv) < 2 {
		result("-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n")
		return
	}
	at := func(i int) string {
		if i < len(argv) && argv[i] != "undef" {
			return argv[i]
		}
		return ""
	}
	global, legs := parseDialString(argv[0])
	if n := at(4); n != "" {
		global = append(global, header{"origination_caller_id_name", n})
	}
	if n := at(5); n != "" {
		global = append(global, header{"origination_caller_id_number", n})
	}
	timeout := 60 * time.Second
	if n, err := strconv.Atoi(at(6)); err == nil && n > 0 {
		timeout = time.Duration(n) * time.Second
	}
	target := argv[1]
	req := &dialRequest{global: global, legs: legs, timeout: timeout,
		done: func(ch *channel, cause string) { result(dialResult(ch, cause)) }}
	req.onSuccess = func(ch *channel) {
		ch.ready = true
		if app, ok := strings.CutPrefix(target, "&"); ok {
			name, arg, _ := strings.Cut(app, "(")
			ch.dialplan = []appCall{{name: name, arg: strings.TrimSuffix(arg, ")")}}
			w.setState(ch, csExecute)
			w.next(ch)
			return
		}
		w.routeTo(ch, target, at(2))
	}
	w.dial(req)
}

// splitArgs splits on spaces outside single quotes and strips the quotes
// around whole words, like switch_separate_string.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, any := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			quoted = !quoted
			cur.WriteByte(c)
			any = true
		case c == ' ' && !quoted:
			if any {
				out = append(out, unquote(cur.String()))
			}
			cur.Reset()
			any = false
		default:
			cur.WriteByte(c)
			any = true
		}
	}
	if any {
		out = append(out, unquote(cur.String()))
	}
	return out
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return s[1 : len(s)-1]
	}
	return s
}
