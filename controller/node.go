package controller

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
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
	// one (default 250 ms); with the relay's gapless numbering it only runs
	// out if eslgo drops an event it cannot parse. See reorder.
	ReorderWindow time.Duration
	// CommandConns is the number of command connections (default 4); the
	// event stream always has its own.
	CommandConns int
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
	def(&c.ReorderWindow, 250*time.Millisecond)
	if c.CommandConns <= 0 {
		c.CommandConns = 4
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
	CPS         int // originates sent in the last whole second
	Gateways    []GatewayStatus
	Reconnects  int // sessions established (both connections)
	Recycles    int // connections declared dead (timeouts, silence, drops)
	// CommandConns is how many command connections are live now.
	CommandConns int
	LateEvents   uint64 // events that arrived after a later one was released
	// LastHeartbeat is when the last HEARTBEAT event reached the router.
	LastHeartbeat time.Time
}

// eventSubscription is what the event connection asks for (freeswitch-esl.md 7.4.6).
const eventSubscription = "event plain CHANNEL_CREATE CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_ANSWER " +
	"CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY CHANNEL_EXECUTE " +
	"CHANNEL_EXECUTE_COMPLETE CHANNEL_PARK CHANNEL_HOLD CHANNEL_UNHOLD DTMF RECORD_START RECORD_STOP " +
	"PLAYBACK_START PLAYBACK_STOP BACKGROUND_JOB HEARTBEAT CUSTOM sofia::register sofia::unregister " +
	"sofia::expire sofia::gateway_state callcenter::info avmd::beep"

// node is one FreeSWITCH: a supervisor goroutine keeps its two connections
// (events, commands) alive, a router goroutine owns the ordered event
// stream and hands each event to the call that owns its uuid.
type node struct {
	cfg     NodeConfig
	log     *slog.Logger
	rec     CallRecorder
	stop    <-chan struct{}
	reg     *registry
	pace    *pacer
	cmds    *cmdSet
	gen     atomic.Uint64
	pending atomic.Int64
	events  chan *event
	ctrl    chan any
	// Router-owned: the generation whose Core-UUID was noted, the last
	// generation reconciled, and channels destroyed since a new connection
	// started but before its channel list was applied.
	coreGen        uint64
	reconciledGen  uint64
	destroyedEarly map[string]bool

	mu     sync.Mutex // guards status
	status NodeStatus
}

func newNode(cfg NodeConfig, rec CallRecorder, log *slog.Logger, stop <-chan struct{}) *node {
	cfg = cfg.withDefaults()
	n := &node{
		cfg: cfg, rec: rec, stop: stop,
		log:    log.With("node", cfg.Name),
		reg:    newRegistry(),
		pace:   newPacer(cfg.MaxCPS),
		cmds:   newCmdSet(cfg.CommandConns),
		events: make(chan *event, 1<<16),
		ctrl:   make(chan any, 16),

		destroyedEarly: map[string]bool{},
	}
	n.status = NodeStatus{Name: cfg.Name, Address: cfg.Address, State: NodeConnecting, Since: time.Now(),
		MaxChannels: cfg.MaxChannels, MaxCPS: cfg.MaxCPS}
	return n
}

func (n *node) snapshot() NodeStatus {
	n.mu.Lock()
	s := n.status
	s.Gateways = append([]GatewayStatus(nil), s.Gateways...)
	n.mu.Unlock()
	s.Channels = n.reg.liveCount()
	s.CommandConns = n.cmds.live()
	s.CPS = n.pace.rate()
	s.Pending = int(n.pending.Load())
	return s
}

func (n *node) setState(st NodeState, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.status.State != st {
		n.status.State, n.status.Since = st, time.Now()
	}
	if err != nil {
		n.status.LastError = err.Error()
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

// command sends an api command on the node's command connection.
func (n *node) command(ctx context.Context, cmd string) (reply, error) {
	c := n.cmds.pick()
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
