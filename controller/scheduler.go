package controller

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/bankcc/callcenter/clock"
)

// scheduler decides, for the whole pool, which originate goes next and on
// which node. One goroutine owns the lanes, their queues and the pacing
// state; Originate callers wait for a grant without holding anything, so
// pacing never holds a command connection.
//
// An originate waits only for calls-per-second slots (node, gateway, its
// lane's own cap); when no channel is free for it (node or gateway full,
// its lane at its cap or its weighted share) it fails at once with
// ErrNoCapacity, so the dialer decides what to do rather than queueing
// behind capacity that may not come back. Among waiting lanes the one
// with the lowest pass goes first and its pass grows by 1/priority per
// grant (stride scheduling), so a saturated pool's calls per second are
// shared by priority and a lane that wants less leaves the rest to others.
type scheduler struct {
	clock clock.Clock
	nodes []*node
	in    chan any
	kick  chan struct{}
	stop  <-chan struct{}
	lanes map[int64]*lane
	vtime float64 // pass of the last grant; a lane that starts waiting joins here
	// nodeGW holds each node's gateways with limits (scheduler-owned).
	nodeGW map[*node]map[string]*gateway
	pace   map[*node]*spacing
}

type cancelTicket struct{ t *ticket }

type setLane struct {
	lane   Lane
	remove bool
}

func newScheduler(nodes []*node, clk clock.Clock, stop <-chan struct{}) *scheduler {
	s := &scheduler{clock: clk, nodes: nodes, in: make(chan any, 64), kick: make(chan struct{}, 1), stop: stop,
		lanes: map[int64]*lane{}, nodeGW: map[*node]map[string]*gateway{}, pace: map[*node]*spacing{}}
	for _, n := range nodes {
		sp := newSpacing(n.cfg.MaxCPS)
		s.pace[n] = &sp
		gws := map[string]*gateway{}
		for _, g := range n.cfg.Gateways {
			gws[g.Name] = &gateway{limit: g, pace: newSpacing(g.MaxCPS)}
		}
		s.nodeGW[n] = gws
	}
	return s
}

// acquire waits for a grant for req. A cancelled ctx withdraws the ticket
// (or gives back a grant that raced with it).
func (s *scheduler) acquire(ctx context.Context, req OriginateRequest) (grant, error) {
	t := &ticket{req: req, reply: make(chan grant, 1)}
	if !s.send(ctx, t) {
		return grant{}, s.doneErr(ctx)
	}
	select {
	case g := <-t.reply:
		return g, g.err
	case <-ctx.Done():
	case <-s.stop:
	}
	s.send(context.Background(), cancelTicket{t})
	select {
	case g := <-t.reply:
		if g.err == nil {
			g.node.pending.Add(-1)
			g.release()
		}
	case <-s.stop:
	}
	return grant{}, s.doneErr(ctx)
}

func (s *scheduler) doneErr(ctx context.Context) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return ErrClosed
}

func (s *scheduler) send(ctx context.Context, m any) bool {
	select {
	case s.in <- m:
		return true
	case <-ctx.Done():
	case <-s.stop:
	}
	return false
}

// wake tells the scheduler that capacity may have freed up.
func (s *scheduler) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *scheduler) run() {
	timer := s.clock.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := s.grantAll(s.clock.Now())
		timer.Stop()
		if !next.IsZero() {
			timer.Reset(durationUntil(s.clock.Now(), next))
		}
		select {
		case m := <-s.in:
			s.handle(m)
		case <-s.kick:
		case <-timer.C():
		case <-s.stop:
			s.failAll(ErrClosed)
			return
		}
	}
}

func (s *scheduler) handle(m any) {
	switch m := m.(type) {
	case *ticket:
		l := s.lane(m.req.CampaignID)
		if len(l.queue) == 0 {
			l.pass = max(l.pass, s.vtime)
		}
		l.queue = append(l.queue, m)
	case cancelTicket:
		for _, l := range s.lanes {
			if i := slices.Index(l.queue, m.t); i >= 0 {
				l.queue = slices.Delete(l.queue, i, i+1)
				m.t.reply <- grant{err: context.Canceled}
			}
		}
	case setLane:
		l := s.lane(m.lane.CampaignID)
		l.cfg, l.configured = m.lane, !m.remove
		if m.remove {
			l.cfg = Lane{CampaignID: m.lane.CampaignID}
		}
		l.pace = newSpacing(l.cfg.MaxCPS)
	}
}

func (s *scheduler) lane(id int64) *lane {
	l := s.lanes[id]
	if l == nil {
		l = &lane{cfg: Lane{CampaignID: id}}
		s.lanes[id] = l
	}
	return l
}

func (s *scheduler) failAll(err error) {
	for _, l := range s.lanes {
		for _, t := range l.queue {
			t.reply <- grant{err: err}
		}
		l.queue = nil
	}
}

