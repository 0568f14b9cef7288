package controller

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
)

// registrations remembers which SIP users are registered on a node, from
// its sofia::register, sofia::unregister and sofia::expire events. It is
// Locate's fast path; registrations made before the event connection (or
// during a reconnect) are found by asking the node (sofia_contact).
type registrations struct {
	mu    sync.Mutex
	until map[string]time.Time // user -> registration expiry
}

func newRegistrations() *registrations { return &registrations{until: map[string]time.Time{}} }

// note applies one sofia registration event.
func (r *registrations) note(e *event, now time.Time) {
	user := e.Get("from-user")
	if user == "" {
		user = e.Get("user")
	}
	if user == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	secs, _ := strconv.Atoi(e.Get("expires"))
	if e.Get("Event-Subclass") == "sofia::register" && secs > 0 {
		r.until[userKey(user)] = now.Add(time.Duration(secs) * time.Second)
		return
	}
	delete(r.until, userKey(user))
}

func (r *registrations) has(user string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	until, ok := r.until[userKey(user)]
	return ok && now.Before(until)
}

// clear forgets everything: after a reconnect the events of the gap are lost.
func (r *registrations) clear() {
	r.mu.Lock()
	clear(r.until)
	r.mu.Unlock()
}

// userKey is the user part of "1001" or "1001@domain".
func userKey(user string) string {
	u, _, _ := strings.Cut(user, "@")
	return strings.ToLower(u)
}

// Locate finds the node where a SIP user (an agent's extension, "1001" or
// "1001@domain") is registered, so a customer leg can be originated on the
// same node as the agent's (Bridge needs both legs on one node). It trusts
// the registration events first, then asks each node that is up.
func (p *Pool) Locate(ctx context.Context, user string) (string, bool) {
	if checkArgs(user) != nil {
		return "", false
	}
	now := p.clock.Now()
	for _, n := range p.nodes {
		if n.up() && n.regs.has(user, now) {
			return n.cfg.Name, true
		}
	}
	for _, n := range p.nodes {
		if !n.up() {
			continue
		}
		body, err := n.api(ctx, "sofia_contact "+user)
		if body = strings.TrimSpace(body); err == nil && body != "" && !strings.HasPrefix(body, "error/") {
			return n.cfg.Name, true
		}
	}
	return "", false
}
