package controller

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// reconcileMsg carries a fresh channel list to the router, which owns the
// decision of which calls survived a disconnect.
type reconcileMsg struct {
	gen  uint64
	rows []Channel
	done chan struct{}
}

// route is the node's single event consumer: it restores order, keeps the
// live channel set and hands each event to the owner of its uuid or job.
func (n *node) route(ctx context.Context) {
	ro := newReorder(n.cfg.ReorderWindow)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-n.events:
			ro.push(e, n.dispatch)
			n.drain(ro)
		case m := <-n.ctrl:
			n.drain(ro)
			ro.flush(n.dispatch)
			n.control(m)
		case <-timer.C:
		}
		next := ro.release(time.Now(), n.dispatch)
		if late := ro.late; late > 0 {
			n.update(func(s *NodeStatus) { s.LateEvents = late })
		}
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
	}
}

// drain takes whatever else is queued without blocking, so a burst is
// reordered as a whole instead of one event per loop turn.
func (n *node) drain(ro *reorder) {
	for range cap(n.events) {
		select {
		case e := <-n.events:
			ro.push(e, n.dispatch)
		default:
			return
		}
	}
}

func (n *node) dispatch(e *event) {
	if e.gen != n.coreGen { // a new connection may be a restarted switch
		n.coreGen = e.gen
		n.noteCore(e)
	}
	switch e.Name {
	case "HEARTBEAT":
		n.noteCore(e)
		n.update(func(s *NodeStatus) { s.LastHeartbeat = n.clock.Now() })
		return
	case "BACKGROUND_JOB":
		if c := n.reg.job(e.JobUUID); c != nil {
			c.deliver(jobResult{body: string(e.Body)})
		}
		return
	case "CUSTOM":
		n.custom(e)
		return
	case "CHANNEL_CREATE":
		n.reg.setLive(e.UUID, e.gen, true)
	case "CHANNEL_DESTROY":
		n.reg.setLive(e.UUID, e.gen, false)
		if e.gen > n.reconciledGen { // gone before the channel list is applied
			n.destroyedEarly[e.UUID] = true
		}
	}
	if e.UUID == "" {
		return
	}
	// FreeSWITCH fires (UN)BRIDGE on the A-leg only; the B-leg's owner
	// (an agent's leg) needs it just as much.
	if e.Name == "CHANNEL_BRIDGE" || e.Name == "CHANNEL_UNBRIDGE" {
		if b := e.get(hdrBridgeB); b != "" && b != e.UUID {
			n.toLeg(e, b)
		}
	}
	n.toLeg(e, e.UUID)
}

// toLeg hands an event to the owner of leg uuid, or else to the pool stream
// as an event of that leg.
func (n *node) toLeg(e *event, uuid string) {
	if c := n.reg.call(uuid); c != nil {
		c.deliver(e)
		return
	}
	n.publishFor(e, uuid)
}

// custom routes a CUSTOM event: every one goes to the pool stream, and one
// about a leg we own also to that leg.
func (n *node) custom(e *event) {
	switch e.get(hdrSubclass) {
	case "sofia::gateway_state":
		n.noteGateway(e.Get("Gateway"), e.Get("State"))
	case "sofia::register", "sofia::unregister", "sofia::expire":
		n.regs.note(e, n.clock.Now())
	}
	n.publish(e)
	if e.UUID == "" {
		return
	}
	if c := n.reg.call(e.UUID); c != nil {
		c.deliver(e)
	}
}

// publish hands an event to the pool stream, translated only when someone
// listens.
func (n *node) publish(e *event) { n.publishFor(e, e.UUID) }

// publishFor publishes e as an event of leg uuid.
func (n *node) publishFor(e *event, uuid string) {
	if !n.pool.active() {
		return
	}
	if te, ok := typedEvent(e, n.cfg.Name); ok {
		if uuid != e.UUID {
			te.UUID, te.Other = uuid, otherLeg(e, uuid)
		}
		n.pool.publish(te)
	}
}

func (n *node) control(m any) {
	switch m := m.(type) {
	case reconcileMsg:
		n.applyReconcile(m)
		close(m.done)
	}
}

