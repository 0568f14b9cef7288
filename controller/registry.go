package controller

import "sync"

// registry maps uuids to the calls of one node. Originate writes an entry
// before the bgapi goes out (so no event can miss it), the router reads it
// for every event, and the call's owner removes it at the end. It also holds
// the node's live channel set, written only by the router.
type registry struct {
	mu    sync.RWMutex
	calls map[string]*Call
	jobs  map[string]*Call
	live  map[string]uint64 // channel uuid -> connection generation that saw it
}

func newRegistry() *registry {
	return &registry{calls: map[string]*Call{}, jobs: map[string]*Call{}, live: map[string]uint64{}}
}

func (r *registry) add(c *Call, job string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.calls[c.uuid]; dup {
		return false
	}
	r.calls[c.uuid] = c
	if job != "" {
		r.jobs[job] = c
	}
	return true
}

func (r *registry) remove(uuid, job string) {
	r.mu.Lock()
	delete(r.calls, uuid)
	delete(r.jobs, job)
	r.mu.Unlock()
}

func (r *registry) call(uuid string) *Call {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.calls[uuid]
}

func (r *registry) job(job string) *Call {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.jobs[job]
}

func (r *registry) allCalls() []*Call {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Call, 0, len(r.calls))
	for _, c := range r.calls {
		out = append(out, c)
	}
	return out
}

func (r *registry) setLive(uuid string, gen uint64, alive bool) {
	r.mu.Lock()
	if alive {
		r.live[uuid] = gen
	} else {
		delete(r.live, uuid)
	}
	r.mu.Unlock()
}

// resetLive replaces the live set with a fresh channel list, keeping the
// channels created on the current connection after the list was taken.
func (r *registry) resetLive(uuids []string, gen uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := make(map[string]uint64, len(uuids))
	for u, g := range r.live {
		if g == gen {
			next[u] = g
		}
	}
	for _, u := range uuids {
		next[u] = gen
	}
	r.live = next
}

func (r *registry) isLive(uuid string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.live[uuid]
	return ok
}

func (r *registry) liveCount() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.live)
}
