package dialer

import (
	"context"
	"errors"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/google/uuid"
)

// batches is the loop of campaigns without agents (IVR broadcasts and
// messages): at most the strategy's batch size per batch interval, and
// never more than a batch in progress at once.
func (r *runner) batches(ctx context.Context, q *queue, send func(a *attempt)) string {
	size, every := 50, time.Minute
	if st := r.plan.Load().rules.Strategy; st != nil {
		size, every = max(st.BatchSize, 1), time.Duration(st.BatchIntervalS)*time.Second
	}
	slots := make(chan struct{}, size)
	for {
		began := r.o.Clock.Now()
		for range size {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return "stopped"
			}
			a, done, err := r.nextAttempt(ctx, q)
			if a == nil {
				<-slots
			}
			switch {
			case done:
				return "completed"
			case errors.Is(err, errStopLoop) || ctx.Err() != nil:
				return "stopped"
			case a == nil:
				sleep(ctx, r, r.o.Poll) // nothing to dial now
				continue
			}
			r.goCall(func() {
				defer func() { <-slots }()
				send(a)
			})
		}
		if rest := every - r.o.Clock.Since(began); rest > 0 {
			sleep(ctx, r, rest)
		}
		if r.o.OnBatch != nil && every > 0 {
			r.o.OnBatch(r.id, r.o.Clock.Since(began)-every)
		}
	}
}

// nextAttempt claims, checks and starts the next contact. The check and
// the start are one store call (the contact and the campaign's stamp read
// in the start's transaction), so a campaign of many calls a second costs
// the store one write per dial; an edit since the rules were loaded
// reloads them and tries again.
func (r *runner) nextAttempt(ctx context.Context, q *queue) (*attempt, bool, error) {
	cl, done, err := q.next(ctx, claimBatch)
	if cl == nil || err != nil {
		return nil, done, err
	}
	p := r.plan.Load()
	for try := 0; ; try++ {
		a := &attempt{p: p, cl: cl, uuid: uuid.NewString()}
		a.dial, err = r.o.Store.StartAttempt(ctx, p.rules, r.token, store.AttemptStart{Claim: cl, CallUUID: a.uuid,
			Now: r.o.Clock.Now(), Check: true, Stamp: &p.stamp})
		var nd *store.NotDialableError
		switch {
		case err == nil:
			a.phone = a.dial.Phone
			return a, false, nil
		case errors.Is(err, store.ErrStaleRules) && try < 2:
			if p, err = r.refresh(ctx); err != nil {
				r.releaseClaim(cl, "")
				return nil, false, r.stopOn(err, "reload campaign")
			}
			continue
		case errors.As(err, &nd):
			r.log.Debug("dialer: not dialed", "contact_id", cl.Contact.ID, "reason", nd.Why)
			r.releaseClaim(cl, nd.Why)
			return nil, false, nil
		}
		return nil, false, r.startFailed(ctx, cl, err)
	}
}

// broadcast dials one contact of an IVR broadcast.
func (r *runner) broadcast(a *attempt) { r.voice(a, nil) }

// message sends a non-voice campaign's message and finishes the attempt
// with the delivery's class.
func (r *runner) message(a *attempt) {
	ctx := r.callCtx
	d := r.o.Messenger.Deliver(ctx, a.uuid, a.p.camp, &a.cl.Contact, a.phone)
	now := r.o.Clock.Now()
	f := store.Finish{Claim: a.cl, CallUUID: a.uuid, Class: d.Class, Cause: cut(d.Detail, 64), HungupAt: &now, Now: now}
	if !f.Class.Valid() {
		f.Class = store.ResultNetworkFailure
	}
	if d.Class == store.ResultAnswered {
		f.AnsweredAt = &now
	}
	r.finish(a, f)
}

// finish settles an attempt; a lost lease means another instance took the
// campaign over (its reaper settles the contact).
func (r *runner) finish(a *attempt, f store.Finish) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.callCtx), 30*time.Second)
	defer cancel()
	if err := r.o.Store.FinishAttempt(ctx, r.plan.Load().rules, r.token, f); err != nil {
		r.log.Error("dialer: finish attempt", "call_uuid", a.uuid, "contact_id", a.cl.Contact.ID, "class", f.Class, "err", err)
	}
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
