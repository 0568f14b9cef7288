package dialer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/bankcc/callcenter/clock"
	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/feed"
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
	CampaignLiveFigures(ctx context.Context, ids []int64, now time.Time, window time.Duration) (map[int64]store.LiveFigures, error)
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

// AMDDetector names the answering-machine detector the runners start.
type AMDDetector string

// Detectors: mod_avmd's beep detection, mod_amd's voice analysis.
const (
	AMDNone   AMDDetector = ""
	AMDAVMD   AMDDetector = "avmd"
	AMDModAMD AMDDetector = "amd"
)

// app is the FreeSWITCH application that starts the detector.
func (d AMDDetector) app() string {
	switch d {
	case AMDAVMD:
		return "avmd_start"
	case AMDModAMD:
		return "amd"
	}
	return ""
}

// Publisher takes the dialer's events for the live streams; *feed.Hub
// implements it.
type Publisher interface {
	Publish(ctx context.Context, e feed.Event) error
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
	// waits for the answering-machine detector before it connects an agent
	// (0: the answer is a human until a detector says otherwise).
	AMDWait time.Duration
	// AMD is the detector every customer leg runs on answer
	// (execute_on_answer on the originate): AMDAVMD (mod_avmd's avmd_start,
	// whose avmd::beep both says machine and ends the greeting) or AMDModAMD
	// (mod_amd's amd, whose amd_result comes on its CHANNEL_EXECUTE_COMPLETE
	// a few seconds in; the park or the IVR waits for it); "" runs none (a
	// verdict the switch's own dialplan brings is still acted on). A
	// machine verdict after the answer, during an IVR broadcast, gets the
	// campaign's machine_action: drop hangs up, message waits for the beep
	// (starting avmd when mod_amd gave the verdict, at most BeepWait,
	// default 30 s) and plays the message.
	AMD      AMDDetector
	BeepWait time.Duration
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
	// Feed, when set, gets a "campaign" event when a campaign starts,
	// pauses, stops or completes (seen by every instance within a poll)
	// and, every FigureEvery (default 10 s), the running campaigns' dial
	// rate over FigureWindow (default 1 min) and 24 h abandonment.
	Feed                      Publisher
	FigureEvery, FigureWindow time.Duration
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
	setDur(&o.FigureEvery, 10*time.Second)
	setDur(&o.BeepWait, 30*time.Second)
	setDur(&o.FigureWindow, time.Minute)
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

	// The manager loop's alone: the running and paused campaigns' stamps
	// at the last poll (nil before the first) and when figures went out.
	seen        map[int64]store.CampaignStamp
	lastFigures time.Time
}

