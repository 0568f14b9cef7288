package ivr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bankcc/callcenter/dialplan"
	"github.com/percipia/eslgo"
	"github.com/percipia/eslgo/command"
)

// Options configures a Server. Zero values take the defaults noted.
type Options struct {
	// Addr is the listen address (default dialplan.DefaultIVRSocketAddr);
	// use "127.0.0.1:0" in tests.
	Addr string
	// Flows by name (default Builtin()). A call runs the flow named by its
	// channel variable ivr_flow, else DefaultFlow.
	Flows       map[string]Flow
	DefaultFlow string
	Reporter    Reporter
	Verifier    Verifier
	Logger      *slog.Logger
	// CommandTimeout bounds each ESL command (default 5 s). A command that
	// times out ends the call: eslgo would pair later replies wrongly.
	CommandTimeout time.Duration
	// ConnectTimeout bounds the reply to "connect" (default 5 s).
	ConnectTimeout time.Duration
	// Linger keeps the socket open after the caller hangs up so the final
	// events arrive (default 30 s; sent as whole seconds).
	Linger time.Duration
	// HangupGrace is how long a call waits for its final events after the
	// hangup before closing (default 5 s; must stay below Linger so this
	// side always closes first, see freeswitch-esl.md 7.3 point 6).
	HangupGrace time.Duration
}

func (o *Options) setDefaults() {
	if o.Addr == "" {
		o.Addr = dialplan.DefaultIVRSocketAddr
	}
	if o.Flows == nil {
		o.Flows = Builtin()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = 5 * time.Second
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	if o.Linger < time.Second {
		o.Linger = 30 * time.Second
	}
	if o.HangupGrace <= 0 || o.HangupGrace >= o.Linger {
		o.HangupGrace = min(5*time.Second, o.Linger/2)
	}
}

// Server is the outbound event-socket server. Each accepted connection is
// one call, served on its own goroutine until the call ends.
type Server struct {
	opts Options
	log  *slog.Logger

	// calls is the parent of every call's context; cancelling it aborts
	// the flows still running when Shutdown runs out of time.
	calls       context.Context
	cancelCalls context.CancelFunc
	wg          sync.WaitGroup // one per accepted connection
	active      atomic.Int64

	mu         sync.Mutex
	ln         net.Listener
	acceptDone chan struct{}
	closed     bool
}

// NewServer returns a server; call Listen to start it.
func NewServer(opts Options) *Server {
	opts.setDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{opts: opts, log: opts.Logger, calls: ctx, cancelCalls: cancel}
}

// Listen validates the flows, binds the address and starts accepting calls
// in the background. It returns the bound address once listening. ctx
// bounds only the bind; the server runs until Shutdown.
func (s *Server) Listen(ctx context.Context) (string, error) {
	for name, f := range s.opts.Flows {
		if err := f.Validate(); err != nil {
			return "", fmt.Errorf("ivr: flow %q: %w", name, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", ErrServerClosed
	}
	if s.ln != nil {
		return "", fmt.Errorf("ivr: already listening on %s", s.ln.Addr())
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.opts.Addr)
	if err != nil {
		return "", fmt.Errorf("ivr: listen %s: %w", s.opts.Addr, err)
	}
	s.ln = ln
	s.acceptDone = make(chan struct{})
	go s.accept(ln, s.acceptDone)
	s.log.Info("ivr socket server listening", "addr", ln.Addr().String())
	return ln.Addr().String(), nil
}

// ActiveCalls is the number of connections being served.
func (s *Server) ActiveCalls() int { return int(s.active.Load()) }

func (s *Server) accept(ln net.Listener, done chan struct{}) {
	defer close(done)
	backoff := 5 * time.Millisecond
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait, do not spin.
			s.log.Warn("ivr accept failed", "err", err)
			time.Sleep(backoff)
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 5 * time.Millisecond
		s.wg.Add(1)
		s.active.Add(1)
		go s.serveConn(c)
	}
}

// serveConn does what eslgo's ListenAndServe does per connection: connect,
// run the handler, close.
func (s *Server) serveConn(c net.Conn) {
	defer s.wg.Done()
	defer s.active.Add(-1)
	connCtx, cancelConn := context.WithCancel(s.calls)
	wc := newWatchedConn(c)
	conn := eslgoNewConnection(wc, true, eslgo.Options{
		Context:     connCtx,
		Logger:      eslLogger{log: s.log, readerStopped: func() { wc.markDead(errReaderStopped) }},
		ExitTimeout: s.opts.CommandTimeout,
	})
	eslgoNeverClose(conn)
	var lingerOn atomic.Bool
	loopDone := make(chan struct{})
	go s.pumpDisconnects(connCtx, conn, &lingerOn, loopDone)
	defer func() {
		// dummyLoop reads eslgo's channel map without its lock; let it
		// return (it stops on the context) before Close deletes from that
		// map. Close, not ExitAndClose: "exit" makes FreeSWITCH close too,
		// and a remote close racing the local one can panic eslgo
		// (freeswitch-esl.md 7.3 point 6). FreeSWITCH ends the socket app
		// on our close just the same.
		cancelConn()
		<-loopDone
		conn.Close()
	}()

	ctx, cancel := wc.bound(connCtx, s.opts.ConnectTimeout)
	resp, err := conn.SendCommand(ctx, command.Connect{})
	cancel()
	if err != nil {
		s.log.Warn("ivr connect failed", "remote", c.RemoteAddr().String(), "err", err)
		return
	}
	s.handle(connCtx, conn, callLink{conn: wc, lingerOn: &lingerOn}, resp)
}

// pumpDisconnects consumes the disconnect notices with eslgo's dummyLoop.
// dummyLoop takes only one, and any later notice would stall eslgo's reader
// for 5 s (7.3 point 8), so once linger is on it is run again; before that
// a notice means FreeSWITCH is closing the socket, which watchedConn sees.
// dummyLoop never closes the connection itself (eslgoNeverClose).
func (s *Server) pumpDisconnects(ctx context.Context, conn *eslgo.Conn, lingerOn *atomic.Bool, done chan struct{}) {
	defer close(done)
	for {
		eslgoDummyLoop(conn)
		if ctx.Err() != nil {
			return
		}
		if !lingerOn.Load() {
			<-ctx.Done()
			return
		}
	}
}

// Shutdown stops accepting calls and waits for the calls in progress to
// end. When ctx expires first, the remaining flows are aborted (their
// results are reported with outcome aborted), their sockets closed, and
// ctx's error is returned. FreeSWITCH then continues each aborted call's
// dialplan after the socket application.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	ln, acceptDone := s.ln, s.acceptDone
	s.mu.Unlock()
	if ln != nil {
		_ = ln.Close()
		<-acceptDone
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.cancelCalls()
		return nil
	case <-ctx.Done():
	}
	s.log.Warn("ivr shutdown: aborting calls in progress", "calls", s.ActiveCalls())
	s.cancelCalls()
	<-done
	return fmt.Errorf("ivr: shutdown: %w", ctx.Err())
}
