package dialplan

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrUnsafeValue reports a variable name or value that cannot be written
// into an originate string without changing its meaning (a quote, a bracket,
// a line break). Callers sanitise such text before dialing instead of
// letting FreeSWITCH misparse it.
var ErrUnsafeValue = errors.New("dialplan: unsafe value in originate")

// Var is one channel variable. Order is kept so that the built string is
// deterministic (eslgo's map-based builder is not).
type Var struct {
	Name  string
	Value string
}

// Leg is one endpoint to ring with its own [per-leg] variables.
type Leg struct {
	Vars     []Var
	Endpoint string // e.g. sofia/gateway/trunk1/15551234 or user/1001@default
}

// Originate describes an `originate` API call. Legs ring together when
// Simultaneous is set, otherwise one after another (FreeSWITCH "|").
type Originate struct {
	Global       []Var
	Legs         []Leg
	Simultaneous bool
	// Target is an extension number or an application (see Park, Socket, App).
	Target         string
	Dialplan       string // default XML when Context is set
	Context        string
	CallerIDName   string
	CallerIDNumber string
	Timeout        time.Duration // originate_timeout; zero keeps the switch default
}

// Args returns the text after "originate " on the wire, or ErrUnsafeValue.
func (o Originate) Args() (string, error) {
	if len(o.Legs) == 0 || o.Target == "" {
		return "", fmt.Errorf("%w: originate needs a leg and a target", ErrUnsafeValue)
	}
	global := append([]Var(nil), o.Global...)
	if o.Timeout > 0 {
		global = append(global, Var{"originate_timeout", strconv.Itoa(int(o.Timeout.Seconds()))})
	}
	if o.CallerIDName != "" {
		global = append(global, Var{"origination_caller_id_name", o.CallerIDName})
	}
	if o.CallerIDNumber != "" {
		global = append(global, Var{"origination_caller_id_number", o.CallerIDNumber})
	}
	var b strings.Builder
	if err := writeVars(&b, '{', '}', global); err != nil {
		return "", err
	}
	if err := o.writeLegs(&b); err != nil {
		return "", err
	}
	b.WriteByte(' ')
	b.WriteString(o.Target)
	o.writeTail(&b)
	return b.String(), nil
}

func (o Originate) writeLegs(b *strings.Builder) error {
	sep := "|"
	if o.Simultaneous {
		sep = ","
	}
	for i, leg := range o.Legs {
		if i > 0 {
			b.WriteString(sep)
		}
		if leg.Endpoint == "" || strings.ContainsAny(leg.Endpoint, " ,|'{}[]\r\n") {
			return fmt.Errorf("%w: endpoint %q", ErrUnsafeValue, leg.Endpoint)
		}
		if err := writeVars(b, '[', ']', leg.Vars); err != nil {
			return err
		}
		b.WriteString(leg.Endpoint)
	}
	return nil
}

// writeTail adds dialplan and context only when asked: the caller ID and
// timeout travel as variables, which avoids the positional `undef` dance.
func (o Originate) writeTail(b *strings.Builder) {
	if o.Context == "" && o.Dialplan == "" {
		return
	}
	dp := o.Dialplan
	if dp == "" {
		dp = "XML"
	}
	ctx := o.Context
	if ctx == "" {
		ctx = "default"
	}
	b.WriteString(" " + dp + " " + ctx)
}

func writeVars(b *strings.Builder, open, end byte, vars []Var) error {
	if len(vars) == 0 {
		return nil
	}
	b.WriteByte(open)
	for i, v := range vars {
		if !validVarName(v.Name) {
			return fmt.Errorf("%w: variable name %q", ErrUnsafeValue, v.Name)
		}
		val, err := EscapeValue(v.Value)
		if err != nil {
			return fmt.Errorf("variable %s: %w", v.Name, err)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(v.Name + "=" + val)
	}
	b.WriteByte(end)
	return nil
}

func validVarName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		ok := r == '_' || r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// EscapeValue makes v safe inside {} or []: commas become `\,` (the pair
// separator) and a value with spaces is wrapped in single quotes because
// FreeSWITCH splits the whole command on spaces first. Quotes, brackets and
// control characters cannot be expressed reliably and give ErrUnsafeValue.
func EscapeValue(v string) (string, error) {
	for _, r := range v {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`'{}[]<>\`, r) {
			return "", fmt.Errorf("%w: %q", ErrUnsafeValue, v)
		}
	}
	v = strings.ReplaceAll(v, ",", `\,`)
	if strings.ContainsAny(v, " \t") {
		v = "'" + v + "'"
	}
	return v, nil
}

// GatewayEndpoint is the dial string of a number through a sofia gateway.
func GatewayEndpoint(gateway, number string) string {
	return "sofia/gateway/" + gateway + "/" + number
}

// UserEndpoint is the dial string of a registered SIP user (an agent's
// phone); domain may be empty to use the switch's default domain.
func UserEndpoint(ext, domain string) string {
	if domain == "" {
		return "user/" + ext
	}
	return "user/" + ext + "@" + domain
}

// OriginationUUID is the per-leg variable that fixes the new channel's uuid,
// so the controller knows it before FreeSWITCH replies. It belongs in the
// leg's [] (eslgo drops it from the global {} anyway).
func OriginationUUID(uuid string) Var { return Var{"origination_uuid", uuid} }

// Park is the target that parks the answered leg, leaving it to be driven
// over the inbound event socket.
func Park() string { return "&park()" }

// App is the target that runs one application on answer. The whole
// argument is quoted when it holds spaces so the command split keeps it whole.
func App(name, args string) string {
	s := "&" + name + "(" + args + ")"
	if strings.ContainsAny(args, " \t") {
		return "'" + s + "'"
	}
	return s
}

// Socket is the target that hands the answered leg to an outbound event
// socket; async full is what the IVR server needs (see freeswitch-esl.md 1.5).
func Socket(addr string) string { return App("socket", addr+" async full") }

// Extension is the target that sends the leg through the dialplan; use it
// together with Originate.Context.
func Extension(exten string) string { return exten }
