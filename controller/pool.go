package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/bankcc/callcenter/clock"
)

// PoolConfig configures a Pool.
type PoolConfig struct {
	Nodes []NodeConfig
	// Logger receives the pool's log (nil: discarded).
	Logger *slog.Logger
	// Clock paces originates and times call owners (nil: the real clock).
	// Connection health (heartbeats, back-off) always runs on real time.
	Clock clock.Clock
}

// Pool drives several FreeSWITCH nodes and implements Switch. Its methods
// are safe for concurrent use.
type Pool struct {
	nodes  []*node
	log    *slog.Logger
	clock  clock.Clock
	sched  *scheduler
	stream *poolStream
	cancel context.CancelFunc
	stop   <-chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
}

var _ Switch = (*Pool)(nil)

// NewPool starts connecting to every node in the background and returns at
// once; Status shows progress.
func NewPool(ctx context.Context, cfg PoolConfig) (*Pool, error) {
	if err := checkESLGo(); err != nil {
		return nil, err
	}
	if len(cfg.Nodes) == 0 {
		return nil, fmt.Errorf("%w: no FreeSWITCH nodes configured", ErrInvalid)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	seen := map[string]bool{}
	for _, c := range cfg.Nodes {
		if c.Name == "" || c.Address == "" || seen[c.Name] {
			return nil, fmt.Errorf("%w: node %q needs a unique name and an address", ErrInvalid, c.Name)
		}
		seen[c.Name] = true
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p := &Pool{log: log, clock: clock.Or(cfg.Clock), cancel: cancel, stop: ctx.Done()}
	p.stream = newPoolStream(p.stop)
	for _, c := range cfg.Nodes {
		p.nodes = append(p.nodes, newNode(c, nodeDeps{log: log, clock: p.clock, stop: p.stop, pool: p.stream}))
	}
	p.sched = newScheduler(p.nodes, p.clock, p.stop)
	p.wg.Go(p.sched.run)
	for _, n := range p.nodes {
		n.onState = p.sched.wake
		p.wg.Go(func() { n.route(ctx) })
		p.wg.Go(func() { n.supervise(ctx) })
	}
	return p, nil
}

// Close disconnects from every node and waits for the pool's goroutines.
// Calls still live end with the reason "controller shut down".
func (p *Pool) Close() {
	p.once.Do(func() {
		p.cancel()
		p.wg.Wait()
	})
}

// Status returns one snapshot per node, in configuration order.
func (p *Pool) Status() []NodeStatus {
	out := make([]NodeStatus, len(p.nodes))
	for i, n := range p.nodes {
		out[i] = n.snapshot()
	}
	return out
}

// Ready reports whether at least one node is up.
func (p *Pool) Ready() bool {
	return slices.ContainsFunc(p.nodes, (*node).up)
}

// Subscribe returns a new stream of the pool-level events from now on:
// every event of a leg no Leg owns (inbound calls, IVR socket legs, agent
// phones calling in, B-legs of dialplan bridges) and every CUSTOM event
// (sofia::register, avmd::beep, spandsp::*, ...), each leg's events in
// order. It is closed when ctx ends or the pool closes. A slow reader
// delays only itself.
func (p *Pool) Subscribe(ctx context.Context) <-chan Event { return p.stream.subscribe(ctx) }

// SetLane sets a campaign's lane (priority and own limits) for the
// originates that carry its CampaignID.
func (p *Pool) SetLane(l Lane) error {
	if l.Priority < 0 || l.MaxCPS < 0 || l.MaxChannels < 0 {
		return fmt.Errorf("controller: lane of campaign %d: %w: negative priority or limit", l.CampaignID, ErrInvalid)
	}
	if !p.sched.send(context.Background(), setLane{lane: l}) {
		return ErrClosed
	}
	return nil
}

// RemoveLane forgets a campaign's lane (the campaign stopped): its
// originates get priority 1 and no limits of their own again.
func (p *Pool) RemoveLane(campaignID int64) {
	p.sched.send(context.Background(), setLane{lane: Lane{CampaignID: campaignID}, remove: true})
}

// nodeOf finds the node that has a channel: our own calls first, then the
// live channel sets fed by events.
func (p *Pool) nodeOf(uuid string) (*node, error) {
	if uuid == "" {
		return nil, fmt.Errorf("%w: empty uuid", ErrInvalid)
	}
	for _, n := range p.nodes {
		if n.reg.call(uuid) != nil || n.reg.isLive(uuid) {
			return n, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrNoSuchCall, uuid)
}

// errorIsUnsent tells whether a failed command certainly never reached the switch.
func errorIsUnsent(err error) bool {
	var se *sendError
	if errors.As(err, &se) {
		return !se.maybeSent
	}
	return errors.Is(err, ErrNodeDown)
}
