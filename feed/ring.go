package feed

// ring is the replay buffer: a fixed-capacity queue of records, oldest
// first, that overwrites its oldest entry when full.
type ring struct {
	items []*Record
	head  int // index of the oldest record
	n     int
}

func newRing(capacity int) ring { return ring{items: make([]*Record, capacity)} }

func (r *ring) len() int { return r.n }

// at returns the i-th oldest record.
func (r *ring) at(i int) *Record { return r.items[(r.head+i)%len(r.items)] }

// push appends rec, returning the record it pushed out when full.
func (r *ring) push(rec *Record) (*Record, bool) {
	if r.n < len(r.items) {
		r.items[(r.head+r.n)%len(r.items)] = rec
		r.n++
		return nil, false
	}
	old := r.items[r.head]
	r.items[r.head] = rec
	r.head = (r.head + 1) % len(r.items)
	return old, true
}

// pop removes and returns the oldest record; the ring must not be empty.
func (r *ring) pop() *Record {
	old := r.items[r.head]
	r.items[r.head] = nil
	r.head = (r.head + 1) % len(r.items)
	r.n--
	return old
}
