package esltest

import (
	"container/heap"
	"time"
)

// simTimer is one scheduled step of the simulated world (a callee's
// answer, a hangup after the talk time, an application's result).
type simTimer struct {
	due     time.Time
	seq     uint64 // ties keep the order they were scheduled in
	fn      func()
	t       *time.Timer
	stopped bool
}

// Stop cancels the step; called in the world loop.
func (t *simTimer) Stop() {
	t.stopped = true
	t.t.Stop()
}

// timerQueue holds the world's pending steps, earliest first.
type timerQueue []*simTimer

func (q timerQueue) Len() int { return len(q) }
func (q timerQueue) Less(i, j int) bool {
	if !q[i].due.Equal(q[j].due) {
		return q[i].due.Before(q[j].due)
	}
	return q[i].seq < q[j].seq
}
func (q timerQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *timerQueue) Push(x any)   { *q = append(*q, x.(*simTimer)) }
func (q *timerQueue) Pop() any {
	old := *q
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return t
}

// schedule runs fn in the world loop once the scaled delay has passed.
// Steps run in the order they are due, however late a busy machine wakes
// the timers: each wake-up runs every step already due, earliest first, so
// two steps 50 ms apart (mod_amd's verdict and the machine hanging up) can
// never swap, as they cannot on a real switch's clock.
func (w *world) schedule(d time.Duration, fn func()) *simTimer {
	d = w.s.scaled(d)
	w.timerSeq++
	st := &simTimer{due: time.Now().Add(d), seq: w.timerSeq, fn: fn}
	heap.Push(&w.timers, st)
	st.t = time.AfterFunc(d, func() { w.s.post(func(w *world) { w.runDue() }) })
	return st
}

// runDue runs the steps due by now, earliest first.
func (w *world) runDue() {
	now := time.Now()
	for len(w.timers) > 0 && !w.timers[0].due.After(now) {
		st := heap.Pop(&w.timers).(*simTimer)
		if !st.stopped {
			st.fn()
		}
	}
}
