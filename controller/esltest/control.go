package esltest

import (
	"errors"
	"time"

	"github.com/google/uuid"
)

// ErrNoChannel is returned by the test controls for an unknown uuid.
var ErrNoChannel = errors.New("esltest: no such channel")

// Answer answers a ringing channel (an agent picking up a phone that has
// no auto-answer).
func (s *Server) Answer(id string) error {
	return s.onChannel(id, func(w *world, ch *channel) { w.answer(ch) })
}

// Hangup hangs a channel up from the far end with the given cause.
func (s *Server) Hangup(id, cause string) error {
	return s.onChannel(id, func(w *world, ch *channel) { w.hangup(ch, causeName(cause), "recv_bye") })
}

// SendDTMF makes the far end of a channel key digits (DTMF events, and
// input for a running read/play_and_get_digits/eavesdrop).
func (s *Server) SendDTMF(id, digits string) error {
	return s.onChannel(id, func(w *world, ch *channel) {
		for _, d := range digits {
			w.keyDTMF(ch, string(d))
		}
	})
}

func (s *Server) onChannel(id string, fn func(*world, *channel)) error {
	found := false
	s.call(func(w *world) {
		if ch := w.channels[id]; ch != nil {
			found = true
			fn(w, ch)
		}
	})
	if !found {
		return ErrNoChannel
	}
	return nil
}

// InboundCall describes a call arriving from outside (a customer calling
// in, or an agent's phone dialling).
type InboundCall struct {
	From, To string // caller number and dialled extension
	// Vars are extra channel variables.
	Vars map[string]string
	// DTMF the caller keys when prompted, one answer per prompt.
	DTMF []string
}

// InboundCall creates an inbound sofia channel, answers nothing yet and
// routes it through the scenario dialplan (To), e.g. to a socket app. It
// returns the channel's uuid.
func (s *Server) InboundCall(call InboundCall) (string, error) {
	if call.To == "" {
		return "", errors.New("esltest: inbound call needs To")
	}
	id := uuid.NewString()
	s.call(func(w *world) {
		name := "sofia/internal/" + call.From + "@127.0.0.1"
		prof := profile{direction: "inbound", username: call.From, dialplan: "XML", cidName: call.From,
			cidNum: call.From, origCidName: call.From, origCidNum: call.From, networkAddr: "127.0.0.1",
			ani: call.From, dest: call.To, source: "mod_sofia", context: "default"}
		ch := w.newChannel(id, name, "inbound", prof)
		ch.hitDialplan = true
		w.announceNew(ch)
		ch.media = true
		ch.dtmfAnswers = append([]string(nil), call.DTMF...)
		ch.callee = &callee{outcome: OutcomeAnswer}
		ch.vars.set("sip_call_id", uuid.NewString())
		ch.vars.set("sip_from_user", call.From)
		ch.vars.set("sip_to_user", call.To)
		for k, v := range call.Vars {
			ch.vars.set(k, v)
		}
		w.start(ch)
		w.setState(ch, csRouting)
		w.routeTo(ch, call.To, "")
	})
	return id, nil
}

// SetRegistered registers or unregisters a SIP user and fires the
// sofia::register / sofia::unregister event.
func (s *Server) SetRegistered(ext string, registered bool) error {
	kind := "sofia::unregister"
	if registered {
		kind = "sofia::register"
	}
	return s.registration(ext, registered, kind)
}

// ExpireRegistration lets a SIP user's registration run out (the phone
// stopped refreshing it) and fires sofia::expire.
func (s *Server) ExpireRegistration(ext string) error {
	return s.registration(ext, false, "sofia::expire")
}

// LoadModule makes module_exists answer true for module from now on, like
// `load <module>` at the switch's console.
func (s *Server) LoadModule(module string) {
	s.call(func(w *world) { w.scen.modules[module] = true })
}

func (s *Server) registration(ext string, registered bool, kind string) error {
	found := false
	s.call(func(w *world) {
		u := w.scen.users[ext]
		if u == nil {
			return
		}
		found = true
		u.Registered = registered
		e := w.newEvent(kind)
		for _, h := range registrationHeaders(kind, ext) {
			e.add(h.name, h.value)
		}
		w.fire(e)
	})
	if !found {
		return errors.New("esltest: unknown user " + ext)
	}
	return nil
}

// registrationHeaders are mod_sofia's headers for each registration event,
// in the order sofia_reg.c adds them.
func registrationHeaders(kind, ext string) []header {
	contact := "\"" + ext + "\" <sip:" + ext + "@127.0.0.1:5070>"
	callID := uuid.NewString()
	switch kind {
	case "sofia::register":
		return []header{{"profile-name", "internal"}, {"from-user", ext}, {"from-host", "127.0.0.1"},
			{"presence-hosts", "127.0.0.1"}, {"contact", contact}, {"call-id", callID}, {"rpid", "unknown"},
			{"status", "Registered(UDP)"}, {"expires", "3600"}, {"to-user", ext}, {"to-host", "127.0.0.1"},
			{"network-ip", "127.0.0.1"}, {"network-port", "5070"}, {"username", ext}, {"realm", "127.0.0.1"},
			{"user-agent", "fssim"}}
	case "sofia::unregister":
		return []header{{"profile-name", "internal"}, {"username", ext}, {"from-user", ext}, {"from-host", "127.0.0.1"},
			{"contact", contact}, {"call-id", callID}, {"rpid", "unknown"}, {"realm", "127.0.0.1"},
			{"network-ip", "127.0.0.1"}, {"network-port", "5070"}, {"user-agent", "fssim"}, {"expires", "0"}}
	}
	return []header{{"profile-name", "internal"}, {"call-id", callID}, {"user", ext}, {"username", ext},
		{"host", "127.0.0.1"}, {"contact", contact}, {"expires", "3600"}, {"user-agent", "fssim"},
		{"realm", "127.0.0.1"}, {"network-ip", "127.0.0.1"}, {"network-port", "5070"}}
}

// Burst fires n channel events (alternating CHANNEL_EXECUTE and
// CHANNEL_EXECUTE_COMPLETE of a parked call, with variables) as fast as
// the world can build them, to measure event throughput. It returns when
// all are queued to the connections.
func (s *Server) Burst(n int) {
	s.call(func(w *world) {
		ch := w.newChannel(uuid.NewString(), "sofia/external/13800138000", "outbound",
			profile{direction: "outbound", dialplan: "XML", cidName: "Bank", cidNum: "95500",
				calleeName: "Outbound Call", calleeNum: "13800138000", dest: "13800138000",
				source: "mod_sofia", context: "default", networkAddr: "127.0.0.1"})
		ch.answered, ch.media, ch.answerState, ch.callState = time.Now(), true, "answered", "ACTIVE"
		ch.state = csExecute
		for i := 0; i < 40; i++ {
			ch.vars.set("sim_var_"+itoa(i), "value "+itoa(i))
		}
		call := appCall{name: "playback", arg: "ivr/ivr-welcome.wav", appUUID: uuid.NewString()}
		for i := 0; i < n; i++ {
			if i%2 == 0 {
				w.executeEvent(ch, call)
			} else {
				w.completeEvent(ch, call, "FILE PLAYED")
			}
		}
		delete(w.channels, ch.uuid)
	})
}
