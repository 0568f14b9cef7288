package dialer

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/store"
)

// runner owns one running campaign for as long as it holds its lease: the
// main loop (run) follows the campaign's stamp the manager hands it every
// poll; a dialing loop claims contacts and starts calls; each call has its
// own goroutine that settles its attempt. The manager renews the leases of
// all its runners together and closes lost when this one's is gone. The
// lease token never changes during a runner's life, so calls read it
// freely.
type runner struct {
	o     Options
	id    int64
	token int64
	log   *slog.Logger

	lease    store.Lease  // as acquired; the expiry moves in expires
	expires  atomic.Int64 // unix ns of the lease's expiry, set by the manager's renewals
	lost     chan struct{}
	lostOnce sync.Once
	stamps   chan store.CampaignStamp // the latest stamp the manager read
	leaseMu  *sync.Mutex              // the manager's: orders renewals and the release
	released bool                     // under leaseMu: renew no more
	plan     atomic.Pointer[plan]

	calls     sync.WaitGroup
	inflight  atomic.Int64
	callCtx   context.Context // ends only on lease loss or a shutdown past the drain
	killCalls context.CancelFunc
}

// plan is what the runner loaded for its campaign: replaced whole when the
// campaign, its strategy or calendar changes, so every dial sees the rules
// as they are at that moment.
type plan struct {
	stamp store.CampaignStamp
	camp  *store.Campaign
	rules *store.DialRules
}

func newRunner(o Options, c *store.Campaign, l store.Lease, leaseMu *sync.Mutex) *runner {
	r := &runner{o: o, id: c.ID, token: l.Token, lease: l, log: o.Log.With("campaign_id", c.ID),
		lost: make(chan struct{}), stamps: make(chan store.CampaignStamp, 1), leaseMu: leaseMu}
	r.expires.Store(l.ExpiresAt.UnixNano())
	r.callCtx, r.killCalls = context.WithCancel(context.Background())
	return r
}

// currentLease is the lease with its latest expiry.
func (r *runner) currentLease() store.Lease {
	l := r.lease
	l.ExpiresAt = time.Unix(0, r.expires.Load()).UTC()
	return l
}

// loseLease tells the runner another instance took its campaign over.
func (r *runner) loseLease() {
	r.lostOnce.Do(func() {
		r.log.Warn("dialer: lease lost: another instance runs the campaign now")
		close(r.lost)
	})
}

// stampIn hands the runner the stamp the manager read, replacing one not
// yet taken: only the latest matters.
func (r *runner) stampIn(s store.CampaignStamp) {
	for {
		select {
		case r.stamps <- s:
			return
		default:
		}
		select {
		case <-r.stamps:
		default:
		}
	}
}

// run is the runner's main loop; it returns why the runner ended.
func (r *runner) run(ctx context.Context) string {
	if err := r.load(ctx); err != nil {
		r.log.Error("dialer: load campaign", "err", err)
		r.release()
		return "load failed: " + err.Error()
	}
	camp := r.plan.Load().camp
	if err := r.o.Switch.SetLane(controller.Lane{CampaignID: r.id, Priority: camp.Priority}); err != nil {
		r.log.Warn("dialer: set originate lane", "err", err)
	}
	defer r.o.Switch.RemoveLane(r.id)
	loop := r.startLoop(ctx)
	why := r.watch(ctx, &loop)
	loop.stop()
	if why == "lease lost" {
		r.killCalls()
		return why
	}
	r.drain(ctx)
	if ctx.Err() != nil {
		r.killCalls()
	}
	r.release()
	return why
}