// applyReconcile closes every call the switch no longer has: it ended
// while we could not hear it. Live ones simply keep their owner, whose uuid
// routing works again on the new connection.
func (n *node) applyReconcile(m reconcileMsg) {
	// A channel destroyed between `show channels` and now is listed but
	// gone; its DESTROY has already passed.
	uuids := make([]string, 0, len(m.rows))
	state := make(map[string]string, len(m.rows))
	for _, r := range m.rows {
		if !n.destroyedEarly[r.UUID] {
			uuids = append(uuids, r.UUID)
			state[r.UUID] = r.CallState
		}
	}
	n.reconciledGen = m.gen
	clear(n.destroyedEarly)
	n.reg.resetLive(uuids, m.gen)
	closed := 0
	for _, c := range n.reg.allCalls() {
		switch cs, listed := state[c.uuid]; {
		case listed:
			c.deliver(resyncCall{callState: cs})
		case !n.reg.isLive(c.uuid):
			c.deliver(closeCall{reason: "ended while the node was disconnected"})
			closed++
		}
	}
	if closed > 0 {
		n.log.Warn("reconciled calls after reconnect", "closed", closed, "live", len(uuids))
	}
}

// reconcile lists the node's channels and waits for the router to apply it.
func (n *node) reconcile(ctx context.Context, gen uint64) error {
	body, err := n.api(ctx, "show channels as json")
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	rows, err := parseChannels(n.cfg.Name, body)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	m := reconcileMsg{gen: gen, rows: rows, done: make(chan struct{})}
	select {
	case n.ctrl <- m:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-m.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// parseChannels reads `show channels as json`: {"row_count":N,"rows":[...]},
// all values strings; zero rows is {"row_count": 0}.
func parseChannels(node, body string) ([]Channel, error) {
	var doc struct {
		Rows []map[string]string `json:"rows"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(body)), &doc); err != nil {
		return nil, fmt.Errorf("show channels: %w", err)
	}
	out := make([]Channel, 0, len(doc.Rows))
	for _, r := range doc.Rows {
		ch := Channel{Node: node, UUID: r["uuid"], Direction: r["direction"], Name: r["name"],
			State: r["state"], CallState: r["callstate"], CIDNumber: r["cid_num"], Dest: r["dest"],
			CallUUID: r["call_uuid"]}
		var epoch int64
		if _, err := fmt.Sscan(r["created_epoch"], &epoch); err == nil && epoch > 0 {
			ch.Created = time.Unix(epoch, 0)
		}
		out = append(out, ch)
	}
	return out, nil
}

func (n *node) noteCore(e *event) {
	core := e.Get("Core-UUID")
	if core == "" {
		return
	}
	n.update(func(s *NodeStatus) { s.CoreUUID = core })
}

func (n *node) noteGateway(name, state string) {
	if name == "" {
		return
	}
	n.update(func(s *NodeStatus) {
		for i := range s.Gateways {
			if s.Gateways[i].Name == name || strings.HasSuffix(s.Gateways[i].Name, "::"+name) {
				s.Gateways[i].State = state
				return
			}
		}
		s.Gateways = append(s.Gateways, GatewayStatus{Name: name, State: state})
	})
}

// refreshGateways reads `sofia status gateway`; it doubles as the command
// connection's keepalive probe, so its failure recycles that connection.
func (n *node) refreshGateways(ctx context.Context) {
	body, err := n.api(ctx, "sofia status gateway")
	if err != nil {
		n.log.Debug("sofia status gateway", "err", err)
		return
	}
	gws := parseGateways(body)
	n.update(func(s *NodeStatus) { s.Gateways = gws })
}

// parseGateways reads the table rows `<profile>::<gw>\t<to>\t<STATE>\t...`.
func parseGateways(body string) []GatewayStatus {
	var out []GatewayStatus
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		name := strings.TrimSpace(f[0])
		if len(f) < 3 || !strings.Contains(name, "::") || name == "Profile::Gateway-Name" {
			continue
		}
		out = append(out, GatewayStatus{Name: name, State: strings.TrimSpace(f[2])})
	}
	return out
}
