package controller

import (
	"sync"
	"time"
)

// pacer keeps a node's originates at or under MaxCPS. It spaces calls by
// 1/MaxCPS, which never lets any one-second window hold more than MaxCPS
// calls, unlike a bucket with a burst. Spacing is enforced twice: reserve
// paces callers before they queue for the command connection, and
// beforeWrite re-checks right before the bytes go out, because time spent
// queueing behind other commands would otherwise bunch originates up.
type pacer struct {
	mu        sync.Mutex
	interval  time.Duration // zero: unlimited
	next      time.Time
	lastWrite time.Time
	now       func() time.Time
	// second and counts give the originates of the current and previous
	// whole second, for Status.
	second int64
	counts [2]int
}

func newPacer(maxCPS float64) *pacer {
	p := &pacer{now: time.Now}
	if maxCPS > 0 {
		p.interval = time.Duration(float64(time.Second) / maxCPS)
	}
	return p
}

// reserve takes a slot now, or says how long to wait before asking again.
func (p *pacer) reserve() time.Duration {
	if p.interval == 0 {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if now.Before(p.next) {
		return p.next.Sub(now)
	}
	p.next = now.Add(p.interval)
	return 0
}

// beforeWrite waits for this originate's write slot: one interval after
// the previous originate's slot on this node. The slot is taken under the
// lock, so originates on different command connections cannot share one.
// It runs while holding a connection's command slot, right before the
// bytes go out.
func (p *pacer) beforeWrite() {
	p.mu.Lock()
	if p.interval == 0 {
		p.count(p.now())
		p.mu.Unlock()
		return
	}
	now := p.now()
	slot := p.lastWrite.Add(p.interval)
	if slot.Before(now) {
		slot = now
	}
	p.lastWrite = slot
	p.count(slot)
	p.mu.Unlock()
	if wait := slot.Sub(now); wait > 0 {
		time.Sleep(wait)
	}
}

// count adds one originate to its second; p.mu is held.
func (p *pacer) count(at time.Time) {
	sec := at.Unix()
	switch {
	case sec == p.second:
	case sec == p.second+1:
		p.counts = [2]int{p.counts[1], 0}
	default:
		p.counts = [2]int{}
	}
	p.second = sec
	p.counts[1]++
}

// rate is the number of originates in the last whole second.
func (p *pacer) rate() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.now().Unix() {
	case p.second:
		return p.counts[0]
	case p.second + 1:
		return p.counts[1]
	}
	return 0
}
