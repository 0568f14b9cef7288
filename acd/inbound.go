package acd

import (
	"context"
	"fmt"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
)

// Inbound calls (issue 15 item 5): the dialplan parks a carrier's call with
// cc_inbound=true (unanswered) and a caller sent to a queue with
// cc_queue=<group id or name> (answered). The desk takes such a leg from
// the pool stream, answers it, stores it as an attempt (call history,
// recording), plays music while it waits in the group's queue (carrier
// calls go to acd.Config.InboundGroup) and connects it to the longest-idle
// ready agent like an answered outbound call; the agent's disposition
// closes the attempt.

// inboundLegs are the legs the desk follows from the pool stream; only the
// stream's goroutine touches the map.
type inboundLegs map[string]*inboundLeg

// poolEvent feeds a followed leg, or starts following a leg parked for the
// desk.
func (d *Desk) poolEvent(ctx context.Context, legs inboundLegs, e controller.Event) {
	if l := legs[e.UUID]; l != nil {
		l.feed(e)
		if e.Kind == controller.EventHangup {
			delete(legs, e.UUID)
		}
		return
	}
	if e.Kind != controller.EventPark || e.Call == nil || e.UUID == "" {
		return
	}
	queue, inbound := e.Call.Vars["cc_queue"], e.Call.Vars["cc_inbound"] == "true"
	if queue == "" && !inbound {
		return
	}
	l := newInboundLeg(e, queue != "")
	legs[e.UUID] = l
	go d.routeInbound(ctx, l, queue, *e.Call)
}

// routeInbound queues one inbound call for its group's agents until one
// takes it or the caller hangs up, and records how it ended.
func (d *Desk) routeInbound(ctx context.Context, l *inboundLeg, queue string, info controller.CallInfo) {
	log := d.log.With("call", l.uuid, "from", info.CallerIDNumber, "to", info.DestinationNumber)
	ref := queue
	if ref == "" {
		ref = d.cfg.InboundGroup
	}
	g, err := d.inboundGroup(ctx, ref)
	if err != nil {
		log.Warn("acd: inbound call refused", "err", err)
		_ = d.cfg.Switch.Hangup(context.WithoutCancel(ctx), l.uuid, "NO_ROUTE_DESTINATION")
		return
	}
	if queue == "" {
		if err := d.cfg.Switch.Answer(ctx, l.uuid); err != nil {
			log.Warn("acd: answer inbound call", "err", err)
			return
		}
	}
	now := d.clock.Now()
	att := &store.Attempt{CallUUID: l.uuid, Node: l.node, Destination: info.CallerIDNumber, State: string(controller.StateAnswered),
		CreatedAt: now, AnsweredAt: &now}
	if _, err := d.cfg.Store.EnterQueue(ctx, att, g.ID, now); err != nil {
		log.Error("acd: store inbound call", "err", err)
	}
	if err := d.cfg.Switch.Broadcast(ctx, l.uuid, d.cfg.MusicOnHold, controller.BroadcastALeg); err != nil {
		log.Warn("acd: music for a waiting caller", "err", err)
	}
	fin := func(fctx context.Context, disp dialer.Disposition) error {
		at := disp.EndedAt
		if at.IsZero() {
			at = d.clock.Now()
		}
		result := disp.Result
		if disp.Auto && result == "" {
			result = "auto"
		}
		_, err := d.cfg.Store.CloseInboundCall(fctx, l.uuid, disp.AgentID, result, at)
		return err
	}
	conn, err := d.Connect(ctx, dialer.ConnectRequest{Leg: l, GroupID: g.ID, AttemptID: att.ID, Finish: fin})
	if err != nil {
		log.Info("acd: inbound call not connected", "group", g.ID, "err", err)
	}
	d.leaveQueue(ctx, l, conn, err)
	select {
	case <-l.Done():
	case <-ctx.Done():
		return
	}
	rec := l.Record()
	att.AgentID = conn.AgentID
	att.State, att.Bridged, att.OtherUUIDs = string(rec.State), false, rec.OtherUUIDs
	att.BridgedAt, att.HungupAt = timePtr(rec.BridgedAt), timePtr(rec.HungupAt)
	att.HangupCause, att.SIPCode, att.BillSec = rec.HangupCause, rec.SIPCode, rec.BillSec
	if err := d.cfg.Store.SaveAttempt(context.WithoutCancel(ctx), att); err != nil {
		log.Error("acd: store inbound call", "err", err)
	}
}

// leaveQueue records how the caller left the queue: taken by an agent, or
// hung up while waiting (abandoned); a desk stopping leaves it as other.
func (d *Desk) leaveQueue(ctx context.Context, l *inboundLeg, conn dialer.Connection, connErr error) {
	left := store.QueueLeave{CallUUID: l.uuid, Outcome: store.QueueAnswered, AgentID: conn.AgentID, At: conn.ConnectedAt}
	if connErr != nil {
		left = store.QueueLeave{CallUUID: l.uuid, Outcome: store.QueueOther, At: d.clock.Now()}
		select {
		case <-l.Done(): // timed on the desk's clock, as the entry was
			left.Outcome = store.QueueAbandoned
		default:
		}
	}
	if left.At.IsZero() {
		left.At = d.clock.Now()
	}
	if _, err := d.cfg.Store.LeaveQueue(context.WithoutCancel(ctx), left); err != nil {
		d.log.Error("acd: store how an inbound call left its queue", "call", l.uuid, "err", err)
	}
}

func (d *Desk) inboundGroup(ctx context.Context, ref string) (*store.Group, error) {
	if ref == "" {
		return nil, fmt.Errorf("acd: a carrier's call and no acd.inbound_group configured")
	}
	g, err := d.cfg.Store.FindGroup(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("acd: inbound group %q: %w", ref, err)
	}
	return g, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