// watch follows the campaign's stamp until the campaign stops running,
// the lease is lost, the dialing loop ends (the campaign completed) or ctx
// ends.
func (r *runner) watch(ctx context.Context, loop **dialLoop) string {
	for {
		var s store.CampaignStamp
		select {
		case <-ctx.Done():
			return "shutdown"
		case why := <-(*loop).done:
			return why
		case <-r.lost:
			return "lease lost"
		case s = <-r.stamps:
		}
		if s.Status != store.CampaignRunning {
			return "campaign " + string(s.Status)
		}
		p, err := r.withStamp(ctx, s)
		if err != nil {
			r.log.Warn("dialer: campaign stamp", "err", err)
			continue
		}
		if p.stamp.Status != store.CampaignRunning {
			return "campaign " + string(p.stamp.Status)
		}
		if c, old := p.camp, (*loop).camp; c.DialMode != old.DialMode || c.Media != old.Media || !sameGroup(c, old) {
			r.log.Info("dialer: campaign mode changed, restarting its dialing", "mode", c.DialMode, "media", c.Media)
			(*loop).stop()
			*loop = r.startLoop(ctx)
		}
	}
}

func sameGroup(a, b *store.Campaign) bool {
	return (a.GroupID == nil) == (b.GroupID == nil) && (a.GroupID == nil || *a.GroupID == *b.GroupID)
}

// load reads the campaign and its rules and the stamp they go with.
func (r *runner) load(ctx context.Context) error {
	st, err := r.o.Store.CampaignStamps(ctx, r.id)
	if err != nil {
		return err
	}
	return r.reload(ctx, st[r.id])
}

func (r *runner) reload(ctx context.Context, stamp store.CampaignStamp) error {
	camp, err := r.o.Store.GetCampaign(ctx, r.id)
	if err != nil {
		return err
	}
	rules, err := r.o.Store.DialRules(ctx, camp)
	if err != nil {
		return err
	}
	r.plan.Store(&plan{stamp: stamp, camp: camp, rules: rules})
	return nil
}

// refresh reads the campaign's stamp (one small query) and reloads the
// plan when the campaign, its strategy or its calendar changed: the main
// loop does it every poll and the dialing loop before every dial, so an
// edit reaches the very next dial. The plan returned carries the status
// read now.
func (r *runner) refresh(ctx context.Context) (*plan, error) {
	st, err := r.o.Store.CampaignStamps(ctx, r.id)
	if err != nil {
		return nil, err
	}
	s, ok := st[r.id]
	if !ok {
		s.Status = "deleted"
	}
	return r.withStamp(ctx, s)
}

// withStamp is the plan for stamp s: the current one when the campaign,
// its strategy and calendar are unchanged, else reloaded.
func (r *runner) withStamp(ctx context.Context, s store.CampaignStamp) (*plan, error) {
	cur := r.plan.Load()
	if s.Version == cur.stamp.Version && s.StrategyVersion == cur.stamp.StrategyVersion {
		p := *cur
		p.stamp = s
		return &p, nil
	}
	if err := r.reload(ctx, s); err != nil {
		return nil, err
	}
	return r.plan.Load(), nil
}

// drain waits for the calls in progress (the manager renewing the lease
// meanwhile) for at most Options.Drain.
func (r *runner) drain(ctx context.Context) {
	done := make(chan struct{})
	go func() { r.calls.Wait(); close(done) }()
	limit := r.o.Clock.NewTimer(r.o.Drain)
	defer limit.Stop()
	select {
	case <-done:
	case <-r.lost:
	case <-limit.C():
		r.log.Warn("dialer: calls still in progress when the runner stopped", "calls", r.inflight.Load())
	}
}

// release lets go of the lease: claims not being dialed go back to the queue.
func (r *runner) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.leaseMu.Lock()
	defer r.leaseMu.Unlock()
	r.released = true
	if err := r.o.Store.ReleaseLease(ctx, r.currentLease(), r.o.Clock.Now()); err != nil && !errors.Is(err, store.ErrLeaseLost) {
		r.log.Warn("dialer: release lease", "err", err)
	}
}

// goCall runs one call's goroutine, counted for the drain and completion.
func (r *runner) goCall(fn func()) {
	r.inflight.Add(1)
	r.calls.Go(func() {
		defer r.inflight.Add(-1)
		fn()
	})
}
