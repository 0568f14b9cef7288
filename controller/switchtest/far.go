package switchtest

import (
	"net/textproto"

	"github.com/bankcc/callcenter/controller"
	"github.com/google/uuid"
)

// Far plays the far end of one leg: the customer, the agent's phone, the
// trunk. Get one with Switch.Far.
type Far struct {
	s    *Switch
	uuid string
}

// Far returns the far end of a leg.
func (s *Switch) Far(uuid string) *Far { return &Far{s: s, uuid: uuid} }

// with runs fn on the live leg, or reports the mistake to the test.
func (f *Far) with(step string, fn func(l *Leg)) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	l := f.s.legs[f.uuid]
	if l == nil || l.rec.State == controller.StateEnded {
		f.s.t.Errorf("switchtest: %s on %s: no such live leg", step, f.uuid)
		return
	}
	fn(l)
}

// Ring is the 180.
func (f *Far) Ring() {
	f.with("ring", func(l *Leg) {
		if l.rec.State == controller.StateDialing {
			l.rec.State = controller.StateRinging
			f.s.emit(l, controller.Event{Kind: controller.EventRinging})
		}
	})
}

// EarlyMedia is the 183 with media.
func (f *Far) EarlyMedia() {
	f.with("early media", func(l *Leg) {
		if l.rec.State == controller.StateDialing || l.rec.State == controller.StateRinging {
			l.rec.State = controller.StateEarly
			f.s.emit(l, controller.Event{Kind: controller.EventEarlyMedia})
		}
	})
}

// Answer answers the leg; a leg originated without an App then parks. A
// verdict other than AMDUnknown follows as an amd event, as amd or avmd
// deliver it after the answer.
func (f *Far) Answer(v controller.AMDVerdict) {
	f.with("answer", func(l *Leg) {
		f.s.answer(l, true)
		f.s.verdict(l, v)
	})
}

// AMD delivers an answering-machine verdict.
func (f *Far) AMD(v controller.AMDVerdict) { f.with("amd", func(l *Leg) { f.s.verdict(l, v) }) }

// Beep delivers mod_avmd's beep as the controller does: an amd event with
// Subclass avmd::beep, every time (the verdict machine, even if known).
func (f *Far) Beep() {
	f.with("beep", func(l *Leg) {
		l.rec.AMD, l.rec.Machine = controller.AMDMachine, true
		f.s.emit(l, controller.Event{Kind: controller.EventAMD, AMD: controller.AMDMachine, Name: "CUSTOM",
			Subclass: controller.SubclassAVMDBeep})
	})
}

// DTMF keys digits, one event each.
func (f *Far) DTMF(digits string) {
	f.with("dtmf", func(l *Leg) {
		for _, d := range digits {
			f.s.emit(l, controller.Event{Kind: controller.EventDTMF, DTMF: controller.DTMF{Digit: string(d), Duration: 1600, Source: "RTP"}})
		}
	})
}

// Complete ends the application the leg runs (a broadcast's playback, a
// conference) with FreeSWITCH's response, e.g. "FILE PLAYED".
func (f *Far) Complete(response string) {
	f.with("complete", func(l *Leg) { f.s.completeApp(l, response, false) })
}

// Hangup hangs the leg up from the far end with a cause.
func (f *Far) Hangup(cause string) { f.HangupSIP(cause, 0) }

// HangupSIP hangs up with a cause and the final SIP code (sip_term_status).
func (f *Far) HangupSIP(cause string, sip int) {
	f.with("hangup", func(l *Leg) { f.s.hangup(l, cause, sip) })
}

// Inbound makes a call arrive from outside (a customer, an agent's phone):
// the dialplan parks it for the controller. Its events go to the pool
// stream (Subscribe), as no Leg owns it; commands work on its uuid.
func (s *Switch) Inbound(from, to string) string {
	return s.InboundCall(controller.CallInfo{Direction: "inbound", Context: "inbound", DestinationNumber: to,
		CallerIDNumber: from, Vars: map[string]string{"cc_inbound": "true"}})
}

// InboundCall is Inbound with the caller profile and cc_* variables the
// dialplan would set, e.g. a caller the IVR sent to a queue:
// CallInfo{Context: "queue", Vars: {"cc_queue": "3"}}. The create and park
// events carry it on the pool stream.
func (s *Switch) InboundCall(info controller.CallInfo) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.newLeg(controller.OriginateRequest{UUID: uuid.NewString(), Number: info.DestinationNumber}, false)
	l.rec.Destination = info.DestinationNumber
	l.call = &info
	s.emit(l, controller.Event{Kind: controller.EventCreate, Call: l.call})
	s.park(l)
	return l.uuid
}

// Register registers a SIP user on a node: Locate finds it there and the
// pool stream gets sofia::register.
func (s *Switch) Register(user, node string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.regs[user] = node
	s.custom(node, "", "sofia::register", map[string]string{"from-user": user, "profile-name": "internal", "expires": "3600"})
}

// Unregister removes a SIP user's registration (sofia::unregister).
func (s *Switch) Unregister(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	node := s.regs[user]
	delete(s.regs, user)
	s.custom(node, "", "sofia::unregister", map[string]string{"from-user": user, "profile-name": "internal", "expires": "0"})
}

// Custom fires a CUSTOM event (spandsp::txfaxresult, ...): on the pool
// stream, and on the leg's own stream when uuid is an originated leg.
func (s *Switch) Custom(uuid, subclass string, headers map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	node := DefaultNode
	if l := s.legs[uuid]; l != nil {
		node = l.node
	}
	s.custom(node, uuid, subclass, headers)
}

func (s *Switch) custom(node, uuid, subclass string, headers map[string]string) {
	h := make(map[string]string, len(headers))
	for k, v := range headers {
		h[textproto.CanonicalMIMEHeaderKey(k)] = v
	}
	e := controller.Event{Kind: controller.EventCustom, Name: "CUSTOM", Subclass: subclass, Headers: h,
		UUID: uuid, Node: node, At: s.clock.Now()}
	s.publish(e)
	if l := s.legs[uuid]; l != nil && l.owned {
		s.emit(l, e)
	}
}
