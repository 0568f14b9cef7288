package feed

// Start says how a subscription begins.
type Start string

const (
	// StartFresh: no resume point was given; the client should load its
	// snapshot, then apply events.
	StartFresh Start = "fresh"
	// StartResumed: the Backlog holds every event of the subscription's
	// topics after the resume point, in order.
	StartResumed Start = "resumed"
	// StartReset: the resume point is older than the buffer (or not an id of
	// this hub); events were lost, the client must reload its snapshot.
	StartReset Start = "reset"
)

// Subscription is one stream's view of the hub. One goroutine reads it.
type Subscription struct {
	hub    *Hub
	topics map[Topic]bool
	ch     chan *Record

	// Backlog holds the missed events to send before those on C (StartResumed).
	Backlog []*Record
	start   Start
	startID uint64

	// guarded by hub.mu
	done bool
	err  error
}

// Start says how the subscription begins and at which id: the resume point
// for StartResumed, the hub's newest id otherwise (the point a client that
// reloads its snapshot now resumes from).
func (s *Subscription) Start() (Start, uint64) { return s.start, s.startID }

// C delivers new events in id order; it is closed when the subscription
// ends (Err says why).
func (s *Subscription) C() <-chan *Record { return s.ch }

// Err tells why C was closed: ErrDropped (too slow: reconnect and resume),
// ErrClosed (the hub shut down), or nil (Close was called).
func (s *Subscription) Err() error {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.err
}

// Close ends the subscription; it is safe to call more than once.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	s.hub.remove(s, nil)
}

// Position is the hub's newest id when everything for this subscriber up to
// it has been taken from C (the queue is empty), so a quiet stream can move
// its client's resume point forward and not fall behind the buffer. Only the
// goroutine reading C may call it, after it has sent what it read.
func (s *Subscription) Position() (uint64, bool) {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	if s.done || len(s.ch) > 0 {
		return 0, false
	}
	return s.hub.last, true
}
