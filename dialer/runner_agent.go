package dialer

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/bankcc/callcenter/store"
)

// ConnectWindow is how long an answered customer may wait for an agent
// before the call is abandoned (FCC/Ofcom: 2 s).
const ConnectWindow = 2 * time.Second

// skipHold is how long a contact an agent skipped in preview stays out of
// the offers.
const skipHold = 10 * time.Minute

// withAgents is the loop of preview and progressive campaigns: one dial
// per agent the desk reserves, pinned to that agent's node.
func (r *runner) withAgents(ctx context.Context, q *queue) string {
	for {
		cl, done, err := q.next(ctx, 1)
		switch {
		case done:
			return "completed"
		case errors.Is(err, errStopLoop) || ctx.Err() != nil:
			return "stopped"
		case cl == nil:
			sleep(ctx, r, r.o.Poll)
			continue
		}
		if err := r.agentDial(ctx, cl, q); errors.Is(err, errStopLoop) {
			return "stopped"
		}
	}
}

// agentDial reserves an agent for one claimed contact (the callback's
// booker first), offers a preview when the campaign previews, then dials.
func (r *runner) agentDial(ctx context.Context, cl *store.Claim, q *queue) error {
	phone, p := r.check(ctx, cl)
	if phone == "" {
		return nil
	}
	req := ReserveRequest{GroupID: *p.camp.GroupID, CampaignID: p.camp.ID, ContactID: cl.Contact.ID, Purpose: string(p.camp.DialMode),
		Skill: p.camp.Skill, MinLevel: p.camp.MinLevel}
	if cl.Callback != nil {
		req.PreferAgentID, req.Grace, req.Purpose = cl.Callback.AgentID, r.o.CallbackGrace, "callback"
	}
	res, err := r.o.Desk.Reserve(ctx, req)
	if err != nil {
		r.releaseClaim(cl, "")
		if ctx.Err() != nil {
			return errStopLoop
		}
		r.log.Warn("dialer: reserve an agent", "contact_id", cl.Contact.ID, "err", err)
		sleep(ctx, r, r.o.Poll)
		return nil
	}
	if p.camp.DialMode == store.DialPreview {
		var ok bool
		if phone, ok = r.preview(ctx, p, cl, phone, res, q); !ok {
			return nil
		}
	}
	a, err := r.start(ctx, p, cl, phone, res.AgentID)
	if a == nil {
		r.o.Desk.Release(context.WithoutCancel(ctx), res, "not dialed")
		return err
	}
	a.res = &res
	r.goCall(func() { r.voice(a, nil) })
	return nil
}

// preview offers the contact to the reserved agent: dial (maybe another of
// the contact's numbers) or skip, which keeps the contact aside a while.
func (r *runner) preview(ctx context.Context, p *plan, cl *store.Claim, phone string, res Reservation, q *queue) (string, bool) {
	offer := PreviewOffer{CampaignID: p.camp.ID, ContactID: cl.Contact.ID, Phone: phone}
	if cl.Callback != nil {
		offer.CallbackID = cl.Callback.ID
	}
	choice, err := r.o.Desk.Preview(ctx, res, offer)
	if err != nil || !choice.Dial {
		reason := "skipped: " + choice.Skip
		if err != nil {
			reason = "preview failed: " + err.Error()
		}
		r.o.Desk.Release(context.WithoutCancel(ctx), res, reason)
		if err == nil && q != nil {
			q.hold(cl, skipHold)
		} else {
			r.releaseClaim(cl, "")
		}
		r.log.Info("dialer: preview not dialed", "contact_id", cl.Contact.ID, "agent_id", res.AgentID, "reason", reason)
		return "", false
	}
	if choice.Phone != "" && (choice.Phone == cl.Contact.Phone || choice.Phone == cl.Contact.AltPhone) {
		phone = choice.Phone
	}
	return phone, true
}

// releaseAgent gives a reserved agent back when there is nobody to connect.
func (r *runner) releaseAgent(a *attempt, reason string) {
	if a.res != nil && r.o.Desk != nil {
		r.o.Desk.Release(context.WithoutCancel(r.callCtx), *a.res, reason)
	}
}

