package switchtest

import (
	"github.com/bankcc/callcenter/controller"
	"github.com/google/uuid"
)

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
	s.emit(l, controller.Event{Kind: controller.EventPark, Call: l.call})
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
