package dialer

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/store"
)

// IVR "press 0 for an agent" on legs the dialer originated (R30). An IVR
// broadcast of a campaign with an agent group runs the notify flow as a
// menu (ivr_confirm): 1 confirms, 0 asks for an agent, and the flow's queue
// step names the group (ivr_queue = the group's id). The queue context
// parks the leg, but a leg the controller originated never reaches the
// pool stream the desk takes parked callers from: its events belong to
// this runner. So the runner, told by the IVR's result that the listener
// was queued, hands the leg to the desk itself (Desk.Connect on the
// group's queue, music while waiting), and the agent's disposition
// finishes the attempt. The IVR record (flow, outcome, keyed answers) has
// reached the call's script session through the IVR reporter, so the agent
// sees it with the call.

// ivrQueueWait bounds how long a listener who asked for an agent waits.
const ivrQueueWait = 5 * time.Minute

// ivrHoldMusic is what the listener hears while waiting.
const ivrHoldMusic = "local_stream://moh"

// ivrMenuVars are the broadcast's menu variables: the prompt (the
// campaign's message text, a sound file) and, when the campaign has an
// agent group and a desk runs, the agent key and the group's queue.
func (r *runner) ivrMenuVars(camp *store.Campaign, vars map[string]string) {
	if camp.Message.Text != "" {
		vars["ivr_message"] = camp.Message.Text
	}
	if camp.GroupID != nil && r.o.Desk != nil && camp.Message.Text != "" {
		vars["ivr_confirm"] = "true"
		vars["ivr_queue"] = strconv.FormatInt(*camp.GroupID, 10)
	}
}

// ivrToAgent connects a queued listener to an agent of the queue's group;
// false means the runner keeps the call (no desk, not a group id).
func (r *runner) ivrToAgent(ctx context.Context, a *attempt, w *legWatch, o ivrOutcome) bool {
	group, err := strconv.ParseInt(o.queue, 10, 64)
	if err != nil || group <= 0 || r.o.Desk == nil {
		return false
	}
	if err := r.o.Switch.Broadcast(ctx, a.uuid, ivrHoldMusic, controller.BroadcastALeg); err != nil {
		r.log.Debug("dialer: music for a queued listener", "call_uuid", a.uuid, "err", err)
	}
	finished := make(chan struct{})
	var once sync.Once
	req := ConnectRequest{Leg: w.leg, CampaignID: a.p.camp.ID, ContactID: a.cl.Contact.ID, AttemptID: a.dial.AttemptID,
		GroupID: group, Deadline: r.o.Clock.Now().Add(ivrQueueWait), Skill: a.p.camp.Skill, MinLevel: a.p.camp.MinLevel,
		Finish: func(fctx context.Context, d Disposition) error {
			err := errors.New("dialer: the call was already finished")
			once.Do(func() {
				err = r.finishConnected(fctx, a, w, d)
				close(finished)
			})
			return err
		}}
	_, err = r.o.Desk.Connect(ctx, req)
	if err == nil {
		r.log.Info("dialer: IVR listener connected to an agent", "call_uuid", a.uuid, "group", group)
		w.waitGone(ctx, r, 24*time.Hour)
		select {
		case <-finished:
		case <-ctx.Done():
		}
		return true
	}
	if !errors.Is(err, ErrCustomerGone) {
		r.log.Info("dialer: IVR listener not connected", "call_uuid", a.uuid, "group", group, "err", err)
	}
	r.hangup(ctx, w) // never left parked in the queue context
	f := r.hangupFinish(a, w, store.ResultAnswered)
	f.Disposition = cut(o.disposition(), 64)
	r.finish(a, f)
	return true
}
