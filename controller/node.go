package controller

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bankcc/callcenter/clock"
)

// NodeConfig describes one FreeSWITCH node. The zero durations take the
// defaults noted on each field.
type NodeConfig struct {
	Name        string
	Address     string // host:port of the inbound event socket
	Password    string
	MaxChannels int     // 0: no limit from the controller
	MaxCPS      float64 // originates per second; 0: no limit
	// HeartbeatInterval must match the switch's event-heartbeat-interval
	// (default 20 s); three silent intervals declare the event connection dead.
	HeartbeatInterval time.Duration
	// CommandTimeout bounds dial, auth and each command (default 5 s).
	CommandTimeout time.Duration
	// MaxBackoff caps the reconnect back-off (default 10 s).
	MaxBackoff time.Duration
	// ReorderWindow is how long an event may wait for a missing earlier
	// one (default 1 s). With the relay's gapless numbering a number is
	// missing only while eslgo's goroutine for it waits to be scheduled
	// (hundreds of milliseconds on an overloaded machine), or for good if
	// eslgo dropped a frame it could not parse, which costs one window.
	// See reorder.
	ReorderWindow time.Duration
	// OriginateConns is the number of connections that carry only
	// originates (default 4); ControlConns carry everything else: bridge,
	// hangup, transfer, hold, record, channel lists (default 2). A queue of
	// originates therefore never delays call control. The event stream
	// always has its own connection.
	OriginateConns int
	ControlConns   int
	// Gateways caps single trunks of this node (calls per second, channels).
	Gateways []GatewayLimit
}

func (c NodeConfig) withDefaults() NodeConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.HeartbeatInterval, 20*time.Second)
	def(&c.CommandTimeout, 5*time.Second)
	def(&c.MaxBackoff, 10*time.Second)
	def(&c.ReorderWindow, time.Second)
	if c.OriginateConns <= 0 {
		c.OriginateConns = 4
	}
	if c.ControlConns <= 0 {
		c.ControlConns = 2
	}
	if c.Password == "" {
		c.Password = "ClueCon"
	}
	return c
}

// NodeState is a node's connection health.
type NodeState string

// Node states.
const (
	NodeConnecting NodeState = "connecting"
	NodeUp         NodeState = "up"
	NodeDown       NodeState = "down"
)

// GatewayStatus is one row of `sofia status gateway`.
type GatewayStatus struct {
	Name  string // profile::gateway
	State string // REGED, NOREG, FAIL_WAIT, ...
}

// NodeStatus is a snapshot for /readyz and the monitor.
type NodeStatus struct {
	Name        string
	Address     string
	State       NodeState
	Since       time.Time
	LastError   string
	CoreUUID    string
	Channels    int
	Pending     int // originates sent, no channel seen yet
	MaxChannels int
	MaxCPS      float64
	CPS         int // originates written in the last whole second
	Gateways    []GatewayStatus
	Reconnects  int // sessions established (both connections)
	Recycles    int // connections declared dead (timeouts, silence, drops)
	// CommandConns is how many command connections (originate and
	// control) are live now.
	CommandConns int
	LateEvents   uint64 // events that arrived after a later one was released
	// LastHeartbeat is when the last HEARTBEAT event reached the router.
	LastHeartbeat time.Time
	// MissingModules are the RequiredModules the node answered
	// `module_exists ... false` for, in RequiredModules order; nil until
	// the node was asked.
	MissingModules []string
}

// eventSubscription is what the event connection asks for (freeswitch-esl.md 7.4.6).
const eventSubscription = "event plain CHANNEL_CREATE CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_ANSWER " +
	"CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY CHANNEL_EXECUTE " +
	"CHANNEL_EXECUTE_COMPLETE CHANNEL_PARK CHANNEL_UNPARK CHANNEL_HOLD CHANNEL_UNHOLD DTMF RECORD_START RECORD_STOP " +
	"PLAYBACK_START PLAYBACK_STOP BACKGROUND_JOB HEARTBEAT CUSTOM sofia::register sofia::unregister " +
	"sofia::expire sofia::gateway_state callcenter::info avmd::beep spandsp::txfaxnegociateresult spandsp::txfaxpageresult spandsp::txfaxresult spandsp::rxfaxresult"

