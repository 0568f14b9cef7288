package switchtest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/google/uuid"
)

func (s *Switch) Originate(_ context.Context, req controller.OriginateRequest) (controller.Leg, error) {
	return s.originate(Command{Op: OpOriginate, Originate: req})
}

func (s *Switch) originate(c Command) (controller.Leg, error) {
	req := c.Originate
	if req.UUID == "" {
		req.UUID = uuid.NewString()
	}
	c.Originate, c.UUID = req, req.UUID
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.Endpoint == "" && (req.Gateway == "" || req.Number == "") {
		c.Err = fmt.Errorf("%w: need a gateway and number, or an endpoint", controller.ErrInvalid)
		s.cmds = append(s.cmds, c)
		return nil, c.Err
	}
	if err := s.record(c); err != nil {
		return nil, err
	}
	l := s.newLeg(req, true)
	s.emit(l, controller.Event{Kind: controller.EventCreate})
	return l, nil
}

func (s *Switch) Eavesdrop(_ context.Context, req controller.EavesdropRequest) (controller.Leg, error) {
	s.mu.Lock()
	target := s.legs[req.TargetUUID]
	s.mu.Unlock()
	if target == nil {
		return nil, fmt.Errorf("%w: %s", controller.ErrNoSuchCall, req.TargetUUID)
	}
	o := controller.OriginateRequest{Endpoint: req.Endpoint, Node: target.node, CallerIDName: req.CallerIDName,
		AgentID: req.AgentID, App: "eavesdrop", AppArgs: req.TargetUUID}
	if req.Mode == controller.EavesdropBarge {
		o.App = "three_way"
	}
	return s.originate(Command{Op: OpEavesdrop, Args: []string{string(req.Mode)}, Originate: o})
}

func (s *Switch) newLeg(req controller.OriginateRequest, owned bool) *Leg {
	node := req.Node
	if node == "" {
		node = DefaultNode
	}
	dest := req.Number
	if req.Endpoint != "" {
		dest = req.Endpoint
	}
	l := &Leg{uuid: req.UUID, node: node, req: req, owned: owned,
		answered: make(chan struct{}), bridged: make(chan struct{}), done: make(chan struct{})}
	l.rec = controller.CallRecord{UUID: req.UUID, Node: node, Destination: dest, State: controller.StateDialing,
		CampaignID: req.CampaignID, ContactID: req.ContactID, AgentID: req.AgentID, CreatedAt: s.clock.Now()}
	s.legs[l.uuid] = l
	return l
}

func (s *Switch) SetLane(l controller.Lane) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.Priority < 0 || l.MaxCPS < 0 || l.MaxChannels < 0 {
		return fmt.Errorf("switchtest: lane of campaign %d: %w", l.CampaignID, controller.ErrInvalid)
	}
	if err := s.record(Command{Op: OpSetLane, Lane: l}); err != nil {
		return err
	}
	s.lanes[l.CampaignID] = l
	return nil
}

func (s *Switch) RemoveLane(campaignID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.record(Command{Op: OpRemoveLane, Lane: controller.Lane{CampaignID: campaignID}})
	delete(s.lanes, campaignID)
}

// Locate answers from the registrations the test made (Register).
func (s *Switch) Locate(_ context.Context, user string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, _, _ := strings.Cut(user, "@")
	node, ok := s.regs[u]
	return node, ok
}

func (s *Switch) Answer(_ context.Context, id string) error {
	return s.do(Command{Op: OpAnswer, UUID: id}, func(l *Leg) error {
		s.answer(l, false)
		return nil
	})
}

// PhoneEvent records the event; talk answers a ringing leg, as the phone
// does on mod_sofia's NOTIFY.
func (s *Switch) PhoneEvent(_ context.Context, id, event string) error {
	return s.do(Command{Op: OpPhoneEvent, UUID: id, Args: []string{event}}, func(l *Leg) error {
		if event == "talk" && l.rec.AnsweredAt.IsZero() {
			s.answer(l, true)
		}
		return nil
	})
}

func (s *Switch) Bridge(_ context.Context, a, b string) error {
	s.mu.Lock()
	la, lb := s.legs[a], s.legs[b]
	s.mu.Unlock()
	if la != nil && lb != nil && la.node != lb.node {
		return fmt.Errorf("switchtest: bridge %s to %s: %w", a, b, controller.ErrCrossNode)
	}
	return s.do(Command{Op: OpBridge, UUID: a, Args: []string{b}}, func(l *Leg) error {
		if lb == nil || lb == l || lb.rec.State == controller.StateEnded {
			return fmt.Errorf("%w: %s", controller.ErrNoSuchCall, b)
		}
		s.bridge(l, lb)
		return nil
	})
}

func (s *Switch) Transfer(_ context.Context, r controller.TransferRequest) error {
	c := Command{Op: OpTransfer, UUID: r.UUID, Args: []string{string(r.Leg), r.Dest, r.Dialplan, r.Context}}
	return s.do(c, func(l *Leg) error {
		moved := []*Leg{l}
		switch r.Leg {
		case controller.TransferOther:
			moved = []*Leg{l.other}
		case controller.TransferBoth:
			moved = append(moved, l.other)
		}
		for _, m := range moved {
			if m != nil {
				s.leave(m, len(moved) == 1)
			}
		}
		return nil
	})
}

