package controller

import "sync"

// legStream is a leg's typed event history and its readers. The call's
// owner appends; every Leg.Events call starts a reader at the first event.
// The history lives as long as the Call, so a reader that subscribes late
// (after Originate returned, or after the leg ended) misses nothing, and
// a slow reader delays only itself: appending never blocks.
type legStream struct {
	mu      sync.Mutex
	hist    []Event
	final   bool
	readers []chan struct{} // wake-ups, one per reader
}

// histCap fits a typical leg's whole life (create to hangup through a
// bridge) in one allocation.
const histCap = 12

// add appends e; final marks the last event of the leg.
func (s *legStream) add(e Event, final bool) {
	s.mu.Lock()
	if s.hist == nil {
		s.hist = make([]Event, 0, histCap)
	}
	s.hist = append(s.hist, e)
	s.final = s.final || final
	readers := s.readers
	s.mu.Unlock()
	for _, w := range readers {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// subscribe starts a reader that delivers the whole history, then every new
// event, and closes the channel after the final one. The reader's goroutine
// ends only then, so the channel must be read to its end.
func (s *legStream) subscribe() <-chan Event {
	out := make(chan Event)
	wake := make(chan struct{}, 1)
	s.mu.Lock()
	s.readers = append(s.readers, wake)
	s.mu.Unlock()
	go s.read(out, wake)
	return out
}

func (s *legStream) read(out chan<- Event, wake <-chan struct{}) {
	defer close(out)
	next := 0
	for {
		s.mu.Lock()
		batch := s.hist[next:len(s.hist):len(s.hist)]
		final := s.final
		s.mu.Unlock()
		for _, e := range batch {
			out <- e
		}
		next += len(batch)
		switch {
		case final:
			return
		case len(batch) == 0:
			<-wake
		}
	}
}
