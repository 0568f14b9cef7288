package acd

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bankcc/callcenter/clock"
	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// Publisher is where the desk pushes live events (the feed hub).
type Publisher interface {
	Publish(ctx context.Context, e feed.Event) error
}

// Config is what the desk needs.
type Config struct {
	Store  *store.Store
	Switch controller.Switch
	Feed   Publisher // nil: events are not published
	Clock  clock.Clock
	Logger *slog.Logger
	// ACWMax is how long after-call work may last before the call is
	// closed with an automatic disposition (default 60 s).
	ACWMax time.Duration
	// LostAfter is how long an agent may go unseen (no request, no open
	// event stream) before the desk signs the softphone out (default 90 s).
	LostAfter time.Duration
	// AgentRing is how long an agent's phone rings per call (default 15 s).
	AgentRing time.Duration
	// Gateway and CallerID are used for outside numbers (transfer, consult,
	// manual dial); empty Gateway refuses them.
	Gateway  string
	CallerID string
	// MusicOnHold is what a customer waiting for a transfer hears.
	MusicOnHold string
	// RecordingsDir is the folder calls bridged to agents are recorded
	// into (the switch writes it: on a real node a shared folder, mounted
	// at the same path); empty records nothing.
	RecordingsDir string
	// InboundGroup is the agent group (id or name) carriers' calls queue
	// for (cc_inbound); empty refuses them. Callers the IVR sends to a
	// queue name their group (cc_queue).
	InboundGroup string
	// Prompts are what waiting customers hear between the music (queue
	// announcements) and before voicemail; empty fields take DefaultPrompts.
	Prompts Prompts
	// VerifyTimeout is how long a customer may stay in the IVR's
	// verification before being brought back to the agent (default 3 min).
	VerifyTimeout time.Duration
}

// Desk is the agent desk. Build it with New and run it with Run.
type Desk struct {
	cfg   Config
	clock clock.Clock
	log   *slog.Logger
	cmds  chan func()
	stop  chan struct{}
	// started is closed once Run has closed the previous run's sessions:
	// a sign-in writes its session only after that, never to be closed
	// as a leftover.
	started chan struct{}
	jr      *journal
	// posts is the FIFO of closures sent without waiting (post): one
	// forwarder hands them to the router in the order they were posted.
	postMu  sync.Mutex
	posts   []func()
	postSig chan struct{}

	// Owned by the loop goroutine only.
	r *router
}

var _ dialer.Desk = (*Desk)(nil)

// New builds a desk; nothing runs until Run.
func New(cfg Config) *Desk {
	if cfg.ACWMax <= 0 {
		cfg.ACWMax = 60 * time.Second
	}
	if cfg.LostAfter <= 0 {
		cfg.LostAfter = 90 * time.Second
	}
	if cfg.AgentRing <= 0 {
		cfg.AgentRing = 15 * time.Second
	}
	if cfg.MusicOnHold == "" {
		cfg.MusicOnHold = "local_stream://moh"
	}
	cfg.Prompts.orDefaults()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Desk{cfg: cfg, clock: clock.Or(cfg.Clock), log: cfg.Logger, cmds: make(chan func(), 64), stop: make(chan struct{}), started: make(chan struct{}),
		postSig: make(chan struct{}, 1)}
	d.jr = newJournal(cfg.Store, d.log)
	d.r = newRouter(d)
	return d
}

// Run closes sessions a previous process left open, then routes until ctx
// ends; it signs every agent out (EndRestart) on the way out.
func (d *Desk) Run(ctx context.Context) error {
	// The journal starts only after the previous run's sessions are closed
	// (a sign-in journaled meanwhile must not be closed with them), and it
	// is started and closed even when that fails, so Wait never blocks on a
	// desk whose start failed (serve's shutdown waits on it).
	n, err := d.cfg.Store.CloseOpenAgentSessions(ctx, d.clock.Now(), store.EndRestart)
	go d.jr.run()
	if err != nil {
		d.jr.close()
		close(d.stop)
		close(d.started)
		return fmt.Errorf("acd: close sessions left open by the previous run: %w", err)
	}
	if n > 0 {
		d.log.Info("acd: closed softphone sessions left open by the previous run", "sessions", n)
	}
	close(d.started)
	go d.forward()
	// Subscribed before the loop serves anyone: nothing parked for the desk
	// or registered after Run has answered a first request is missed.
	go d.followRegistrations(ctx, d.cfg.Switch.Subscribe(ctx))
	sweep := d.clock.NewTimer(d.cfg.LostAfter / 3)
	defer sweep.Stop()
	defer close(d.stop)
	for {
		select {
		case <-ctx.Done():
			d.r.signOutAll(store.EndRestart)
			d.jr.close()
			return nil
		case f := <-d.cmds:
			f()
		case <-sweep.C():
			d.r.sweepLost()
			sweep.Reset(d.cfg.LostAfter / 3)
		}
	}
}

// Wait returns when the journal has written everything (after Run ends).
func (d *Desk) Wait() { d.jr.wait() }

// do runs f on the router goroutine and waits for it.
func (d *Desk) do(ctx context.Context, f func()) error {
	done := make(chan struct{})
	select {
	case d.cmds <- func() { f(); close(done) }:
	case <-d.stop:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-d.stop:
		return ErrStopped
	}
}

// post runs f on the router goroutine without waiting (timers,
// conversations), after everything posted before it.
func (d *Desk) post(f func()) {
	d.postMu.Lock()
	d.posts = append(d.posts, f)
	d.postMu.Unlock()
	select {
	case d.postSig <- struct{}{}:
	default:
	}
}

// forward hands posted closures to the router in order until it stops.
func (d *Desk) forward() {
	for {
		d.postMu.Lock()
		q := d.posts
		d.posts = nil
		d.postMu.Unlock()
		for _, f := range q {
			select {
			case d.cmds <- f:
			case <-d.stop:
				return
			}
		}
		if len(q) > 0 {
			continue
		}
		select {
		case <-d.postSig:
		case <-d.stop:
			return
		}
	}
}

func (d *Desk) publish(e feed.Event) {
	if d.cfg.Feed == nil {
		return
	}
	if err := d.cfg.Feed.Publish(context.Background(), e); err != nil {
		d.log.Warn("acd: publish", "event", e.Name, "err", err)
	}
}

// followRegistrations keeps each signed-in agent's node current from the
// sofia registration events; a phone that unregisters takes its agent out
// of routing (signed out, lost) unless the agent is on a call. The other
// legs of the pool stream are inbound calls (inbound.go).
func (d *Desk) followRegistrations(ctx context.Context, events <-chan controller.Event) {
	legs := inboundLegs{}
	for e := range events {
		if e.Kind != controller.EventCustom {
			d.poolEvent(ctx, legs, e)
			continue
		}
		user := e.Header("from-user")
		if user == "" {
			user = e.Header("user")
		}
		if user == "" {
			continue
		}
		switch e.Subclass {
		case "sofia::register":
			node := e.Node
			d.post(func() { d.r.registered(user, node) })
		case "sofia::unregister", "sofia::expire":
			d.post(func() { d.r.unregistered(user) })
		}
	}
}

// publishStateOf tells the agent and the monitor where the agent stands.
func (d *Desk) publishStateOf(a *agent) {
	d.publish(feed.StateEvent(feed.State{AgentID: a.id, AgentName: a.name, State: a.state, Reason: a.reason,
		CallUUID: a.callUUID, Since: a.since, GroupIDs: a.groups}))
}
