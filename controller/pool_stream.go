package controller

import (
	"context"
	"sync"
	"sync/atomic"
)

// poolStream fans the pool-level events (legs no Leg owns, CUSTOM events)
// out to the subscribers. Each subscriber has its own unbounded queue and
// a goroutine that feeds its channel, so the node routers that publish
// never wait for a reader.
type poolStream struct {
	mu    sync.RWMutex
	subs  map[*poolReader]struct{}
	count atomic.Int32 // len(subs), read without the lock on every event
	stop  <-chan struct{}
}

type poolReader struct {
	mu   sync.Mutex
	q    []Event
	wake chan struct{}
}

func newPoolStream(stop <-chan struct{}) *poolStream {
	return &poolStream{subs: map[*poolReader]struct{}{}, stop: stop}
}

// active reports whether anyone listens, so the routers translate events
// only then.
func (s *poolStream) active() bool { return s.count.Load() > 0 }

// subscribe returns a stream of the events published from now on, closed
// when ctx ends or the pool closes.
func (s *poolStream) subscribe(ctx context.Context) <-chan Event {
	r := &poolReader{wake: make(chan struct{}, 1)}
	out := make(chan Event)
	s.mu.Lock()
	s.subs[r] = struct{}{}
	s.count.Store(int32(len(s.subs)))
	s.mu.Unlock()
	go func() {
		defer close(out)
		defer s.drop(r)
		r.feed(ctx, out, s.stop)
	}()
	return out
}

func (s *poolStream) drop(r *poolReader) {
	s.mu.Lock()
	delete(s.subs, r)
	s.count.Store(int32(len(s.subs)))
	s.mu.Unlock()
}

// publish queues e for every subscriber.
func (s *poolStream) publish(e Event) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for r := range s.subs {
		r.mu.Lock()
		r.q = append(r.q, e)
		r.mu.Unlock()
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

func (r *poolReader) feed(ctx context.Context, out chan<- Event, stop <-chan struct{}) {
	for {
		r.mu.Lock()
		batch := r.q
		r.q = nil
		r.mu.Unlock()
		for _, e := range batch {
			select {
			case out <- e:
			case <-ctx.Done():
				return
			case <-stop:
				return
			}
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-r.wake:
		case <-ctx.Done():
			return
		case <-stop:
			return
		}
	}
}
