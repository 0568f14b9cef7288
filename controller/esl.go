package controller

// esl.go is the only file that imports eslgo. It wraps one eslgo connection
// with what eslgo v1.5.0 lacks (freeswitch-esl.md 7.3/7.4): one command in
// flight with a deadline, recycling after any command error (a timed-out
// reply desynchronises eslgo for good), a guarded Dial, and liveness from
// traffic rather than from eslgo's disconnect callback.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/percipia/eslgo"
)

// errConnDead means the connection has been declared dead and waits to be
// replaced; the command was not sent.
var errConnDead = errors.New("controller: ESL connection is being recycled")

// eslConn is one inbound event-socket connection.
type eslConn struct {
	conn     *eslgo.Conn
	raw      net.Conn // eslgo's socket, closed directly (see kill)
	relay    *relay
	sem      chan struct{} // one command in flight (eslgo matches replies by order only)
	timeout  time.Duration
	dead     chan struct{}
	deadOnce sync.Once
	why      atomic.Pointer[error]
	lastRx   atomic.Int64 // unix nanoseconds of the last frame seen
	cancel   context.CancelFunc
}

type dialConfig struct {
	addr     string
	password string
	timeout  time.Duration // dial, auth and per-command deadline
	log      *slog.Logger
}

// reply is a command/reply or api/response frame.
type reply struct {
	Text string // Reply-Text, or the api/response body
	Body string
}

func (r reply) ok() bool { return strings.HasPrefix(r.Text, "+OK") }

// sendError tells whether a failed command may have reached FreeSWITCH;
// an originate that may have been dialed must never be dialed again.
type sendError struct {
	err       error
	maybeSent bool
}

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// rawCommand is a command written as given; eslgo appends the blank line.
type rawCommand string

func (c rawCommand) BuildMessage() string { return string(c) }

// dialESL connects and authenticates. onEvent, when set, receives every
// event of the connection; it is called from eslgo's per-event goroutines,
// so it must only hand the event on.
//
// eslgo does not talk to FreeSWITCH directly: it dials a private unix
// socket that relays to FreeSWITCH (see relay). When FreeSWITCH closes,
// eslgo therefore never reads EOF, whose handling in v1.5.0 races with its
// own goroutines (concurrent map access, issue #46); we tear the
// connection down ourselves.
func dialESL(ctx context.Context, cfg dialConfig, onEvent func(*event)) (*eslConn, error) {
	cctx, cancel := context.WithCancel(context.Background())
	c := &eslConn{sem: make(chan struct{}, 1), timeout: cfg.timeout, dead: make(chan struct{}), cancel: cancel}
	rl, err := openRelay(ctx, cfg, c, onEvent != nil)
	if err != nil {
		cancel()
		return nil, err
	}
	c.relay = rl
	opts := eslgo.DefaultInboundOptions
	opts.Network = "unix"
	opts.Password = cfg.password
	opts.AuthTimeout = cfg.timeout
	opts.ExitTimeout = time.Second
	opts.Context = cctx
	opts.Logger = slogESL{log: cfg.log, quiet: c.isDead}
	conn, err := guardedDial(ctx, opts, cfg.timeout, rl)
	if err != nil {
		cancel()
		return nil, err
	}
	c.conn, c.raw = conn, rawSocket(conn)
	if c.raw == nil { // checkESLGo passed, so this cannot happen; never run blind
		closeSocket(conn)
		rl.close()
		cancel()
		return nil, errESLGoChanged
	}
	c.touch()
	if onEvent != nil {
		conn.RegisterEventListener(eslgo.EventListenAll, func(ev *eslgo.Event) {
			c.touch() // liveness means events reach us, not bytes on the wire
			onEvent(newEvent(ev.Headers, ev.Body))
		})
	}
	rl.start()
	return c, nil
}

