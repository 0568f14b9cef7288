package controller

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// supervise keeps the node connected until stop, with capped, jittered
// exponential back-off between attempts.
func (n *node) supervise(ctx context.Context) {
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		n.setState(NodeConnecting, nil)
		err := n.session(ctx)
		if ctx.Err() != nil {
			return
		}
		n.setState(NodeDown, err)
		n.log.Warn("FreeSWITCH node down", "err", err, "retry_in", backoff)
		if !sleepCtx(ctx, backoff/2+rand.N(backoff/2+1)) {
			return
		}
		backoff = min(backoff*2, n.cfg.MaxBackoff)
	}
}

// session connects the event connection and the command connections,
// subscribes once, reconciles, and keeps them alive until the event
// connection dies. A dead command connection alone is replaced without
// touching the event stream.
func (n *node) session(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	gen := n.gen.Add(1)
	dc := dialConfig{addr: n.cfg.Address, password: n.cfg.Password, timeout: n.cfg.CommandTimeout, log: n.log}
	evt, err := dialESL(ctx, dc, func(e *event) { n.enqueue(e, gen) })
	if err != nil {
		return err
	}
	defer evt.kill(errors.New("session over"))
	n.regs.clear() // registrations made while we could not hear are asked for
	if r, err := evt.send(ctx, eventSubscription); err != nil || !r.ok() {
		return fmt.Errorf("subscribe: %v %s", err, r.Text)
	}
	defer n.orig.clear(errors.New("session over"))
	defer n.ctl.clear(errors.New("session over"))
	dead := make(chan slotRef)
	for _, set := range []*cmdSet{n.ctl, n.orig} {
		for i := range set.slots {
			c, err := dialESL(ctx, dc, nil)
			if err != nil {
				return err
			}
			set.slots[i].Store(c)
			set.watchSlot(ctx, i, dead)
		}
	}
	if err := n.reconcile(ctx, gen); err != nil {
		return err
	}
	n.refreshGateways(ctx)
	n.checkModules(ctx, true)
	n.update(func(s *NodeStatus) { s.Reconnects++ })
	n.setState(NodeUp, nil)
	n.log.Info("FreeSWITCH node up", "address", n.cfg.Address)
	return n.watch(ctx, evt, dc, dead)
}

// watch is the heartbeat watchdog: eslgo's receive loop can die silently
// (unknown content type, non-EOF read errors), so silence, not a callback,
// is the signal. The command connections are probed in turn, one control
// and one originate connection per interval.
func (n *node) watch(ctx context.Context, evt *eslConn, dc dialConfig, dead chan slotRef) error {
	hb := n.cfg.HeartbeatInterval
	tick := time.NewTicker(hb)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-evt.Dead():
			n.update(func(s *NodeStatus) { s.Recycles++ })
			return fmt.Errorf("event connection: %w", evt.Err())
		case d := <-dead:
			n.update(func(s *NodeStatus) { s.Recycles++ })
			n.log.Warn("command connection recycled", "lane", d.set.name, "err", d.set.slots[d.i].Swap(nil).Err())
			if err := n.redial(ctx, dc, d, dead); err != nil {
				return err
			}
		case <-tick.C:
			if idle := evt.idle(); idle > 3*hb {
				evt.kill(fmt.Errorf("no traffic for %s", idle.Round(time.Millisecond)))
				continue
			}
			for _, set := range []*cmdSet{n.ctl, n.orig} {
				for i := range set.slots {
					if err := n.redial(ctx, dc, slotRef{set, i}, dead); err != nil {
						return err
					}
				}
			}
			n.refreshGateways(ctx)
			n.checkModules(ctx, false)
			n.probe(ctx, n.orig)
		}
	}
}

// redial fills an empty command slot. A failure is tolerated while another
// connection of the same lane lives (the next tick retries); with none left
// the session ends and the node reconnects from scratch.
func (n *node) redial(ctx context.Context, dc dialConfig, d slotRef, dead chan slotRef) error {
	if d.set.slots[d.i].Load() != nil {
		return nil
	}
	fresh, err := dialESL(ctx, dc, nil)
	if err != nil {
		if d.set.live() == 0 {
			return fmt.Errorf("%s connection: %w", d.set.name, err)
		}
		n.log.Warn("command connection redial", "lane", d.set.name, "err", err)
		return nil
	}
	d.set.slots[d.i].Store(fresh)
	d.set.watchSlot(ctx, d.i, dead)
	return nil
}

// probe runs a cheap command on one connection of set, in turn, so a
// connection whose eslgo loop died silently is found and replaced.
func (n *node) probe(ctx context.Context, set *cmdSet) {
	c := set.pick()
	if c == nil {
		return
	}
	if _, err := c.send(ctx, "api version"); err != nil {
		n.log.Debug("probe", "lane", set.name, "err", err)
	}
}

// enqueue is called from eslgo's goroutines. It blocks when the router is
// behind rather than drop an event (a lost HANGUP would leak a call).
// arrived is wall time: the reorder window measures the scheduler.
func (n *node) enqueue(e *event, gen uint64) {
	e.gen, e.arrived = gen, time.Now()
	select {
	case n.events <- e:
	case <-n.stop:
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
