package clock

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// Fake is a clock that moves only when Advance is called. Timers due by
// then fire in deadline order (creation order breaks ties), each seeing Now
// equal to its own deadline, so a test is deterministic.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers timerHeap
	seq    uint64
	armed  chan struct{} // closed and replaced whenever a timer is armed
	woken  int           // channel timers fired and not since stopped or re-armed
}

// NewFake returns a fake clock set to start.
func NewFake(start time.Time) *Fake {
	return &Fake{now: start, armed: make(chan struct{})}
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Since is Now minus t.
func (f *Fake) Since(t time.Time) time.Duration { return f.Now().Sub(t) }

// NewTimer makes a timer whose channel receives the fake time when due.
func (f *Fake) NewTimer(d time.Duration) Timer {
	t := &fakeTimer{f: f, ch: make(chan time.Time, 1)}
	f.arm(t, d)
	return t
}

// AfterFunc makes a timer that calls fn from Advance when due.
func (f *Fake) AfterFunc(d time.Duration, fn func()) Timer {
	t := &fakeTimer{f: f, fn: fn}
	f.arm(t, d)
	return t
}

// Advance moves the clock forward by d, firing every timer due on the way.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	end := f.now.Add(d)
	f.mu.Unlock()
	for f.fireNext(end) {
	}
	f.mu.Lock()
	if end.After(f.now) {
		f.now = end
	}
	f.mu.Unlock()
}

// fireNext fires the earliest timer due by end; false when none is.
func (f *Fake) fireNext(end time.Time) bool {
	f.mu.Lock()
	if len(f.timers) == 0 || f.timers[0].when.After(end) {
		f.mu.Unlock()
		return false
	}
	t := heap.Pop(&f.timers).(*fakeTimer)
	t.index = -1
	if t.when.After(f.now) {
		f.now = t.when
	}
	now := f.now
	if t.fn == nil {
		t.fired = true
		f.woken++
	}
	f.mu.Unlock()
	if t.fn != nil {
		t.fn()
		return true
	}
	select {
	case t.ch <- now:
	default:
	}
	return true
}

// Pending is the number of armed timers.
func (f *Fake) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

// Woken is the number of channel timers that have fired and whose owners
// have not yet stopped or re-armed them: goroutines the clock woke that are
// still at work. A test that advances only when it is 0 cannot run the
// clock past code that re-arms a timer each time it wakes.
func (f *Fake) Woken() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.woken
}

// WaitPending blocks until at least n timers are armed, so a test can
// advance only once the code under test is waiting.
func (f *Fake) WaitPending(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		got, armed := len(f.timers), f.armed
		f.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-armed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (f *Fake) arm(t *fakeTimer, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.settle(t)
	f.seq++
	t.when, t.seq = f.now.Add(max(d, 0)), f.seq
	heap.Push(&f.timers, t)
	close(f.armed)
	f.armed = make(chan struct{})
}

// disarm removes t if it is armed; it reports whether it was.
func (f *Fake) disarm(t *fakeTimer) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.settle(t)
	if t.index < 0 {
		return false
	}
	heap.Remove(&f.timers, t.index)
	t.index = -1
	return true
}

// settle ends t's fired state (its owner stops or re-arms it); f.mu is held.
func (f *Fake) settle(t *fakeTimer) {
	if t.fired {
		t.fired = false
		f.woken--
	}
}

type fakeTimer struct {
	f     *Fake
	ch    chan time.Time
	fn    func()
	when  time.Time
	seq   uint64
	index int
	fired bool // fired and not since stopped or re-armed (channel timers)
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

// Stop disarms the timer and drops a value not yet received.
func (t *fakeTimer) Stop() bool {
	was := t.f.disarm(t)
	t.drain()
	return was
}

// Reset rearms the timer for d from now.
func (t *fakeTimer) Reset(d time.Duration) bool {
	was := t.Stop()
	t.f.arm(t, d)
	return was
}

func (t *fakeTimer) drain() {
	if t.ch == nil {
		return
	}
	select {
	case <-t.ch:
	default:
	}
}

type timerHeap []*fakeTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*fakeTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return t
}
