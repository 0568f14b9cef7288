package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Pool drives several FreeSWITCH nodes and implements Switch. Its methods
// are safe for concurrent use.
type Pool struct {
	nodes  []*node
	log    *slog.Logger
	rec    CallRecorder
	cancel context.CancelFunc
	stop   <-chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
}

var _ Switch = (*Pool)(nil)

// NewPool starts connecting to every node in the background and returns at
// once; Status shows progress. rec may be nil (nothing persisted).
func NewPool(ctx context.Context, nodes []NodeConfig, rec CallRecorder, log *slog.Logger) (*Pool, error) {
	if len(nodes) == 0 {
		return nil, fmt.Errorf("%w: no FreeSWITCH nodes configured", ErrInvalid)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	seen := map[string]bool{}
	for _, c := range nodes {
		if c.Name == "" || c.Address == "" || seen[c.Name] {
			return nil, fmt.Errorf("%w: node %q needs a unique name and an address", ErrInvalid, c.Name)
		}
		seen[c.Name] = true
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p := &Pool{log: log, rec: rec, cancel: cancel, stop: ctx.Done()}
	for _, c := range nodes {
		n := newNode(c, rec, log, ctx.Done())
		p.nodes = append(p.nodes, n)
		p.wg.Add(2)
		go func() { defer p.wg.Done(); n.route(ctx) }()
		go func() { defer p.wg.Done(); n.supervise(ctx) }()
	}
	return p, nil
}

// Close disconnects from every node and waits for the pool's goroutines.
// Calls still live are closed with the reason "controller shut down".
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

func (p *Pool) closed() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
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

// pick chooses the up node with the most headroom that may originate now,
// reserving one channel and one CPS slot on it. When every candidate is
// paced it waits for the earliest slot.
func (p *Pool) pick(ctx context.Context, pin string) (*node, error) {
	for {
		if p.closed() {
			return nil, ErrClosed
		}
		cands := p.candidates(pin)
		if len(cands) == 0 {
			return nil, ErrNoCapacity
		}
		wait := time.Duration(-1)
		for _, n := range cands {
			if !n.reserveChannel() {
				continue
			}
			d := n.pace.reserve()
			if d == 0 {
				return n, nil
			}
			n.pending.Add(-1)
			if wait < 0 || d < wait {
				wait = d
			}
		}
		if wait < 0 {
			return nil, ErrNoCapacity
		}
		if !sleepCtx(ctx, wait) {
			return nil, ctx.Err()
		}
	}
}

func (p *Pool) candidates(pin string) []*node {
	var out []*node
	for _, n := range p.nodes {
		if n.up() && (pin == "" || n.cfg.Name == pin) && n.headroom() > 0 {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b *node) int { return b.headroom() - a.headroom() })
	return out
}

// reserveChannel counts an originate as pending unless the node is full;
// the optimistic add keeps concurrent callers from overshooting MaxChannels.
func (n *node) reserveChannel() bool {
	n.pending.Add(1)
	if n.cfg.MaxChannels > 0 && n.reg.liveCount()+int(n.pending.Load()) > n.cfg.MaxChannels {
		n.pending.Add(-1)
		return false
	}
	return true
}

// errorIsUnsent tells whether a failed command certainly never reached the switch.
func errorIsUnsent(err error) bool {
	var se *sendError
	if errors.As(err, &se) {
		return !se.maybeSent
	}
	return errors.Is(err, ErrNodeDown)
}
