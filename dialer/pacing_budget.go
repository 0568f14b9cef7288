package dialer

import (
	"math"
	"sort"
)

// The abandonment budget: answered humans and abandoned calls are counted in
// ten-minute buckets, so "the last 24 hours" is the last 144 buckets
// (between 23 h 50 min and 24 h of history) and "the last 30 days" the
// last 4,320.
const (
	bucketSeconds = 600
	span24h       = 24 * 3600 / bucketSeconds
	span30d       = 30 * 24 * 3600 / bucketSeconds
)

// The rate schedule: the abandonment rate aimed at grows with the unspent
// budget (counted in abandoned calls) and shrinks when it is spent, between
// a cautious floor and a ceiling; with no headroom left under the cap itself
// the pacer turns all but progressive.
const (
	rateAim      = 0.9 // of the cap, with the budget unspent by rateAimSlack
	rateAimSlack = 0.0 // abandoned calls of budget kept in hand at equilibrium
	ratePerCall  = 0.3 // log-rate change per abandoned call of budget
	rateFloor    = 0.4 // of the cap: the budget is spent, slow down
	rateCeiling  = 1.5 // of the cap: plenty unspent, catch up
	// rateGuardSpan: within this many abandonments of the cap the rate
	// shrinks in proportion to what is left.
	rateGuardSpan = 3.0
)

type budget struct {
	cap     float64
	now     float64   // the latest time the windows were advanced to
	buckets []bucket  // oldest first, none older than the longest window
	windows [2]window // 24 hours, 30 days
}

type bucket struct {
	idx               int64
	humans, abandoned int
}

type window struct {
	span              int64 // buckets
	first             int   // index in buckets of the oldest bucket inside
	humans, abandoned int
}

func (b *budget) init(cap float64) {
	b.cap = cap
	b.windows = [2]window{{span: span24h}, {span: span30d}}
}

func bucketOf(t float64) int64 { return int64(math.Floor(t / bucketSeconds)) }

// advance drops buckets that left each window by time t.
func (b *budget) advance(t float64) {
	b.now = math.Max(b.now, t)
	cur := bucketOf(b.now)
	for i := range b.windows {
		w := &b.windows[i]
		for w.first < len(b.buckets) && b.buckets[w.first].idx <= cur-w.span {
			w.humans -= b.buckets[w.first].humans
			w.abandoned -= b.buckets[w.first].abandoned
			w.first++
		}
	}
	drop := min(b.windows[0].first, b.windows[1].first)
	if drop > 0 {
		b.buckets = b.buckets[drop:]
		b.windows[0].first -= drop
		b.windows[1].first -= drop
	}
}

func (b *budget) count(t float64, humans, abandoned int) {
	b.advance(t)
	cur := bucketOf(t)
	if n := len(b.buckets); n == 0 || b.buckets[n-1].idx < cur {
		b.buckets = append(b.buckets, bucket{idx: cur})
	}
	last := &b.buckets[len(b.buckets)-1]
	last.humans += humans
	last.abandoned += abandoned
	for i := range b.windows {
		b.windows[i].humans += humans
		b.windows[i].abandoned += abandoned
	}
}

func (b *budget) human(t float64)   { b.count(t, 1, 0) }
func (b *budget) abandon(t float64) { b.count(t, 0, 1) }

// preload adds history at any time, in or out of order.
func (b *budget) preload(t float64, humans, abandoned int) {
	b.buckets = append(b.buckets, bucket{idx: bucketOf(t), humans: humans, abandoned: abandoned})
	sort.SliceStable(b.buckets, func(i, j int) bool { return b.buckets[i].idx < b.buckets[j].idx })
	latest := math.Max(b.now, float64(b.buckets[len(b.buckets)-1].idx)*bucketSeconds)
	for i := range b.windows {
		b.windows[i].first, b.windows[i].humans, b.windows[i].abandoned = 0, 0, 0
		for _, k := range b.buckets {
			b.windows[i].humans += k.humans
			b.windows[i].abandoned += k.abandoned
		}
	}
	b.advance(latest)
}

// unspent is how many more abandoned calls the tighter window allows while
// staying at the aim: 10 % under the cap, or six abandoned calls under it
// when that is more.
func (b *budget) unspent(t float64) float64 {
	b.advance(t)
	u := math.Inf(1)
	for _, w := range b.windows {
		allowed := b.cap * float64(w.humans)
		margin := math.Max(0.1*allowed, 6)
		u = math.Min(u, allowed-margin-float64(w.abandoned))
	}
	return u
}

// headroom is how many abandoned calls the tighter window has left under
// the cap itself (after unspent has advanced the windows).
func (b *budget) headroom() float64 {
	h := math.Inf(1)
	for _, w := range b.windows {
		h = math.Min(h, b.cap*float64(w.humans)-float64(w.abandoned))
	}
	return h
}

// targetRate is the abandonment rate to aim at, at time t, with pending
// abandonments expected among the calls in flight. Close to the cap itself
// the rate shrinks with the headroom left (abandonments come in bursts when
// a forecast is wrong), and to nothing when one more would break it.
func (b *budget) targetRate(t, pending float64) float64 {
	u := b.unspent(t) - pending
	h := b.headroom() - pending
	if h < 1 {
		return 0
	}
	r := rateAim * b.cap * math.Exp(ratePerCall*(u-rateAimSlack))
	r = math.Min(math.Max(r, rateFloor*b.cap), rateCeiling*b.cap)
	return math.Min(r, b.cap*(h-1)/rateGuardSpan)
}