// connect hands an answered person to the desk: the reserved agent, or the
// group's longest-idle ready agent within the connect window.
func (r *runner) connect(ctx context.Context, a *attempt, w *legWatch, at time.Time, pc *pacing) {
	pc.human(r.o.Clock.Now(), a)
	deadline := at.Add(ConnectWindow)
	finished := make(chan struct{})
	var mu sync.Mutex
	done := false
	req := ConnectRequest{Leg: w.leg, CampaignID: a.p.camp.ID, ContactID: a.cl.Contact.ID, AttemptID: a.dial.AttemptID,
		GroupID: *a.p.camp.GroupID, Reservation: a.res, Deadline: deadline, Skill: a.p.camp.Skill, MinLevel: a.p.camp.MinLevel,
		// Finish closes the attempt once. A disposition the store refuses
		// as invalid (a callback too far ahead) leaves it open, so the
		// agent can correct the form and send it again.
		Finish: func(fctx context.Context, d Disposition) error {
			mu.Lock()
			defer mu.Unlock()
			if done {
				return errors.New("dialer: the call was already finished")
			}
			err := r.finishConnected(fctx, a, w, d)
			if err != nil && errors.Is(err, store.ErrInvalid) && !d.Auto {
				return err
			}
			done = true
			close(finished)
			return err
		}}
	if a.cl.Callback != nil {
		req.CallbackID = a.cl.Callback.ID
	}
	conn, err := r.o.Desk.Connect(ctx, req)
	switch {
	case err == nil:
		pc.connected(conn.ConnectedAt, a, conn.AgentID)
		w.waitGone(ctx, r, 24*time.Hour)
		pc.ended(w.endedAt(r.o.Clock.Now()), a, OutcomeHuman)
		select {
		case <-finished:
		case <-ctx.Done():
		}
	case errors.Is(err, ErrCustomerGone):
		r.releaseAgent(a, "customer hung up before the connect")
		w.waitGone(ctx, r, 30*time.Second)
		var class store.ResultClass = store.ResultNoAnswer
		if !w.endedAt(r.o.Clock.Now()).Before(deadline) {
			class = store.ResultAbandoned
			pc.abandoned(r.o.Clock.Now(), a)
		}
		pc.ended(w.endedAt(r.o.Clock.Now()), a, OutcomeHuman)
		r.finish(a, r.hangupFinish(a, w, class))
	default:
		if !errors.Is(err, ErrNoAgent) {
			r.log.Warn("dialer: connect to an agent", "call_uuid", a.uuid, "err", err)
		}
		pc.abandoned(r.o.Clock.Now(), a)
		r.releaseAgent(a, "no agent connected in time")
		r.abandon(ctx, a, w)
		pc.ended(w.endedAt(r.o.Clock.Now()), a, OutcomeHuman)
	}
}

// abandon plays the compliance message (who called, a number to call
// back, a key to opt out), hangs up and finishes the attempt as abandoned.
func (r *runner) abandon(ctx context.Context, a *attempt, w *legWatch) {
	msg := a.p.camp.ComplianceMessage
	if msg == "" {
		msg = r.o.ComplianceMessage
	}
	optOut := r.play(ctx, w, msg, r.o.OptOutKey)
	r.hangup(ctx, w)
	f := r.hangupFinish(a, w, store.ResultAbandoned)
	if optOut {
		f.DNC = &store.DNCRequest{Reason: "opted out with the key offered by the compliance message"}
	}
	r.finish(a, f)
}

// finishConnected settles a call an agent took, with the agent's
// disposition (the desk calls it once, after the call and its wrap-up).
func (r *runner) finishConnected(ctx context.Context, a *attempt, w *legWatch, d Disposition) error {
	rec := w.leg.Record()
	now := r.o.Clock.Now()
	class := store.ResultHuman
	if d.Result == string(store.ResultSuccess) {
		class = store.ResultSuccess
	}
	f := store.Finish{Claim: a.cl, CallUUID: a.uuid, Class: class, Cause: rec.HangupCause, SIPCode: rec.SIPCode,
		AnsweredAt: timePtr(rec.AnsweredAt), ConnectedAt: timePtr(rec.BridgedAt), HungupAt: timePtr(rec.HungupAt),
		AgentID: d.AgentID, Disposition: cut(d.Result, 64), Now: now}
	if f.HungupAt == nil && !d.EndedAt.IsZero() {
		f.HungupAt = &d.EndedAt
	}
	if d.DNC {
		f.DNC = &store.DNCRequest{Reason: "the customer asked not to be called (agent's disposition)"}
	}
	if d.CallbackAt != nil {
		f.Callback = &store.Callback{DueAt: *d.CallbackAt, Phone: d.Phone, AgentID: d.AgentID, Note: d.Note}
	}
	return r.o.Store.FinishAttempt(ctx, r.plan.Load().rules, r.token, f)
}
