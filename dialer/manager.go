package dialer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/bankcc/callcenter/clock"
	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/messaging"
	"github.com/bankcc/callcenter/store"
)

// Store is what the manager and its runners need from the database: the
// lease, claim, attempt and completion calls of the dialer data layer
// (docs/architecture.md "Dialer data"). *store.Store implements it.
type Store interface {
	RunnableCampaigns(ctx context.Context) ([]store.Campaign, error)
	AcquireLease(ctx context.Context, campaignID int64, holder string, ttl time.Duration, now time.Time) (store.Lease, error)
	RenewLeases(ctx context.Context, holder string, ls []store.Lease, ttl time.Duration, now time.Time) ([]store.Lease, error)
	ReleaseLease(ctx context.Context, l store.Lease, now time.Time) error
	ListLeases(ctx context.Context) ([]store.CampaignLease, error)
	CampaignStamps(ctx context.Context, ids ...int64) (map[int64]store.CampaignStamp, error)
	GetCampaign(ctx context.Context, id int64) (*store.Campaign, error)
	GetContact(ctx context.Context, id int64) (*store.Contact, error)
	DialRules(ctx context.Context, camp *store.Campaign) (*store.DialRules, error)
	ClaimBatch(ctx context.Context, campaignID, leaseToken int64, n int, now time.Time) ([]store.Claim, error)
	CheckClaim(ctx context.Context, r *store.DialRules, cl *store.Claim, now time.Time) (string, store.NotDialable, error)
	ReleaseClaim(ctx context.Context, r *store.DialRules, leaseToken int64, cl *store.Claim, why store.NotDialable, now time.Time) error
	StartAttempt(ctx context.Context, r *store.DialRules, leaseToken int64, a store.AttemptStart) (*store.Dial, error)
	FinishAttempt(ctx context.Context, r *store.DialRules, leaseToken int64, f store.Finish) error
	CompleteIfDone(ctx context.Context, r *store.DialRules, leaseToken int64, now time.Time) (bool, error)
	AbandonFigures(ctx context.Context, campaignID int64, now time.Time) (store.AbandonFigures, error)
	CallbacksToRemind(ctx context.Context, now time.Time, lead time.Duration) ([]store.Callback, error)
	MarkCallbackReminded(ctx context.Context, id int64, at time.Time) (bool, error)
}

// Messenger sends the message of a campaign whose media is not voice (sms,
// email, fax); *messaging.Dispatcher implements it. The Delivery's class
// finishes the attempt.
type Messenger interface {
	Deliver(ctx context.Context, key string, camp *store.Campaign, c *store.Contact, phone string) messaging.Delivery
}

// Options configure a Manager. Switch and Store are required; a nil Desk
// leaves the agent modes (preview, progressive, predictive) waiting, said
// in the log; a nil Messenger does the same for sms, email and fax.
type Options struct {
	Switch    controller.Switch
	Store     Store
	Desk      Desk
	Messenger Messenger
	Clock     clock.Clock
	Log       *slog.Logger
	// Holder names this instance in the lease rows (default host/pid).
	Holder string
	// LeaseTTL is how long a lease lives without renewal (default 30 s);
	// the manager renews every lease it holds, in one store call, every
	// third of that.
	LeaseTTL time.Duration
	// Poll is how often running campaigns are looked for and a runner
	// looks at its campaign's stamp (status, edits); default 1 s.
	Poll time.Duration
	// Gateway is the trunk for campaigns that name none (default "default").
	Gateway string
	// IVRAddr is the IVR socket server as FreeSWITCH reaches it; broadcast
	// campaigns hand answered calls to it (ivr_flow = the campaign's flow).
	IVRAddr string
	// IVR delivers the IVR server's results to the runners (optional: without
	// it a broadcast attempt is finished as answered with no flow outcome).
	IVR *IVRResults
	// ComplianceMessage is played to a customer no agent took in time when
	// the campaign names no message of its own (default
	// "ivr/compliance_message.wav"); OptOutKey, pressed during it,
	// blacklists the number (default "9"). What an answering machine gets is
	// the campaign's machine_action.
	ComplianceMessage string
	OptOutKey         string
	// AMDWait is how long after an answer without a verdict the runner
	// waits for the answering-machine detector (0: the answer is a human).
	AMDWait time.Duration
	// CallbackGrace is how long a due callback waits for the agent who
	// booked it before any agent of the group may take it (default 2 min);
	// RemindBefore is how early the booker is reminded (default 5 min).
	CallbackGrace, RemindBefore time.Duration
	// OnBatch, when set, hears how late each batch of a broadcast or
	// message campaign started against its schedule (metrics, benchmarks).
	OnBatch func(campaignID int64, late time.Duration)
	// Drain bounds how long a stopping runner waits for its calls in
	// progress before it lets go of its lease (default 30 s).
	Drain time.Duration
}

