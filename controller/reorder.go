package controller

import (
	"container/heap"
	"time"
)

// reorder restores FreeSWITCH's event order. eslgo hands each event to its
// listener in a new goroutine, so events of one connection reach us in a
// scheduler-dependent order. The key is the relay's gapless number (see
// relaySeqHeader), or Event-Sequence when an event has none (that counter
// has gaps: we do not subscribe to everything). An event is released when
// it is the next number, or when it has waited the window. An event
// older than one already released ("late") is released at once; the call
// state machine is monotonic, so it cannot undo progress. Each late event
// doubles the window (up to 16 times the base), because it shows that the
// scheduler is slower than the window assumed; 4096 events in time halve
// it again.
type reorder struct {
	base, window time.Duration
	gen          uint64
	last         uint64 // sequence of the last released event
	h            seqHeap
	late         uint64
	calm         int // events released since the last late one
}

func newReorder(window time.Duration) *reorder { return &reorder{base: window, window: window} }

// push adds an event; events of a newer connection flush the buffer first,
// because a restarted switch counts again from 1.
func (r *reorder) push(e *event, out func(*event)) {
	switch {
	case e.gen > r.gen:
		r.flush(out)
		r.gen, r.last = e.gen, 0
	case e.gen < r.gen, e.key() == 0:
		out(e)
		return
	}
	if r.last != 0 && e.key() <= r.last {
		r.late++
		r.calm = 0
		r.window = min(2*r.window, 16*r.base)
		out(e)
		return
	}
	heap.Push(&r.h, e)
}

// release emits every event that is due at now and returns when the next
// one will be (zero if the buffer is empty).
func (r *reorder) release(now time.Time, out func(*event)) time.Time {
	for len(r.h) > 0 {
		e := r.h[0]
		if e.key() != r.last+1 && now.Sub(e.arrived) < r.window {
			return e.arrived.Add(r.window)
		}
		heap.Pop(&r.h)
		r.last = e.key()
		if r.calm++; r.calm >= 4096 && r.window > r.base {
			r.window, r.calm = max(r.window/2, r.base), 0
		}
		out(e)
	}
	return time.Time{}
}

func (r *reorder) flush(out func(*event)) {
	for len(r.h) > 0 {
		e := heap.Pop(&r.h).(*event)
		r.last = e.key()
		out(e)
	}
}

// key is the event's position in its connection's stream.
func (e *event) key() uint64 {
	if e.Ord != 0 {
		return e.Ord
	}
	return e.Seq
}

type seqHeap []*event

func (h seqHeap) Len() int           { return len(h) }
func (h seqHeap) Less(i, j int) bool { return h[i].key() < h[j].key() }
func (h seqHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *seqHeap) Push(x any)        { *h = append(*h, x.(*event)) }
func (h *seqHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
