package esltest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a simulated FreeSWITCH.
type Options struct {
	// Addr is the inbound ESL listen address; default "127.0.0.1:0".
	Addr string
	// Password is the ESL password; default "ClueCon".
	Password string
	// Scenario steers callees, users and gateways; nil means DefaultScenario().
	Scenario *Scenario
	// Logger receives the simulator's own log; nil discards it.
	Logger *slog.Logger
	// TimeScale multiplies every simulated delay: 1 is real time, 0.01 is
	// 100 times faster. 0 means 1.
	TimeScale float64
	// HeartbeatInterval is the HEARTBEAT period in real (unscaled) time;
	// default 20 s like FreeSWITCH. Negative disables heartbeats.
	HeartbeatInterval time.Duration
	// AuthTimeout is how long a new connection may wait before its first
	// command (inbound: until it authenticates; outbound: connect);
	// default 25 s like FreeSWITCH.
	AuthTimeout time.Duration
	// Hostname is reported as FreeSWITCH-Hostname; default "fssim".
	Hostname string
	// EventQueue is each connection's event queue length; default 100000
	// like mod_event_socket. A full queue drops events; after 500 drops the
	// connection is killed with "killed listener because of lost events".
	EventQueue int
}

// Server is a running simulator. Its methods are safe for concurrent use.
type Server struct {
	opts   Options
	log    *slog.Logger
	ln     net.Listener
	inbox  chan func(*world)
	done   chan struct{}
	closed sync.Once
	wg     sync.WaitGroup
	faults atomic.Pointer[faultState]
	// coreUUID mirrors world.coreUUID for CoreUUID without a round trip.
	coreUUID atomic.Value

	cmdMu   sync.Mutex
	cmdLog  []string     // every api command run (a bgapi job as its command)
	callLog []CallRecord // every channel destroyed
}

// CommandLog returns every api command the simulator ran, in order, as
// received (a bgapi job as the command it ran): the switch's own record of
// what a controller asked, for tests that check what was dialed.
func (s *Server) CommandLog() []string {
	s.cmdMu.Lock()
	defer s.cmdMu.Unlock()
	return append([]string(nil), s.cmdLog...)
}

// CallRecord is one ended channel as the switch saw it.
type CallRecord struct {
	UUID        string
	Name        string // e.g. "sofia/gateway/gw1/13800138000"
	Direction   string // "inbound" or "outbound"
	Destination string
	Answered    bool
	Cause       string // hangup cause
	Created     time.Time
}

// CallLog returns every channel that has ended, in the order they ended:
// the switch's own record of the legs it carried and which were answered,
// for tests that check what a report counted.
func (s *Server) CallLog() []CallRecord {
	s.cmdMu.Lock()
	defer s.cmdMu.Unlock()
	return append([]CallRecord(nil), s.callLog...)
}

func (s *Server) logCall(c CallRecord) {
	s.cmdMu.Lock()
	defer s.cmdMu.Unlock()
	s.callLog = append(s.callLog, c)
}

func (s *Server) logCommand(line string) {
	s.cmdMu.Lock()
	defer s.cmdMu.Unlock()
	s.cmdLog = append(s.cmdLog, line)
}

// Start listens on opts.Addr and serves until ctx ends or Close is called.
// The listener is open when Start returns.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts = withDefaults(opts)
	sc := opts.Scenario
	if sc == nil {
		sc = DefaultScenario()
	}
	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("esltest: scenario: %w", err)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("esltest: listen %s: %w", opts.Addr, err)
	}
	s := &Server{opts: opts, log: opts.Logger, ln: ln, inbox: make(chan func(*world), 4096),
		done: make(chan struct{})}
	s.faults.Store(&faultState{})
	w := newWorld(s, sc)
	s.coreUUID.Store(w.coreUUID)
	s.wg.Add(2)
	go s.run(w)
	go s.acceptLoop()
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-s.done:
		}
	}()
	s.log.Info("esltest: listening", "addr", ln.Addr().String(), "core_uuid", w.coreUUID)
	return s, nil
}

func withDefaults(o Options) Options {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Password == "" {
		o.Password = "ClueCon"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.TimeScale <= 0 {
		o.TimeScale = 1
	}
	if o.HeartbeatInterval == 0 {
		o.HeartbeatInterval = 20 * time.Second
	}
	if o.AuthTimeout <= 0 {
		o.AuthTimeout = 25 * time.Second
	}
	if o.Hostname == "" {
		o.Hostname = "fssim"
	}
	if o.EventQueue <= 0 {
		o.EventQueue = 100000
	}
	return o
}

// Addr is the listening address, "host:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops listening, drops every connection and waits for the
// simulator's goroutines to end.
func (s *Server) Close() error {
	s.closed.Do(func() {
		_ = s.ln.Close()
		close(s.done)
	})
	s.wg.Wait()
	return nil
}

// CoreUUID is the current Core-UUID (it changes on Restart).
func (s *Server) CoreUUID() string { return s.coreUUID.Load().(string) }

// Restart simulates a FreeSWITCH restart: every connection is dropped
// without a disconnect notice, every channel disappears, the Core-UUID
// changes and Event-Sequence starts again.
func (s *Server) Restart() {
	s.call(func(w *world) {
		w.restart()
		s.coreUUID.Store(w.coreUUID)
	})
}

// Channels is a snapshot of the live channels, oldest first.
func (s *Server) Channels() []ChannelInfo {
	var out []ChannelInfo
	s.call(func(w *world) {
		for _, ch := range w.channels {
			out = append(out, ch.info())
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out
}

// scaled converts a simulated duration to real time.
func (s *Server) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * s.opts.TimeScale)
}

// post queues fn for the world loop; it is dropped once the server closed.
func (s *Server) post(fn func(*world)) {
	select {
	case s.inbox <- fn:
	case <-s.done:
	}
}

// call runs fn in the world loop and waits for it. It returns false when
// the server closed first.
func (s *Server) call(fn func(*world)) bool {
	ran := make(chan struct{})
	s.post(func(w *world) { fn(w); close(ran) })
	select {
	case <-ran:
		return true
	case <-s.done:
		return false
	}
}

// run is the world loop: the only goroutine that touches the world.
func (s *Server) run(w *world) {
	defer s.wg.Done()
	var tick <-chan time.Time
	if s.opts.HeartbeatInterval > 0 {
		t := time.NewTicker(s.opts.HeartbeatInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case fn := <-s.inbox:
			fn(w)
		case <-tick:
			w.fire(w.heartbeat())
		case <-s.done:
			for c := range w.conns {
				c.abort()
			}
			return
		}
	}
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.log.Warn("esltest: accept", "err", err)
			}
			return
		}
		if s.currentFaults().RudeRejection {
			_, _ = nc.Write(rudeRejectionFrame())
			_ = nc.Close()
			continue
		}
		c := newConn(s, nc, false)
		s.post(func(w *world) { w.conns[c] = true })
		c.start(func() { c.serveInbound() })
	}
}
