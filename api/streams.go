package api

import (
	"context"
	"sync"
)

// Why a stream ended, as its last "end" event says.
const (
	endLogout       = "logout"        // the session signed out
	endSessionEnded = "session_ended" // the session expired or was revoked
	endShutdown     = "shutdown"      // the server is stopping; reconnect later
	endScreenLocked = "screen_locked" // the screen locked; reconnect once unlocked
)

// streamSet tracks the open event streams so that a logout ends its
// session's streams at once and Shutdown ends them all, promptly, before
// http.Server.Shutdown waits for connections to go idle. Its mutex guards
// only the set; nothing blocks under it.
type streamSet struct {
	mu     sync.Mutex
	closed bool
	open   map[*liveStream]struct{}
	wg     sync.WaitGroup
}

// liveStream is one open stream; done is closed (once) to end it.
type liveStream struct {
	session int64
	done    chan struct{}
	reason  string // why done was closed; written before the close
}

// add registers a stream of session; false once shutdown has begun.
func (r *streamSet) add(session int64) (*liveStream, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, false
	}
	if r.open == nil {
		r.open = map[*liveStream]struct{}{}
	}
	st := &liveStream{session: session, done: make(chan struct{})}
	r.open[st] = struct{}{}
	r.wg.Add(1)
	return st, true
}

// remove forgets a stream whose handler has returned.
func (r *streamSet) remove(st *liveStream) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.open[st]; ok {
		delete(r.open, st)
		r.wg.Done()
	}
}

// endSession ends every stream of a session.
func (r *streamSet) endSession(session int64, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for st := range r.open {
		if st.session == session {
			r.end(st, reason)
		}
	}
}

// end closes st's done channel once; the caller holds r.mu.
func (r *streamSet) end(st *liveStream, reason string) {
	select {
	case <-st.done:
	default:
		st.reason = reason
		close(st.done)
	}
}

// shutdown ends every stream, refuses new ones, and waits until their
// handlers have returned or ctx is done.
func (r *streamSet) shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	for st := range r.open {
		r.end(st, endShutdown)
	}
	r.mu.Unlock()
	finished := make(chan struct{})
	go func() { r.wg.Wait(); close(finished) }()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