func (o *Options) defaults() {
	if o.Clock == nil {
		o.Clock = clock.Real()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Holder == "" {
		host, _ := os.Hostname()
		o.Holder = fmt.Sprintf("%.40s/%d", host, os.Getpid())
	}
	setDur(&o.LeaseTTL, 30*time.Second)
	setDur(&o.Poll, time.Second)
	setDur(&o.CallbackGrace, 2*time.Minute)
	setDur(&o.RemindBefore, 5*time.Minute)
	setDur(&o.Drain, 30*time.Second)
	if o.Gateway == "" {
		o.Gateway = "default"
	}
	if o.ComplianceMessage == "" {
		o.ComplianceMessage = "ivr/compliance_message.wav"
	}
	if o.OptOutKey == "" {
		o.OptOutKey = "9"
	}
}

func setDur(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// Manager runs the campaigns this instance holds leases for: one runner
// goroutine per leased running campaign. Several instances share a
// database; each campaign is run by one of them at a time, and an expired
// lease (a dead instance) is taken over.
type Manager struct {
	o Options

	mu      sync.Mutex // guards runners (the manager loop and Running)
	runners map[int64]*runner
	wg      sync.WaitGroup

	// leaseMu orders the renewal of every lease and a runner's release:
	// a renewal that read a runner's lease before it was released would
	// otherwise bring the released lease back to life.
	leaseMu sync.Mutex
}

// NewManager checks the options and makes a manager; Run starts it.
func NewManager(o Options) (*Manager, error) {
	if o.Switch == nil || o.Store == nil {
		return nil, errors.New("dialer: a manager needs a Switch and a Store")
	}
	o.defaults()
	return &Manager{o: o, runners: map[int64]*runner{}}, nil
}

// Running lists the campaigns this instance runs now.
func (m *Manager) Running() []int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]int64, 0, len(m.runners))
	for id := range m.runners {
		out = append(out, id)
	}
	return out
}

// Run takes leases and runs campaigns until ctx ends, then stops every
// runner (each finishes or drains its calls and releases its lease) and
// returns.
func (m *Manager) Run(ctx context.Context) error {
	m.o.Log.Info("dialer: started", "holder", m.o.Holder, "lease_ttl", m.o.LeaseTTL, "desk", m.o.Desk != nil)
	t := m.o.Clock.NewTimer(0)
	defer t.Stop()
	// Renewals go on after ctx ends, while the runners drain their calls.
	stopRenew := make(chan struct{})
	renewDone := make(chan struct{})
	go func() { defer close(renewDone); m.renewLoop(ctx, stopRenew) }()
	lastRemind := time.Time{}
	for {
		select {
		case <-ctx.Done():
			m.wg.Wait()
			close(stopRenew)
			<-renewDone
			m.o.Log.Info("dialer: stopped")
			return nil
		case <-t.C():
		}
		m.stamp(ctx)
		m.scan(ctx)
		if now := m.o.Clock.Now(); now.Sub(lastRemind) >= 15*time.Second {
			lastRemind = now
			m.remind(ctx, now)
		}
		t.Reset(m.o.Poll)
	}
}

// runnerList is a snapshot of the runners.
func (m *Manager) runnerList() []*runner {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*runner, 0, len(m.runners))
	for _, r := range m.runners {
		out = append(out, r)
	}
	return out
}

// stamp reads the stamps of every campaign this instance runs in one query
// and hands each runner its own: with hundreds of campaigns, one read a
// poll instead of one per campaign (R16).
func (m *Manager) stamp(ctx context.Context) {
	rs := m.runnerList()
	if len(rs) == 0 {
		return
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.id
	}
	st, err := m.o.Store.CampaignStamps(ctx, ids...)
	if err != nil {
		if ctx.Err() == nil {
			m.o.Log.Warn("dialer: campaign stamps", "err", err)
		}
		return
	}
	for _, r := range rs {
		s, ok := st[r.id]
		if !ok {
			s = store.CampaignStamp{ID: r.id, Status: "deleted"}
		}
		r.stampIn(s)
	}
}

// renewLoop renews every lease this instance holds, in one store call,
// every third of the lease's life, until stop is closed (after every
// runner ended).
func (m *Manager) renewLoop(ctx context.Context, stop <-chan struct{}) {
	every := m.o.LeaseTTL / 3
	t := m.o.Clock.NewTimer(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C():
		}
		next := every
		if !m.renewAll(context.WithoutCancel(ctx)) {
			next = min(every, m.o.Poll) // try again soon
		}
		t.Reset(next)
	}
}