// guardedDial runs eslgo's Dial under a timer. With the relay in front
// Dial cannot hang forever, but it can take the auth timeout plus eslgo's
// exit timeout on a mute switch; the guard keeps the dial within timeout.
// The relay is closed only once Dial has returned (see relay): closing it
// under a running Dial would hand eslgo the EOF it mishandles.
func guardedDial(ctx context.Context, opts eslgo.InboundOptions, timeout time.Duration, rl *relay) (*eslgo.Conn, error) {
	type result struct {
		conn *eslgo.Conn
		err  error
	}
	done := make(chan result, 1)
	var abandoned atomic.Bool
	go func() {
		conn, err := opts.Dial(rl.path)
		if abandoned.Load() {
			if err == nil {
				closeSocket(conn)
			}
			rl.close()
			return
		}
		done <- result{conn, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			rl.close()
			return nil, fmt.Errorf("esl dial %s: %w", rl.addr, r.err)
		}
		return r.conn, nil
	case <-t.C:
	case <-ctx.Done():
	}
	abandoned.Store(true)
	select { // the Dial may have finished while we were deciding
	case r := <-done:
		if r.conn != nil {
			closeSocket(r.conn)
		}
		rl.close()
	default:
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return nil, fmt.Errorf("esl dial %s: %w", rl.addr, ErrTimeout)
}

// closeSocket closes eslgo's side of the connection without eslgo's
// Close, whose map deletes race with its own loops.
func closeSocket(conn *eslgo.Conn) {
	if raw := rawSocket(conn); raw != nil {
		_ = raw.Close()
	}
}

// errESLGoChanged stops the pool from starting when eslgo's Conn no longer
// has the socket field kill closes: without it a dead connection could not
// be torn down, and eslgo's own Close races (issue #46).
var errESLGoChanged = errors.New("controller: eslgo.Conn has no unexported field conn of type net.Conn; " +
	"eslgo's internals changed, update rawSocket in controller/esl.go")

// socketField is eslgo.Conn's unexported net.Conn field, found once.
var socketField, socketFieldErr = lookupSocketField(reflect.TypeFor[eslgo.Conn]())

func lookupSocketField(t reflect.Type) (reflect.StructField, error) {
	f, ok := t.FieldByName("conn")
	if !ok || f.Type != reflect.TypeFor[net.Conn]() {
		return f, errESLGoChanged
	}
	return f, nil
}

// checkESLGo fails loudly at start when rawSocket cannot work.
func checkESLGo() error { return socketFieldErr }

// rawSocket reads eslgo's unexported net.Conn. The field is set before
// Dial returns, so reading it afterwards is safe.
func rawSocket(conn *eslgo.Conn) net.Conn {
	if socketFieldErr != nil || conn == nil {
		return nil
	}
	return *(*net.Conn)(unsafe.Add(unsafe.Pointer(conn), socketField.Offset))
}

// send runs one command. The caller's ctx bounds only the wait for our
// turn: once written, the command waits for its reply up to the connection
// timeout whatever the caller does, because abandoning a reply would hand
// it to the next command. Any failure kills the connection.
func (c *eslConn) send(ctx context.Context, cmd string) (reply, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return reply{}, &sendError{err: ctx.Err()}
	case <-c.dead:
		return reply{}, &sendError{err: errConnDead}
	}
	defer func() { <-c.sem }()
	return c.sendLocked(cmd)
}

func (c *eslConn) sendLocked(cmd string) (reply, error) {
	if c.isDead() {
		return reply{}, &sendError{err: errConnDead}
	}
	cctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	resp, err := c.conn.SendCommand(cctx, rawCommand(cmd))
	if err != nil {
		c.kill(err)
		var op *net.OpError
		sent := !(errors.As(err, &op) && op.Op == "write")
		if errors.Is(err, context.DeadlineExceeded) {
			err = ErrTimeout
		}
		return reply{}, &sendError{err: fmt.Errorf("%s: %w", verb(cmd), err), maybeSent: sent}
	}
	c.touch()
	return reply{Text: resp.GetReply(), Body: string(resp.Body)}, nil
}

// withTurn runs fn while holding the connection's command slot, for a
// caller that must act right before writing (the originate pacer).
func (c *eslConn) withTurn(ctx context.Context, fn func() (reply, error)) (reply, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return reply{}, &sendError{err: ctx.Err()}
	case <-c.dead:
		return reply{}, &sendError{err: errConnDead}
	}
	defer func() { <-c.sem }()
	return fn()
}

func verb(cmd string) string {
	f := strings.Fields(cmd)
	if len(f) >= 2 && (f[0] == "api" || f[0] == "bgapi") {
		return f[0] + " " + f[1]
	}
	if len(f) > 0 {
		return f[0]
	}
	return "command"
}

func (c *eslConn) touch() { c.lastRx.Store(time.Now().UnixNano()) }

// idle is how long the connection has been silent.
func (c *eslConn) idle() time.Duration { return time.Since(time.Unix(0, c.lastRx.Load())) }

func (c *eslConn) isDead() bool {
	select {
	case <-c.dead:
		return true
	default:
		return false
	}
}

// kill declares the connection dead and closes it; the node's supervisor
// sees Dead and replaces it. Cancelling eslgo's context ends its event,
// auth and disconnect loops; closing its socket underneath ends its receive
// loop with a non-EOF error, which it treats as a silent stop. eslgo's own
// Close is never called (see dialESL).
func (c *eslConn) kill(why error) {
	c.deadOnce.Do(func() {
		c.why.Store(&why)
		close(c.dead)
		c.cancel()
		if c.raw != nil {
			_ = c.raw.Close()
		}
		if c.relay != nil {
			c.relay.close()
		}
	})
}

// Dead is closed once the connection must be replaced.
func (c *eslConn) Dead() <-chan struct{} { return c.dead }

// Err says why the connection died.
func (c *eslConn) Err() error {
	if p := c.why.Load(); p != nil {
		return *p
	}
	return nil
}

// slogESL routes eslgo's printf-style logger into slog (never the std log).
// Once the connection has been killed on purpose, eslgo's complaints about
// the socket closed under it are expected and logged at debug level only.
type slogESL struct {
	log   *slog.Logger
	quiet func() bool
}

func (l slogESL) Debug(f string, a ...any) { l.put(slog.LevelDebug, f, a) }
func (l slogESL) Info(f string, a ...any)  { l.put(slog.LevelDebug, f, a) }
func (l slogESL) Warn(f string, a ...any)  { l.put(slog.LevelWarn, f, a) }
func (l slogESL) Error(f string, a ...any) { l.put(slog.LevelError, f, a) }

func (l slogESL) put(level slog.Level, f string, a []any) {
	if l.log == nil {
		return
	}
	if l.quiet != nil && l.quiet() {
		level = slog.LevelDebug
	}
	l.log.Log(context.Background(), level, strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "eslgo")
}
