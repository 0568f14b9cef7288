package controller

import (
	"fmt"
	"sync/atomic"
	"time"
)

// Lane is a campaign's share of the originate capacity. The dialer sets one
// per running campaign (Switch.SetLane); originates carry the lane in
// OriginateRequest.CampaignID (0 is the lane of manual and agent legs).
// A lane never set has priority 1 and no limits of its own.
type Lane struct {
	CampaignID int64
	// Priority weighs the lane against the others when the nodes are busy:
	// a lane of priority 2 gets twice the calls per second and twice the
	// channels of a lane of priority 1. Below 1 counts as 1.
	Priority int
	// MaxCPS caps the lane's own originates per second; 0: no own cap.
	MaxCPS float64
	// MaxChannels caps the lane's own live legs; 0: no own cap.
	MaxChannels int
}

func (l Lane) weight() float64 { return float64(max(l.Priority, 1)) }

// GatewayLimit caps one trunk of a node, on top of the node's own limits.
type GatewayLimit struct {
	Name        string // the gateway as dialled: sofia/gateway/<Name>/...
	MaxCPS      float64
	MaxChannels int
}

// lane is the scheduler's state for one campaign.
type lane struct {
	cfg        Lane
	configured bool // set by SetLane: a running campaign keeps its channel share
	queue      []*ticket
	pass       float64 // stride scheduling: the lane with the lowest pass goes next
	pace       spacing
	live       atomic.Int64 // legs granted and not ended (calls' finish hooks decrement)
}

func (l *lane) active() bool { return l.configured || len(l.queue) > 0 || l.live.Load() > 0 }

// gateway is a node's trunk with limits.
type gateway struct {
	limit GatewayLimit
	pace  spacing
	live  atomic.Int64
}

// ticket is one originate waiting for its grant.
type ticket struct {
	req   OriginateRequest
	reply chan grant // buffered: the scheduler never blocks on it
}

// grant is the scheduler's answer: a node with a channel and a CPS slot
// booked for the ticket, or why not. release gives the channel back to
// the lane and the gateway once the leg has ended.
type grant struct {
	node    *node
	release func()
	err     error
}

func (g grant) String() string {
	if g.err != nil {
		return g.err.Error()
	}
	return fmt.Sprintf("grant on %s", g.node.cfg.Name)
}

// durationUntil is how long until t, at least a millisecond so a timer
// armed for "now" still lets the loop turn.
func durationUntil(now, t time.Time) time.Duration { return max(t.Sub(now), time.Millisecond) }
