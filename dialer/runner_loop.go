package dialer

import (
	"context"
	"errors"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/google/uuid"
)

// dialLoop is one run of the dialing loop; the main loop stops it on
// pause, stop, lease loss or a change of mode.
type dialLoop struct {
	camp   *store.Campaign // as the loop started: its mode, media and group
	cancel context.CancelFunc
	done   chan string   // why the loop ended by itself (completed, refused)
	exited chan struct{} // closed when the loop goroutine returned
}

func (l *dialLoop) stop() {
	l.cancel()
	<-l.exited
}

// errStopLoop ends the dialing loop: the campaign is not running any more
// or the lease is gone.
var errStopLoop = errors.New("dialer: stop dialing")

// startLoop starts the dialing loop for the campaign's mode and media.
func (r *runner) startLoop(ctx context.Context) *dialLoop {
	lctx, cancel := context.WithCancel(ctx)
	l := &dialLoop{camp: r.plan.Load().camp, cancel: cancel, done: make(chan string, 1), exited: make(chan struct{})}
	q := &queue{r: r}
	go func() {
		defer close(l.exited)
		defer q.releaseAll()
		why := r.dialing(lctx, q, l.camp)
		if lctx.Err() == nil {
			l.done <- why
		}
	}()
	return l
}

// dialing runs the loop for the campaign's mode; it returns why it ended.
func (r *runner) dialing(ctx context.Context, q *queue, camp *store.Campaign) string {
	switch {
	case camp.Media.Messages():
		if r.o.Messenger == nil {
			return r.idle(ctx, "no message sender is wired into this server")
		}
		return r.batches(ctx, q, r.message)
	case camp.DialMode == store.DialBroadcast:
		return r.batches(ctx, q, r.broadcast)
	case r.o.Desk == nil:
		return r.idle(ctx, "the agent desk is not wired into this server; "+string(camp.DialMode)+" mode needs agents")
	case camp.GroupID == nil:
		return r.idle(ctx, "the campaign has no agent group")
	case camp.DialMode == store.DialPredictive:
		return r.predictive(ctx, q)
	}
	return r.withAgents(ctx, q)
}

// idle says once why nothing is dialed and waits to be stopped.
func (r *runner) idle(ctx context.Context, why string) string {
	r.log.Warn("dialer: campaign is running but not dialing", "reason", why)
	<-ctx.Done()
	return why
}

// queue holds the contacts the loop claimed and has not dialed yet: a few
// at a time, so an edit reaches every contact still waiting.
type queue struct {
	r         *runner
	claims    []store.Claim
	held      []heldClaim // skipped in preview: kept claimed for a while
	lastCheck time.Time   // of CompleteIfDone
}

type heldClaim struct {
	cl    store.Claim
	until time.Time
}

// claimBatch is how many contacts one claim takes at most.
const claimBatch = 10

// completeEvery spaces the checks for "nothing left".
const completeEvery = 5 * time.Second

// next returns the next claimed contact, claiming a batch when the queue
// is empty; nil when nothing may be dialed now. done is set when the
// campaign completed; err is errStopLoop when the runner must stop dialing.
func (q *queue) next(ctx context.Context, want int) (cl *store.Claim, done bool, err error) {
	q.unhold()
	if len(q.claims) == 0 {
		now := q.r.o.Clock.Now()
		got, err := q.r.o.Store.ClaimBatch(ctx, q.r.id, q.r.token, min(max(want, 1), claimBatch), now)
		if err != nil {
			return nil, false, q.r.stopOn(err, "claim contacts")
		}
		q.claims = got
	}
	if len(q.claims) == 0 {
		return nil, q.complete(ctx), nil
	}
	c := q.claims[0]
	q.claims = q.claims[1:]
	return &c, false, nil
}

// complete asks the store to complete the campaign when nothing is left
// (no call in progress here, nothing claimable).
func (q *queue) complete(ctx context.Context) bool {
	now := q.r.o.Clock.Now()
	if q.r.inflight.Load() > 0 || len(q.held) > 0 || now.Sub(q.lastCheck) < completeEvery {
		return false
	}
	q.lastCheck = now
	done, err := q.r.o.Store.CompleteIfDone(ctx, q.r.plan.Load().rules, q.r.token, now)
	if err != nil {
		if ctx.Err() == nil {
			q.r.log.Warn("dialer: completion check", "err", err)
		}
		return false
	}
	if done {
		q.r.log.Info("dialer: campaign completed: nothing left to dial")
	}
	return done
}

