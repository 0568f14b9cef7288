package acd

import (
	"context"
	"sync"
	"time"

	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
)

// watcher is one Watch stream: the router appends to its unbounded queue
// and a goroutine of its own feeds the reader, so a slow reader delays only
// itself.
type watcher struct {
	group int64
	need  need
	mu    sync.Mutex
	q     []dialer.AgentChange
	sig   chan struct{}
}

func (w *watcher) put(c dialer.AgentChange) {
	w.mu.Lock()
	w.q = append(w.q, c)
	w.mu.Unlock()
	select {
	case w.sig <- struct{}{}:
	default:
	}
}

func (w *watcher) feed(ctx context.Context, out chan<- dialer.AgentChange) {
	defer close(out)
	for {
		w.mu.Lock()
		q := w.q
		w.q = nil
		w.mu.Unlock()
		for _, c := range q {
			select {
			case out <- c:
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-w.sig:
		case <-ctx.Done():
			return
		}
	}
}

// wants says whether the watcher follows agent a.
func (w *watcher) wants(a *agent) bool { return a.inGroup(w.group) && w.need.has(a) }

// notify tells the watchers of an agent's groups about a change.
func (r *router) notify(a *agent, from, to store.AgentState, at time.Time) {
	for w := range r.watchers {
		if w.wants(a) {
			w.put(dialer.AgentChange{At: at, AgentID: a.id, GroupID: w.group, From: string(from), To: string(to)})
		}
	}
}

// Watch streams the changes of a pool's agents (a group's, with a skill
// and level), from the current state on (dialer.Desk).
func (d *Desk) Watch(ctx context.Context, pool dialer.AgentPool) <-chan dialer.AgentChange {
	out := make(chan dialer.AgentChange)
	w := &watcher{group: pool.GroupID, need: needOf(pool.Skill, pool.MinLevel), sig: make(chan struct{}, 1)}
	err := d.do(ctx, func() {
		now := d.r.now()
		for _, a := range d.r.agents {
			if w.wants(a) {
				w.put(dialer.AgentChange{At: now, AgentID: a.id, GroupID: pool.GroupID, From: string(store.AgentSignedOut), To: string(a.state)})
			}
		}
		d.r.watchers[w] = struct{}{}
	})
	if err != nil {
		close(out)
		return out
	}
	go func() {
		<-ctx.Done()
		d.post(func() { delete(d.r.watchers, w) })
	}()
	go w.feed(ctx, out)
	return out
}

// Staffing counts a group's signed-in agents by state (dialer.Desk).
func (d *Desk) Staffing(groupID int64) dialer.Staffing {
	var s dialer.Staffing
	_ = d.do(context.Background(), func() {
		for _, a := range d.r.agents {
			if !a.inGroup(groupID) {
				continue
			}
			s.SignedIn++
			switch a.state {
			case store.AgentReady:
				s.Ready++
			case store.AgentReserved:
				s.Reserved++
			case store.AgentOnCall, store.AgentHold:
				s.OnCall++
			case store.AgentACW:
				s.ACW++
			case store.AgentBreak:
				s.Break++
			}
		}
	})
	return s
}
