package controller

import (
	"sync"
	"time"
)

// spacing keeps starts at least interval apart (zero: unlimited). Spacing
// by 1/CPS never lets any one-second window hold more than CPS starts,
// unlike a bucket with a burst. Only the scheduler goroutine uses it.
type spacing struct {
	interval time.Duration
	next     time.Time
}

func newSpacing(cps float64) spacing {
	if cps <= 0 {
		return spacing{}
	}
	return spacing{interval: time.Duration(float64(time.Second) / cps)}
}

// readyAt is the earliest time the next start may happen.
func (s *spacing) readyAt() time.Time { return s.next }

func (s *spacing) ready(now time.Time) bool { return s.interval == 0 || !now.Before(s.next) }

// take books a start at now.
func (s *spacing) take(now time.Time) {
	if s.interval > 0 {
		s.next = now.Add(s.interval)
	}
}

// writeGuard is a node's last check before an originate's bytes go out:
// no more than CPS writes in any one-second window, measured at the write.
// The scheduler already spaced the grants; the guard catches the rare
// originate that reached its connection late and would bunch up with the
// next one. It also counts writes per second for Status.
type writeGuard struct {
	mu     sync.Mutex
	window []time.Time // the last floor(CPS) writes, oldest first; nil: unlimited
	second int64
	counts [2]int
}

func newWriteGuard(maxCPS float64) *writeGuard {
	g := &writeGuard{}
	if n := int(maxCPS); maxCPS > 0 {
		g.window = make([]time.Time, 0, max(n, 1))
	}
	return g
}

// admit books a write at now, or says how long to wait before asking
// again (the caller waits without holding a connection).
func (g *writeGuard) admit(now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.window != nil && len(g.window) == cap(g.window) {
		if wait := g.window[0].Add(time.Second).Sub(now); wait > 0 {
			return wait
		}
		g.window = append(g.window[:0], g.window[1:]...)
	}
	if g.window != nil {
		g.window = append(g.window, now)
	}
	g.count(now)
	return 0
}

// count adds one write to its second; g.mu is held.
func (g *writeGuard) count(at time.Time) {
	sec := at.Unix()
	switch {
	case sec == g.second:
	case sec == g.second+1:
		g.counts = [2]int{g.counts[1], 0}
	default:
		g.counts = [2]int{}
	}
	g.second = sec
	g.counts[1]++
}

// rate is the number of writes in the last whole second before now.
func (g *writeGuard) rate(now time.Time) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch now.Unix() {
	case g.second:
		return g.counts[0]
	case g.second + 1:
		return g.counts[1]
	}
	return 0
}