// hold keeps a skipped contact claimed so it is not offered again at once.
func (q *queue) hold(cl *store.Claim, d time.Duration) {
	q.held = append(q.held, heldClaim{cl: *cl, until: q.r.o.Clock.Now().Add(d)})
}

func (q *queue) unhold() {
	now := q.r.o.Clock.Now()
	kept := q.held[:0]
	for _, h := range q.held {
		if now.Before(h.until) {
			kept = append(kept, h)
			continue
		}
		q.r.releaseClaim(&h.cl, "")
	}
	q.held = kept
}

// releaseAll gives back every claim the loop still holds.
func (q *queue) releaseAll() {
	for i := range q.claims {
		q.r.releaseClaim(&q.claims[i], "")
	}
	for i := range q.held {
		q.r.releaseClaim(&q.held[i].cl, "")
	}
	q.claims, q.held = nil, nil
}

// stopOn turns a store refusal into errStopLoop when it means the runner
// may not dial (not running, lease lost); other errors are returned.
func (r *runner) stopOn(err error, what string) error {
	if errors.Is(err, store.ErrNotRunning) || errors.Is(err, store.ErrLeaseLost) || errors.Is(err, context.Canceled) {
		return errStopLoop
	}
	r.log.Warn("dialer: "+what, "err", err)
	return err
}

func (r *runner) releaseClaim(cl *store.Claim, why store.NotDialable) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := r.o.Store.ReleaseClaim(ctx, r.plan.Load().rules, r.token, cl, why, r.o.Clock.Now())
	if err != nil && !errors.Is(err, store.ErrLeaseLost) {
		r.log.Warn("dialer: release claim", "contact_id", cl.Contact.ID, "err", err)
	}
}

// check is the dial-time check of one claimed contact, with the contact
// read again and the rules as they are now: a blacklist entry, an edit or a
// status change made since the claim is honoured. It returns the number to
// dial, or "" after releasing the claim.
func (r *runner) check(ctx context.Context, cl *store.Claim) (string, *plan) {
	p, err := r.refresh(ctx)
	if err != nil {
		p = r.plan.Load()
	}
	if c, err := r.o.Store.GetContact(ctx, cl.Contact.ID); err == nil {
		cl.Contact = *c
	}
	phone, why, err := r.o.Store.CheckClaim(ctx, p.rules, cl, r.o.Clock.Now())
	if err != nil {
		r.log.Warn("dialer: dial-time check", "contact_id", cl.Contact.ID, "err", err)
		r.releaseClaim(cl, "")
		return "", p
	}
	if why != "" {
		r.log.Debug("dialer: not dialed", "contact_id", cl.Contact.ID, "reason", why)
		r.releaseClaim(cl, why)
		return "", p
	}
	return phone, p
}

// attempt is one dial being made.
type attempt struct {
	p     *plan
	cl    *store.Claim
	phone string
	uuid  string
	dial  *store.Dial
	res   *Reservation
}

// start records the attempt right before the dial. ok is false when the
// contact was not dialed (its claim released); err is errStopLoop when the
// runner must stop dialing.
func (r *runner) start(ctx context.Context, p *plan, cl *store.Claim, phone string, agentID int64) (*attempt, error) {
	a := &attempt{p: p, cl: cl, phone: phone, uuid: uuid.NewString()}
	d, err := r.o.Store.StartAttempt(ctx, p.rules, r.token, store.AttemptStart{Claim: cl, CallUUID: a.uuid, Phone: phone,
		AgentID: agentID, Now: r.o.Clock.Now()})
	if err == nil {
		a.dial = d
		return a, nil
	}
	return nil, r.startFailed(ctx, cl, err)
}

// startFailed handles a start that did not dial: the claim is released
// (or already gone); err is errStopLoop when the runner must stop dialing,
// nil when the next contact may be tried.
func (r *runner) startFailed(ctx context.Context, cl *store.Claim, err error) error {
	switch {
	case errors.Is(err, store.ErrClaimLost):
		return nil
	case errors.Is(err, store.ErrNotDialable):
		r.releaseClaim(cl, "")
		return nil
	case errors.Is(err, store.ErrNoCallerID):
		r.log.Warn("dialer: every caller ID reached its daily limit; waiting", "err", err)
		r.releaseClaim(cl, "")
		sleep(ctx, r, time.Minute)
		return nil
	}
	r.releaseClaim(cl, "")
	return r.stopOn(err, "start attempt")
}

// sleep waits d on the runner's clock or until ctx ends.
func sleep(ctx context.Context, r *runner, d time.Duration) {
	t := r.o.Clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C():
	}
}
