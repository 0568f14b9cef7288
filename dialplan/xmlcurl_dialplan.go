package dialplan

import (
	"encoding/xml"
	"log/slog"
	"net/http"
)

// Dialplan context names. The controller transfers and originates into
// them ("<exten> XML <context>"); freeswitch-conf/dialplan holds the same
// contexts as static files for when the controller is unreachable.
const (
	// IVRContext: ivr_<flow> hands the call to the ivr socket server with
	// ivr_flow=<flow> (e.g. uuid_transfer <uuid> ivr_verify_id XML ivr).
	IVRContext = "ivr"
	// QueueContext: <queue> answers and parks the call with
	// cc_queue=<queue> (an agent group's name) for the agent desk, which
	// takes parked legs carrying cc_queue from the pool stream; the IVR's
	// queue step transfers here.
	QueueContext = "queue"
	// VoicemailContext: vm_<box> records a voicemail for box.
	VoicemailContext = "voicemail"
	// DialerContext: legs the controller originates into the dialplan
	// ("park XML dialer", "ivr_<flow> XML dialer").
	DialerContext = "dialer"
	// InboundContext: calls from the carriers (the external profile's
	// ACL-passed calls and the gateways' calls). Every destination parks,
	// unanswered, with cc_inbound=true for the agent desk; nothing else is
	// reachable from a trunk.
	InboundContext = "inbound"
)

// DialplanOptions shapes the generated contexts.
type DialplanOptions struct {
	// SocketAddr is the ivr server as FreeSWITCH reaches it (default
	// DefaultIVRSocketAddr).
	SocketAddr string
	// ExtensionPattern matches agents' extensions, capturing the number
	// (default ^(\d{3,6})$).
	ExtensionPattern string
	Logger           *slog.Logger
}

func (o DialplanOptions) withDefaults() DialplanOptions {
	if o.SocketAddr == "" {
		o.SocketAddr = DefaultIVRSocketAddr
	}
	if o.ExtensionPattern == "" {
		o.ExtensionPattern = `^(\d{3,6})$`
	}
	return o
}

// DialplanContext is one dialplan context as data.
type DialplanContext struct {
	Name       string              `xml:"name,attr"`
	Extensions []DialplanExtension `xml:"extension"`
}

// DialplanExtension matches Expression against the channel's Field
// (destination_number) and runs Actions in order.
type DialplanExtension struct {
	Name    string
	Field   string
	Expr    string
	Actions []DialplanAction
}

// DialplanAction is one application and its data.
type DialplanAction struct {
	App  string `xml:"application,attr"`
	Data string `xml:"data,attr,omitempty"`
}

type xmlcurlContext = DialplanContext

// xmlcurlExtension is the wire form of an extension:
// <extension name><condition field expression><action .../></condition>.
type xmlcurlExtension struct {
	Name string `xml:"name,attr"`
	Cond struct {
		Field   string           `xml:"field,attr"`
		Expr    string           `xml:"expression,attr"`
		Actions []DialplanAction `xml:"action"`
	} `xml:"condition"`
}

// MarshalXML writes the extension in FreeSWITCH's form.
func (e DialplanExtension) MarshalXML(enc *xml.Encoder, start xml.StartElement) error {
	var x xmlcurlExtension
	x.Name, x.Cond.Field, x.Cond.Expr, x.Cond.Actions = e.Name, e.Field, e.Expr, e.Actions
	return enc.EncodeElement(x, start)
}

// UnmarshalXML reads an extension with one condition (the form written by
// MarshalXML and used in freeswitch-conf/dialplan).
func (e *DialplanExtension) UnmarshalXML(dec *xml.Decoder, start xml.StartElement) error {
	var x xmlcurlExtension
	if err := dec.DecodeElement(&x, &start); err != nil {
		return err
	}
	*e = DialplanExtension{Name: x.Name, Field: x.Cond.Field, Expr: x.Cond.Expr, Actions: x.Cond.Actions}
	return nil
}

func xmlcurlDest(name, expr string, actions ...DialplanAction) DialplanExtension {
	return DialplanExtension{Name: name, Field: "destination_number", Expr: expr, Actions: actions}
}

