package switchtest

import (
	"context"
	"sync"

	"github.com/bankcc/callcenter/controller"
)

// Leg is a fake call leg; it implements controller.Leg.
type Leg struct {
	uuid, node string
	req        controller.OriginateRequest
	owned      bool // originated through the fake: events go to its stream

	// Guarded by the Switch's mutex.
	rec    controller.CallRecord
	parked bool
	call   *controller.CallInfo // an inbound leg's caller profile and cc_* variables
	app    *controller.App      // the app running (broadcast, conference), nil if none
	other  *Leg                 // bridge partner
	seq    uint64

	answered, bridged, done chan struct{}
	stream                  stream
}

var _ controller.Leg = (*Leg)(nil)

func (l *Leg) UUID() string                    { return l.uuid }
func (l *Leg) Node() string                    { return l.node }
func (l *Leg) Events() <-chan controller.Event { return l.stream.subscribe() }
func (l *Leg) Answered() <-chan struct{}       { return l.answered }
func (l *Leg) Bridged() <-chan struct{}        { return l.bridged }
func (l *Leg) Done() <-chan struct{}           { return l.done }

// Record returns a snapshot of the leg's record.
func (l *Leg) Record() controller.CallRecord {
	l.stream.mu.Lock()
	defer l.stream.mu.Unlock()
	r := l.stream.rec
	r.OtherUUIDs = append([]string(nil), r.OtherUUIDs...)
	return r
}

// Wait blocks until the leg ends or ctx is done.
func (l *Leg) Wait(ctx context.Context) (controller.CallRecord, error) {
	select {
	case <-l.done:
		return l.Record(), nil
	case <-ctx.Done():
		return l.Record(), ctx.Err()
	}
}

// stream is a leg's event history and record snapshot, read by any number
// of subscribers, each from the first event.
type stream struct {
	mu      sync.Mutex
	rec     controller.CallRecord
	hist    []controller.Event
	final   bool
	readers []chan struct{}
}

func (s *stream) add(e controller.Event, rec controller.CallRecord) {
	s.mu.Lock()
	s.hist = append(s.hist, e)
	s.rec = rec
	s.final = s.final || e.Kind == controller.EventHangup
	readers := s.readers
	s.mu.Unlock()
	for _, w := range readers {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

func (s *stream) setRecord(rec controller.CallRecord) {
	s.mu.Lock()
	s.rec = rec
	s.mu.Unlock()
}

func (s *stream) subscribe() <-chan controller.Event {
	out := make(chan controller.Event)
	wake := make(chan struct{}, 1)
	s.mu.Lock()
	s.readers = append(s.readers, wake)
	s.mu.Unlock()
	go func() {
		defer close(out)
		next := 0
		for {
			s.mu.Lock()
			batch, final := s.hist[next:len(s.hist):len(s.hist)], s.final
			s.mu.Unlock()
			for _, e := range batch {
				out <- e
			}
			next += len(batch)
			if final {
				return
			}
			if len(batch) == 0 {
				<-wake
			}
		}
	}()
	return out
}