// NewManager checks the options and makes a manager; Run starts it.
func NewManager(o Options) (*Manager, error) {
	if o.Switch == nil || o.Store == nil {
		return nil, errors.New("dialer: a manager needs a Switch and a Store")
	}
	if o.AMD != AMDNone && o.AMD.app() == "" {
		return nil, fmt.Errorf("dialer: AMD detector %q: want %q, %q or none", o.AMD, AMDAVMD, AMDModAMD)
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
		m.poll(ctx)
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

// poll reads the stamps of every running and paused campaign in one query
// and from them tells campaign changes to the feed, hands each runner its
// campaign's stamp (one read a poll for hundreds of runners, R16), starts
// runners for campaigns nobody runs, and sends the figures when due.
func (m *Manager) poll(ctx context.Context) {
	st, err := m.o.Store.CampaignStamps(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.o.Log.Warn("dialer: campaign stamps", "err", err)
		}
		return
	}
	gone := m.changes(ctx, st)
	for _, r := range m.runnerList() {
		s, ok := st[r.id]
		if !ok {
			s = store.CampaignStamp{ID: r.id, Status: gone[r.id]}
			if s.Status == "" {
				s.Status = store.CampaignStopped
			}
		}
		r.stampIn(s)
	}
	if m.anyToTake(ctx, st) {
		m.scan(ctx)
	}
	if now := m.o.Clock.Now(); m.o.Feed != nil && now.Sub(m.lastFigures) >= m.o.FigureEvery {
		m.lastFigures = now
		m.figures(ctx, st, now)
	}
}

// changes compares the stamps with the last poll's, publishes each
// campaign's start, pause, stop or completion, and returns the status of
// the campaigns that left running and paused ("deleted" when gone).
func (m *Manager) changes(ctx context.Context, st map[int64]store.CampaignStamp) map[int64]store.CampaignStatus {
	prev := m.seen
	m.seen = st
	if prev == nil {
		return nil // the first poll: what runs now was started before
	}
	var gone map[int64]store.CampaignStatus
	for id, s := range st {
		was, ok := prev[id]
		switch {
		case s.Status == store.CampaignRunning && (!ok || was.Status != store.CampaignRunning):
			m.publishChange(ctx, id, feed.CampaignStarted, s.Status)
		case s.Status == store.CampaignPaused && (!ok || was.Status != store.CampaignPaused):
			m.publishChange(ctx, id, feed.CampaignPaused, s.Status)
		}
	}
	for id := range prev {
		if _, ok := st[id]; ok {
			continue
		}
		status := store.CampaignStatus("deleted")
		if c, err := m.o.Store.GetCampaign(ctx, id); err == nil {
			status = c.Status
		}
		if gone == nil {
			gone = map[int64]store.CampaignStatus{}
		}
		gone[id] = status
		switch status {
		case store.CampaignCompleted:
			m.publishChange(ctx, id, feed.CampaignCompleted, status)
		case store.CampaignStopped, "deleted":
			m.publishChange(ctx, id, feed.CampaignStopped, status)
		}
	}
	return gone
}

// publishChange sends a "campaign" event (with the campaign's name when it
// can be read).
func (m *Manager) publishChange(ctx context.Context, id int64, ch feed.CampaignChange, status store.CampaignStatus) {
	if m.o.Feed == nil {
		return
	}
	p := feed.Campaign{CampaignID: id, Change: ch, Status: status, At: m.o.Clock.Now()}
	if c, err := m.o.Store.GetCampaign(ctx, id); err == nil {
		p.Name = c.Name
	}
	if err := m.o.Feed.Publish(ctx, feed.CampaignEvent(p)); err != nil {
		m.o.Log.Warn("dialer: publish campaign change", "campaign_id", id, "err", err)
	}
}

// figures publishes every running campaign's dial rate and abandonment in
// one "campaign_figures" event, read in one store call.
func (m *Manager) figures(ctx context.Context, st map[int64]store.CampaignStamp, now time.Time) {
	var ids []int64
	for id, s := range st {
		if s.Status == store.CampaignRunning {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	slices.Sort(ids)
	figs, err := m.o.Store.CampaignLiveFigures(ctx, ids, now, m.o.FigureWindow)
	if err != nil {
		if ctx.Err() == nil {
			m.o.Log.Warn("dialer: campaign figures", "err", err)
		}
		return
	}
	p := feed.CampaignFigures{At: now, WindowS: int(m.o.FigureWindow / time.Second)}
	for _, id := range ids {
		f := figs[id]
		cf := feed.CampaignFigure{CampaignID: id, Dials: f.Dials, DialsPerMin: float64(f.Dials) / m.o.FigureWindow.Minutes(),
			Human24h: f.Human24h, Abandoned24h: f.Abandoned24h, MaxAbandonRate: f.MaxAbandonRate}
		if f.Human24h > 0 {
			cf.AbandonRate24h = float64(f.Abandoned24h) / float64(f.Human24h)
		}
		p.Campaigns = append(p.Campaigns, cf)
	}
	if err := m.o.Feed.Publish(ctx, feed.CampaignFiguresEvent(p)); err != nil {
		m.o.Log.Warn("dialer: publish campaign figures", "err", err)
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
// it can take.
func (m *Manager) scan(ctx context.Context) {
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
// live lease elsewhere (so every running campaign's row is read only then,
// not every poll).
func (m *Manager) anyToTake(ctx context.Context, st map[int64]store.CampaignStamp) bool {
	var free []int64
	m.mu.Lock()
	for id, s := range st {
		if _, running := m.runners[id]; s.Status == store.CampaignRunning && !running {
			free = append(free, id)
		}
	}
	m.mu.Unlock()
	if len(free) == 0 {
		return false
	}
	held := m.heldElsewhere(ctx)
	for _, id := range free {
		if !held[id] {
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