func xmlcurlAct(app, data string) DialplanAction { return DialplanAction{App: app, Data: data} }

// DialplanContexts returns every context the system needs. The variables
// they set on a leg the agent desk picks up from the pool stream:
// cc_queue=<group> (queue context, answered) and cc_inbound=true (inbound
// context: a carrier's call, still unanswered; its destination_number is
// the dialed number, auto_to_user on registered trunks).
func DialplanContexts(opts DialplanOptions) []DialplanContext {
	o := opts.withDefaults()
	socket := xmlcurlAct("socket", o.SocketAddr+" async full")
	toIVR := xmlcurlDest("ivr_flow", `^ivr_([a-z0-9_]+)$`, xmlcurlAct("set", "ivr_flow=$1"), socket)
	return []DialplanContext{
		{Name: IVRContext, Extensions: []DialplanExtension{toIVR}},
		{Name: QueueContext, Extensions: []DialplanExtension{
			xmlcurlDest("queue", `^([A-Za-z0-9_.-]+)$`, xmlcurlAct("answer", ""), xmlcurlAct("set", "cc_queue=$1"), xmlcurlAct("park", "")),
		}},
		{Name: VoicemailContext, Extensions: []DialplanExtension{
			xmlcurlDest("leave_voicemail", `^vm_(\d+)$`, xmlcurlAct("answer", ""), xmlcurlAct("voicemail", "default ${domain_name} $1")),
		}},
		{Name: AgentContext, Extensions: []DialplanExtension{
			xmlcurlDest("voicemail_check", `^\*98$`, xmlcurlAct("answer", ""),
				xmlcurlAct("voicemail", "check default ${domain_name} ${sip_from_user}")),
			xmlcurlDest("agent_to_agent", o.ExtensionPattern,
				xmlcurlAct("set", "hangup_after_bridge=true"), xmlcurlAct("set", "continue_on_fail=true"),
				xmlcurlAct("set", "call_timeout=30"), xmlcurlAct("bridge", "user/$1@${domain_name}"),
				xmlcurlAct("answer", ""), xmlcurlAct("voicemail", "default ${domain_name} $1")),
			// No route to outside numbers: agents dial them from the desktop
			// (POST /api/v1/me/calls/new/dial), where the controller applies
			// the do-not-call and calling-window checks and chooses the
			// gateway and caller ID. A phone dialing one gets
			// NO_ROUTE_DESTINATION.
		}},
		{Name: DialerContext, Extensions: []DialplanExtension{
			xmlcurlDest("park", `^park$`, xmlcurlAct("park", "")),
			toIVR,
		}},
		{Name: InboundContext, Extensions: []DialplanExtension{
			xmlcurlDest("inbound", `^(.+)$`, xmlcurlAct("set", "cc_inbound=true"), xmlcurlAct("park", "")),
		}},
	}
}

// DialplanXML is the mod_xml_curl answer for one context, or false when
// the context is not one of ours.
func DialplanXML(name string, opts DialplanOptions) ([]byte, bool) {
	for _, c := range DialplanContexts(opts) {
		if c.Name == name {
			b, err := xmlcurlMarshal(xmlcurlDoc{Section: xmlcurlSection{Name: "dialplan", Contexts: []xmlcurlContext{c}}})
			return b, err == nil
		}
	}
	return nil, false
}

// NewDialplanHandler answers section=dialplan requests with the context
// the channel is routed in (Hunt-Context, else Caller-Context).
func NewDialplanHandler(opts DialplanOptions) http.Handler {
	log := xmlcurlLogger(opts.Logger)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !xmlcurlParse(w, r, log) {
			return
		}
		name := r.FormValue("Hunt-Context")
		if name == "" {
			name = r.FormValue("Caller-Context")
		}
		body, ok := DialplanXML(name, opts)
		if r.FormValue("section") != "dialplan" || !ok {
			xmlcurlWrite(w, NotFoundXML())
			return
		}
		xmlcurlWrite(w, body)
	})
}