// grantAll grants every ticket it can at now and returns when a waiting
// ticket may next be granted (zero when none waits on pacing).
func (s *scheduler) grantAll(now time.Time) time.Time {
	for {
		var next time.Time
		granted := false
		waiting := s.waiting()
		if len(waiting) == 0 {
			return next
		}
		room := s.channelRoom()
		for _, l := range waiting {
			at, ok := s.serve(l, now, room)
			if ok {
				granted = true
				break // passes changed: re-sort
			}
			if !at.IsZero() && (next.IsZero() || at.Before(next)) {
				next = at
			}
		}
		if !granted {
			return next
		}
	}
}

// waiting lists the lanes with tickets, lowest pass first, and forgets
// the lanes nobody uses any more.
func (s *scheduler) waiting() []*lane {
	var out []*lane
	for id, l := range s.lanes {
		switch {
		case len(l.queue) > 0:
			out = append(out, l)
		case !l.active():
			delete(s.lanes, id) // no live leg holds it: a new lane starts afresh
		}
	}
	slices.SortFunc(out, func(a, b *lane) int {
		switch {
		case a.pass < b.pass:
			return -1
		case a.pass > b.pass:
			return 1
		}
		return int(a.cfg.CampaignID - b.cfg.CampaignID)
	})
	return out
}

// serve tries the lane's oldest tickets: it grants one (true), fails those
// that cannot get a channel, or reports when the lane may go next.
func (s *scheduler) serve(l *lane, now time.Time, room channelRoom) (time.Time, bool) {
	if !l.pace.ready(now) {
		return l.pace.readyAt(), false
	}
	if err := room.admit(l); err != nil {
		s.failQueue(l, err)
		return time.Time{}, false
	}
	var next time.Time
	// A ticket pinned to a busy node must not hold up the lane's others:
	// look a little past the head.
	for i := 0; i < len(l.queue) && i < 16; i++ {
		t := l.queue[i]
		n, at, err := s.place(t.req, now)
		switch {
		case err != nil:
			l.queue = slices.Delete(l.queue, i, i+1)
			t.reply <- grant{err: err}
			i--
		case n != nil:
			l.queue = slices.Delete(l.queue, i, i+1)
			s.book(l, n, t, now)
			return time.Time{}, true
		case next.IsZero() || at.Before(next):
			next = at
		}
	}
	return next, false
}

func (s *scheduler) failQueue(l *lane, err error) {
	for _, t := range l.queue {
		t.reply <- grant{err: err}
	}
	l.queue = nil
}

// place picks the node for a ticket: among the up nodes it may use with a
// free channel (node and gateway), one whose CPS slot is free now, the one
// with most headroom; ties go to configuration order. With channels but no
// free slot it says when the first slot frees.
func (s *scheduler) place(req OriginateRequest, now time.Time) (*node, time.Time, error) {
	var best *node
	var next time.Time
	found := false
	for _, n := range s.nodes {
		if !n.up() || (req.Node != "" && n.cfg.Name != req.Node) || n.headroom() <= 0 {
			continue
		}
		gw := s.nodeGW[n][req.Gateway]
		if gw != nil && gw.limit.MaxChannels > 0 && gw.live.Load() >= int64(gw.limit.MaxChannels) {
			continue
		}
		found = true
		at := s.pace[n].readyAt()
		if gw != nil && gw.pace.readyAt().After(at) {
			at = gw.pace.readyAt()
		}
		if !s.pace[n].ready(now) || (gw != nil && !gw.pace.ready(now)) {
			if next.IsZero() || at.Before(next) {
				next = at
			}
			continue
		}
		if best == nil || n.headroom() > best.headroom() {
			best = n
		}
	}
	if !found {
		return nil, time.Time{}, s.noCapacity(req)
	}
	return best, next, nil
}

func (s *scheduler) noCapacity(req OriginateRequest) error {
	if req.Node != "" {
		return fmt.Errorf("%w: node %s is down or full", ErrNoCapacity, req.Node)
	}
	return ErrNoCapacity
}

// book takes the slot and the channel for a ticket and answers it.
func (s *scheduler) book(l *lane, n *node, t *ticket, now time.Time) {
	s.vtime = l.pass
	l.pass += 1 / l.cfg.weight()
	l.pace.take(now)
	s.pace[n].take(now)
	n.pending.Add(1)
	l.live.Add(1)
	gw := s.nodeGW[n][t.req.Gateway]
	if gw != nil {
		gw.pace.take(now)
		gw.live.Add(1)
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			l.live.Add(-1)
			if gw != nil {
				gw.live.Add(-1)
			}
			s.wake()
		})
	}
	t.reply <- grant{node: n, release: release}
}
