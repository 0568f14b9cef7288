package switchtest

import (
	"context"
	"sync"

	"github.com/bankcc/callcenter/controller"
)

// poolSub is one Subscribe stream: an unbounded queue fed to a channel.
type poolSub struct {
	mu   sync.Mutex
	q    []controller.Event
	wake chan struct{}
}

// Subscribe streams the events of legs not originated through the fake
// (Inbound) and every CUSTOM event, until ctx ends.
func (s *Switch) Subscribe(ctx context.Context) <-chan controller.Event {
	sub := &poolSub{wake: make(chan struct{}, 1)}
	out := make(chan controller.Event)
	s.mu.Lock()
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	go func() {
		defer close(out)
		defer func() {
			s.mu.Lock()
			delete(s.subs, sub)
			s.mu.Unlock()
		}()
		for {
			sub.mu.Lock()
			batch := sub.q
			sub.q = nil
			sub.mu.Unlock()
			for _, e := range batch {
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			}
			if len(batch) > 0 {
				continue
			}
			select {
			case <-sub.wake:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// publish queues a pool event for every subscriber; s.mu is held.
func (s *Switch) publish(e controller.Event) {
	e.Seq = 0
	for sub := range s.subs {
		sub.mu.Lock()
		sub.q = append(sub.q, e)
		sub.mu.Unlock()
		select {
		case sub.wake <- struct{}{}:
		default:
		}
	}
}
