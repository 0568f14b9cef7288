package switchtest

import (
	"context"
	"net/textproto"
	"strconv"
	"sync"

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
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.newLeg(controller.OriginateRequest{UUID: uuid.NewString(), Number: to}, false)
	l.rec.Destination = to
	s.emit(l, controller.Event{Kind: controller.EventCreate})
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

// emit numbers and stamps an event of a leg and hands it to the leg's
// stream (originated legs) or the pool stream (the others). s.mu is held.
func (s *Switch) emit(l *Leg, e controller.Event) {
	e.UUID, e.Node = l.uuid, l.node
	if e.At.IsZero() {
		e.At = s.clock.Now()
	}
	if e.Kind == controller.EventHangup {
		e.At = l.rec.HungupAt
	}
	rec := l.rec
	rec.OtherUUIDs = append([]string(nil), rec.OtherUUIDs...)
	if !l.owned {
		l.stream.setRecord(rec)
		s.publish(e)
		return
	}
	l.seq++
	e.Seq = l.seq
	l.stream.add(e, rec)
}

func (s *Switch) answer(l *Leg, target bool) {
	if !l.rec.AnsweredAt.IsZero() || l.rec.State == controller.StateEnded {
		return
	}
	l.rec.State, l.rec.AnsweredAt = controller.StateAnswered, s.clock.Now()
	s.emit(l, controller.Event{Kind: controller.EventAnswer, AMD: l.rec.AMD})
	closeOnce(l.answered)
	if !target || !l.owned {
		return
	}
	if l.req.App == "" {
		s.park(l)
		return
	}
	s.startApp(l, controller.App{Name: l.req.App, Data: l.req.AppArgs})
}

func (s *Switch) verdict(l *Leg, v controller.AMDVerdict) {
	if v == controller.AMDUnknown || v == l.rec.AMD {
		return
	}
	l.rec.AMD, l.rec.Machine = v, v == controller.AMDMachine
	s.emit(l, controller.Event{Kind: controller.EventAMD, AMD: v})
}

// bridge joins a and b as uuid_bridge does: each leaves what it did (park,
// an app, an earlier bridge), is answered, and gets a bridge event naming
// the other.
func (s *Switch) bridge(a, b *Leg) {
	for _, l := range []*Leg{a, b} {
		if l.other != nil && l.other != a && l.other != b {
			s.leave(l, true)
		}
		s.unpark(l)
		s.completeApp(l, "_none_", true)
	}
	s.answer(a, false)
	s.answer(b, false)
	now := s.clock.Now()
	for _, p := range [][2]*Leg{{a, b}, {b, a}} {
		l, o := p[0], p[1]
		l.other, l.rec.Bridged = o, true
		if l.rec.BridgedAt.IsZero() {
			l.rec.BridgedAt = now
		}
		if !containsString(l.rec.OtherUUIDs, o.uuid) {
			l.rec.OtherUUIDs = append(l.rec.OtherUUIDs, o.uuid)
		}
		s.emit(l, controller.Event{Kind: controller.EventBridge, Other: o.uuid})
		closeOnce(l.bridged)
	}
}

// leave takes l out of its bridge, park and app; its partner, if any,
// parks (park_after_bridge) or, for a leg we did not originate, hangs up
// (FreeSWITCH's default after a bridge) when partnerFollows.
func (s *Switch) leave(l *Leg, partnerFollows bool) {
	p := l.other
	s.unbridge(l)
	s.unpark(l)
	s.completeApp(l, "_none_", true)
	if p != nil && partnerFollows {
		s.afterBridge(p)
	}
}

func (s *Switch) afterBridge(p *Leg) {
	if p.rec.State == controller.StateEnded {
		return
	}
	if p.owned {
		s.park(p)
		return
	}
	s.hangup(p, "NORMAL_CLEARING", 0)
}

func (s *Switch) unbridge(l *Leg) {
	p := l.other
	if p == nil {
		return
	}
	l.other, p.other = nil, nil
	for _, pair := range [][2]*Leg{{l, p}, {p, l}} {
		pair[0].rec.Bridged = false
		if pair[0].rec.State != controller.StateEnded {
			s.emit(pair[0], controller.Event{Kind: controller.EventUnbridge, Other: pair[1].uuid})
		}
	}
}

func (s *Switch) park(l *Leg) {
	if l.parked {
		return
	}
	s.completeApp(l, "_none_", true)
	l.parked = true
	s.emit(l, controller.Event{Kind: controller.EventExecute, App: controller.App{Name: "park"}})
	s.emit(l, controller.Event{Kind: controller.EventPark})
}

func (s *Switch) unpark(l *Leg) {
	if !l.parked {
		return
	}
	l.parked = false
	s.emit(l, controller.Event{Kind: controller.EventUnpark})
	s.emit(l, controller.Event{Kind: controller.EventExecuteComplete, App: controller.App{Name: "park", Response: "_none_"}})
}

// startApp runs an application on l; playback also reports PLAYBACK_START
// (an "other" event, as on the Pool).
func (s *Switch) startApp(l *Leg, app controller.App) {
	s.completeApp(l, "_none_", true)
	app.UUID = uuid.NewString()
	l.app = &app
	s.emit(l, controller.Event{Kind: controller.EventExecute, App: app})
	if app.Name == "playback" {
		s.emit(l, controller.Event{Kind: controller.EventOther, Name: "PLAYBACK_START",
			Headers: map[string]string{"Playback-File-Path": app.Data}})
	}
}

// completeApp ends l's application; a playback cut short reports
// Playback-Status break, one played to its end done.
func (s *Switch) completeApp(l *Leg, response string, cut bool) {
	if l.app == nil {
		return
	}
	app := *l.app
	l.app = nil
	app.Response = response
	if app.Name == "playback" {
		status := "done"
		if cut {
			status = "break"
		}
		s.emit(l, controller.Event{Kind: controller.EventOther, Name: "PLAYBACK_STOP",
			Headers: map[string]string{"Playback-File-Path": app.Data, "Playback-Status": status}})
	}
	s.emit(l, controller.Event{Kind: controller.EventExecuteComplete, App: app})
}

// hangup ends a leg in FreeSWITCH's order: its app completes, the bridge
// ends (the partner parks or hangs up), park ends, then the hangup with
// the result class the Pool would give.
func (s *Switch) hangup(l *Leg, cause string, sip int) {
	if l.rec.State == controller.StateEnded {
		return
	}
	resp := "_none_"
	if l.app != nil && l.app.Name == "playback" {
		resp = "FILE PLAYED"
	}
	s.completeApp(l, resp, true)
	p := l.other
	s.unbridge(l)
	if p != nil {
		s.afterBridge(p)
	}
	s.unpark(l)
	r := &l.rec
	r.State, r.HangupCause, r.SIPCode, r.HungupAt, r.Held = controller.StateEnded, cause, sip, s.clock.Now(), false
	r.Result = controller.Classify(cause, sip, !r.AnsweredAt.IsZero())
	if r.Machine && r.Result == controller.ResultAnswered {
		r.Result = controller.ResultMachine
	}
	s.emit(l, controller.Event{Kind: controller.EventHangup, Hangup: &controller.Hangup{Cause: cause, SIPCode: sip,
		Result: r.Result, Created: r.CreatedAt, Answered: r.AnsweredAt, Bridged: r.BridgedAt, Hungup: r.HungupAt}})
	closeOnce(l.done)
}

func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// poolSub is one Subscribe stream: an unbounded queue fed to a channel.
type poolSub struct {
	mu   sync.Mutex
	q    []controller.Event
	wake chan struct{}
}

// Subscribe streams the events of legs not originated through the fake
// (Inbound) and every CUSTOM event, until ctx ends.
func (s *Switch) Subscribe(ctx context.Context) <-chan controller.Event {
	sub := &poolSub{wake: make(chan struct{}, 1)}
	out := make(chan controller.Event)
	s.mu.Lock()
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	go func() {
		defer close(out)
		defer func() {
			s.mu.Lock()
			delete(s.subs, sub)
			s.mu.Unlock()
		}()
		for {
			sub.mu.Lock()
			batch := sub.q
			sub.q = nil
			sub.mu.Unlock()
			for _, e := range batch {
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			}
			if len(batch) > 0 {
				continue
			}
			select {
			case <-sub.wake:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// publish queues a pool event for every subscriber; s.mu is held.
func (s *Switch) publish(e controller.Event) {
	e.Seq = 0
	for sub := range s.subs {
		sub.mu.Lock()
		sub.q = append(sub.q, e)
		sub.mu.Unlock()
		select {
		case sub.wake <- struct{}{}:
		default:
		}
	}
}

// String renders a command for failure messages.
func (c Command) String() string {
	out := string(c.Op)
	if c.UUID != "" {
		out += " " + c.UUID
	}
	for _, a := range c.Args {
		out += " " + a
	}
	if c.Op == OpOriginate || c.Op == OpEavesdrop {
		out += " " + c.Originate.Endpoint + c.Originate.Gateway + "/" + c.Originate.Number +
			" campaign=" + strconv.FormatInt(c.Originate.CampaignID, 10)
	}
	return out
}
