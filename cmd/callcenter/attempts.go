package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/store"
)

// attemptSwitch is the controller's Switch with every leg it originates
// persisted as a store Attempt, upserted by call uuid on answer, bridge
// and hangup from the leg's own event stream. The dialer will take over
// finishing campaign attempts; until then this keeps the attempt table
// as it was.
type attemptSwitch struct {
	controller.Switch
	st  *store.Store
	log *slog.Logger
	wg  sync.WaitGroup
}

func (s *attemptSwitch) Originate(ctx context.Context, req controller.OriginateRequest) (controller.Leg, error) {
	leg, err := s.Switch.Originate(ctx, req)
	if err == nil {
		s.follow(leg)
	}
	return leg, err
}

func (s *attemptSwitch) Eavesdrop(ctx context.Context, req controller.EavesdropRequest) (controller.Leg, error) {
	leg, err := s.Switch.Eavesdrop(ctx, req)
	if err == nil {
		s.follow(leg)
	}
	return leg, err
}

// follow reads the leg's stream to its end; the record snapshot taken after
// an event is at least as new as the event.
func (s *attemptSwitch) follow(leg controller.Leg) {
	s.wg.Go(func() {
		for e := range leg.Events() {
			switch e.Kind {
			case controller.EventAnswer, controller.EventBridge, controller.EventHangup:
				s.save(leg.Record())
			}
		}
	})
}

// wait returns once every followed leg has ended and been written.
func (s *attemptSwitch) wait() { s.wg.Wait() }

func (s *attemptSwitch) save(c controller.CallRecord) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.st.SaveAttempt(ctx, attemptOf(c)); err != nil {
		s.log.Warn("save attempt", "call_uuid", c.UUID, "campaign_id", c.CampaignID, "contact_id", c.ContactID, "err", err)
	}
}

func attemptOf(c controller.CallRecord) *store.Attempt {
	a := &store.Attempt{CallUUID: c.UUID, JobUUID: c.JobUUID, Node: c.Node, CampaignID: c.CampaignID, ContactID: c.ContactID,
		AgentID: c.AgentID, Destination: c.Destination, OtherUUIDs: c.OtherUUIDs, State: string(c.State), Bridged: c.Bridged,
		CreatedAt: c.CreatedAt, AnsweredAt: timePtr(c.AnsweredAt), BridgedAt: timePtr(c.BridgedAt), HungupAt: timePtr(c.HungupAt),
		HangupCause: c.HangupCause, SIPCode: c.SIPCode, BillSec: c.BillSec, Result: string(c.Result), Machine: c.Machine, Reason: c.Reason}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = time.Now()
	}
	return a
}