// node is one FreeSWITCH: a supervisor goroutine keeps its connections
// (events, originates, control) alive, a router goroutine owns the ordered
// event stream and hands each event to the call that owns its uuid, or to
// the pool stream.
type node struct {
	cfg     NodeConfig
	log     *slog.Logger
	clock   clock.Clock
	stop    <-chan struct{}
	reg     *registry
	regs    *registrations
	guard   *writeGuard
	orig    *cmdSet
	ctl     *cmdSet
	pool    *poolStream
	onState func() // node state changed: the scheduler re-plans
	gen     atomic.Uint64
	pending atomic.Int64
	// guardWaits counts originates the write guard sent back to wait
	// (benchmarks; it stays near zero when grants are well spaced).
	guardWaits atomic.Int64
	events     chan *event
	ctrl       chan any
	// Router-owned: the generation whose Core-UUID was noted, the last
	// generation reconciled, and channels destroyed since a new connection
	// started but before its channel list was applied.
	coreGen        uint64
	reconciledGen  uint64
	destroyedEarly map[string]bool

	mu     sync.Mutex // guards status
	status NodeStatus
}

// nodeDeps is what a node shares with its pool.
type nodeDeps struct {
	log   *slog.Logger
	clock clock.Clock
	stop  <-chan struct{}
	pool  *poolStream
}

func newNode(cfg NodeConfig, d nodeDeps) *node {
	cfg = cfg.withDefaults()
	d.clock = clock.Or(d.clock)
	if d.pool == nil {
		d.pool = newPoolStream(d.stop)
	}
	n := &node{
		cfg: cfg, clock: d.clock, stop: d.stop, pool: d.pool,
		log:    d.log.With("node", cfg.Name),
		reg:    newRegistry(),
		regs:   newRegistrations(),
		guard:  newWriteGuard(cfg.MaxCPS),
		orig:   newCmdSet("originate", cfg.OriginateConns),
		ctl:    newCmdSet("control", cfg.ControlConns),
		events: make(chan *event, 1<<16),
		ctrl:   make(chan any, 16),

		destroyedEarly: map[string]bool{},
	}
	n.status = NodeStatus{Name: cfg.Name, Address: cfg.Address, State: NodeConnecting, Since: d.clock.Now(),
		MaxChannels: cfg.MaxChannels, MaxCPS: cfg.MaxCPS}
	return n
}

func (n *node) snapshot() NodeStatus {
	n.mu.Lock()
	s := n.status
	s.Gateways = append([]GatewayStatus(nil), s.Gateways...)
	s.MissingModules = slices.Clone(s.MissingModules)
	n.mu.Unlock()
	s.Channels = n.reg.liveCount()
	s.CommandConns = n.orig.live() + n.ctl.live()
	s.CPS = n.guard.rate(n.clock.Now())
	s.Pending = int(n.pending.Load())
	return s
}

func (n *node) setState(st NodeState, err error) {
	n.mu.Lock()
	changed := n.status.State != st
	if changed {
		n.status.State, n.status.Since = st, n.clock.Now()
	}
	if err != nil {
		n.status.LastError = err.Error()
	}
	n.mu.Unlock()
	if changed && n.onState != nil {
		n.onState()
	}
}

func (n *node) update(fn func(*NodeStatus)) {
	n.mu.Lock()
	fn(&n.status)
	n.mu.Unlock()
}

func (n *node) up() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.status.State == NodeUp
}

// headroom is how many more channels the node may take (large when unlimited).
func (n *node) headroom() int {
	used := n.reg.liveCount() + int(n.pending.Load())
	if n.cfg.MaxChannels <= 0 {
		return 1<<30 - used
	}
	return n.cfg.MaxChannels - used
}

// command sends a command on one of the node's control connections.
func (n *node) command(ctx context.Context, cmd string) (reply, error) {
	c := n.ctl.pick()
	if c == nil {
		return reply{}, fmt.Errorf("%w: %s", ErrNodeDown, n.cfg.Name)
	}
	r, err := c.send(ctx, cmd)
	if err != nil {
		return r, fmt.Errorf("node %s: %w", n.cfg.Name, err)
	}
	return r, nil
}

// api runs `api <args>` and turns a -ERR body into ErrRejected.
func (n *node) api(ctx context.Context, args string) (string, error) {
	r, err := n.command(ctx, "api "+args)
	if err != nil {
		return "", err
	}
	if isErrReply(r.Text) {
		return r.Text, fmt.Errorf("%w: %s: %s", ErrRejected, verb("api "+args), firstLine(r.Text))
	}
	return r.Text, nil
}

func isErrReply(s string) bool {
	return len(s) >= 4 && (s[:4] == "-ERR" || (len(s) >= 6 && s[:6] == "-USAGE"))
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}