// renewAll renews the leases of every runner not released; a lease the
// store did not renew is lost and its runner told. It reports whether the
// store answered.
func (m *Manager) renewAll(ctx context.Context) bool {
	m.leaseMu.Lock()
	defer m.leaseMu.Unlock()
	var rs []*runner
	var ls []store.Lease
	for _, r := range m.runnerList() {
		if !r.released {
			rs = append(rs, r)
			ls = append(ls, r.currentLease())
		}
	}
	if len(ls) == 0 {
		return true
	}
	got, err := m.o.Store.RenewLeases(ctx, m.o.Holder, ls, m.o.LeaseTTL, m.o.Clock.Now())
	if err != nil {
		m.o.Log.Warn("dialer: renew leases", "leases", len(ls), "err", err)
		return false
	}
	renewed := make(map[int64]store.Lease, len(got))
	for _, l := range got {
		renewed[l.CampaignID] = l
	}
	for _, r := range rs {
		if l, ok := renewed[r.id]; ok {
			r.expires.Store(l.ExpiresAt.UnixNano())
			continue
		}
		r.loseLease()
	}
	return true
}

// scan starts a runner for each running campaign without one whose lease
// it can take. The campaigns are read only when some running campaign has
// no runner here and no live lease elsewhere.
func (m *Manager) scan(ctx context.Context) {
	if !m.anyToTake(ctx) {
		return
	}
	camps, err := m.o.Store.RunnableCampaigns(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.o.Log.Error("dialer: list running campaigns", "err", err)
		}
		return
	}
	held := m.heldElsewhere(ctx)
	for i := range camps {
		c := &camps[i]
		m.mu.Lock()
		_, running := m.runners[c.ID]
		m.mu.Unlock()
		if running || held[c.ID] || ctx.Err() != nil {
			continue
		}
		lease, err := m.o.Store.AcquireLease(ctx, c.ID, m.o.Holder, m.o.LeaseTTL, m.o.Clock.Now())
		if errors.Is(err, store.ErrLeaseHeld) {
			continue
		}
		if err != nil {
			m.o.Log.Error("dialer: take lease", "campaign_id", c.ID, "err", err)
			continue
		}
		m.start(ctx, c, lease)
	}
}

// anyToTake reports whether a running campaign has no runner here and no
// live lease elsewhere (two small reads, instead of every running
// campaign's row every poll).
func (m *Manager) anyToTake(ctx context.Context) bool {
	st, err := m.o.Store.CampaignStamps(ctx)
	if err != nil {
		return true // let scan say what is wrong
	}
	held := m.heldElsewhere(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, s := range st {
		if _, running := m.runners[id]; s.Status == store.CampaignRunning && !running && !held[id] {
			return true
		}
	}
	return false
}

// heldElsewhere lists the campaigns another instance holds a live lease
// for, in one query, so a scan of many campaigns does not try each lease.
func (m *Manager) heldElsewhere(ctx context.Context) map[int64]bool {
	leases, err := m.o.Store.ListLeases(ctx)
	if err != nil {
		return nil
	}
	now := m.o.Clock.Now()
	out := map[int64]bool{}
	for _, l := range leases {
		if l.Holder != m.o.Holder && l.ExpiresAt.After(now) {
			out[l.CampaignID] = true
		}
	}
	return out
}

func (m *Manager) start(ctx context.Context, c *store.Campaign, lease store.Lease) {
	r := newRunner(m.o, c, lease, &m.leaseMu)
	m.mu.Lock()
	m.runners[c.ID] = r
	m.mu.Unlock()
	m.o.Log.Info("dialer: running campaign", "campaign_id", c.ID, "name", c.Name, "mode", c.DialMode,
		"media", c.Media, "lease_token", lease.Token)
	m.wg.Go(func() {
		defer func() {
			m.mu.Lock()
			delete(m.runners, c.ID)
			m.mu.Unlock()
		}()
		why := r.run(ctx)
		m.o.Log.Info("dialer: campaign runner ended", "campaign_id", c.ID, "why", why)
	})
}

// remind tells agents of callbacks about to fall due. Marking first makes
// the reminder go out once even with several instances.
func (m *Manager) remind(ctx context.Context, now time.Time) {
	if m.o.Desk == nil {
		return
	}
	cbs, err := m.o.Store.CallbacksToRemind(ctx, now, m.o.RemindBefore)
	if err != nil {
		if ctx.Err() == nil {
			m.o.Log.Error("dialer: callbacks to remind", "err", err)
		}
		return
	}
	for _, cb := range cbs {
		ok, err := m.o.Store.MarkCallbackReminded(ctx, cb.ID, now)
		if err != nil || !ok {
			continue
		}
		err = m.o.Desk.Remind(ctx, cb.AgentID, Reminder{CallbackID: cb.ID, CampaignID: cb.CampaignID,
			ContactID: cb.ContactID, DueAt: cb.DueAt, Phone: cb.Phone, Note: cb.Note})
		if err != nil {
			m.o.Log.Warn("dialer: remind callback", "callback_id", cb.ID, "agent_id", cb.AgentID, "err", err)
		}
	}
}