func (s *Switch) Conference(_ context.Context, id, room string) error {
	return s.do(Command{Op: OpConference, UUID: id, Args: []string{room}}, func(l *Leg) error {
		s.leave(l, true)
		s.startApp(l, controller.App{Name: "conference", Data: room + "@default"})
		return nil
	})
}

func (s *Switch) Park(_ context.Context, id string) error {
	return s.do(Command{Op: OpPark, UUID: id}, func(l *Leg) error {
		s.leave(l, true)
		s.park(l)
		return nil
	})
}

func (s *Switch) Hold(_ context.Context, id string) error   { return s.hold(id, true) }
func (s *Switch) Unhold(_ context.Context, id string) error { return s.hold(id, false) }

func (s *Switch) hold(id string, on bool) error {
	op, kind := OpUnhold, controller.EventUnhold
	if on {
		op, kind = OpHold, controller.EventHold
	}
	return s.do(Command{Op: op, UUID: id}, func(l *Leg) error {
		if l.rec.AnsweredAt.IsZero() {
			return fmt.Errorf("%w: uuid_hold: -ERR Operation failed", controller.ErrRejected)
		}
		l.rec.Held = on
		s.emit(l, controller.Event{Kind: kind})
		return nil
	})
}

func (s *Switch) Break(_ context.Context, id string, all bool) error {
	return s.do(Command{Op: OpBreak, UUID: id, Args: []string{fmt.Sprint(all)}}, func(l *Leg) error {
		s.completeApp(l, "FILE PLAYED", true)
		return nil
	})
}

// Broadcast starts playing path (or running app::args) on the chosen legs;
// Far(uuid).Complete ends it, as FreeSWITCH's playback would.
func (s *Switch) Broadcast(_ context.Context, id, path string, leg controller.BroadcastLeg) error {
	return s.do(Command{Op: OpBroadcast, UUID: id, Args: []string{path, string(leg)}}, func(l *Leg) error {
		app := controller.App{Name: "playback", Data: path}
		if name, args, ok := strings.Cut(path, "::"); ok {
			app = controller.App{Name: name, Data: args}
		}
		targets := []*Leg{l}
		switch {
		case leg == controller.BroadcastBLeg && l.other != nil:
			targets = []*Leg{l.other}
		case leg == controller.BroadcastBoth && l.other != nil:
			targets = append(targets, l.other)
		}
		for _, t := range targets {
			s.startApp(t, app)
		}
		return nil
	})
}

// StartBeepDetection notes that mod_avmd was started on the leg; the test
// delivers the beep with Far(uuid).Beep.
func (s *Switch) StartBeepDetection(_ context.Context, id string) error {
	return s.do(Command{Op: OpBeepDetect, UUID: id}, nil)
}

func (s *Switch) DisplaceStart(_ context.Context, id, path string, limit time.Duration) error {
	return s.do(Command{Op: OpDisplaceStart, UUID: id, Args: []string{path, limit.String()}}, nil)
}

func (s *Switch) DisplaceStop(_ context.Context, id, path string) error {
	return s.do(Command{Op: OpDisplaceStop, UUID: id, Args: []string{path}}, nil)
}

func (s *Switch) RecordStart(_ context.Context, id, path string) error {
	return s.do(Command{Op: OpRecordStart, UUID: id, Args: []string{path}}, nil)
}

func (s *Switch) RecordStop(_ context.Context, id, path string) error {
	return s.do(Command{Op: OpRecordStop, UUID: id, Args: []string{path}}, nil)
}

func (s *Switch) RecordMask(_ context.Context, id, path string, masked bool) error {
	return s.do(Command{Op: OpRecordMask, UUID: id, Args: []string{path, fmt.Sprint(masked)}}, nil)
}

// Hangup ends a channel with a cause (default NORMAL_CLEARING).
func (s *Switch) Hangup(_ context.Context, id, cause string) error {
	if cause == "" {
		cause = "NORMAL_CLEARING"
	}
	return s.do(Command{Op: OpHangup, UUID: id, Args: []string{cause}}, func(l *Leg) error {
		s.hangup(l, cause, 0)
		return nil
	})
}

func (s *Switch) SetVar(_ context.Context, id, name, value string) error {
	return s.do(Command{Op: OpSetVar, UUID: id, Args: []string{name, value}}, nil)
}

func (s *Switch) SetVars(_ context.Context, id string, vars map[string]string) error {
	return s.do(Command{Op: OpSetVars, UUID: id, Vars: maps.Clone(vars)}, nil)
}

// Channels lists the legs that have not ended.
func (s *Switch) Channels(context.Context) ([]controller.Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.record(Command{Op: OpChannels}); err != nil {
		return nil, err
	}
	var out []controller.Channel
	for _, id := range slices.Sorted(maps.Keys(s.legs)) {
		l := s.legs[id]
		if l.rec.State != controller.StateEnded {
			out = append(out, controller.Channel{Node: l.node, UUID: l.uuid, Dest: l.rec.Destination,
				CallState: callState(l)})
		}
	}
	return out, nil
}

func callState(l *Leg) string {
	switch {
	case l.rec.Held:
		return "HELD"
	case !l.rec.AnsweredAt.IsZero():
		return "ACTIVE"
	}
	return "RINGING"
}
