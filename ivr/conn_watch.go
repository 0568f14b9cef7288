package ivr

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Why a connection can carry no more events.
var (
	// errRemoteClosed replaces io.EOF on a socket FreeSWITCH closed.
	errRemoteClosed = errors.New("ivr: FreeSWITCH closed the socket")
	// errReaderStopped: eslgo met a frame it cannot parse and stopped
	// reading, leaving the socket open.
	errReaderStopped = errors.New("ivr: eslgo stopped reading the socket")
)

// watchedConn is the accepted connection as eslgo sees it. It tells the
// call when no more events can come (eslgo has no disconnect callback for
// outbound connections, 7.3 point 12), and it hands eslgo errRemoteClosed
// instead of io.EOF: eslgo's EOF path touches its channel map without a
// lock and can panic against a local close (7.3 point 6); on any other
// error its reader just stops.
type watchedConn struct {
	net.Conn
	once   sync.Once
	dead   chan struct{}
	reason error // set before dead is closed
}

func newWatchedConn(c net.Conn) *watchedConn {
	return &watchedConn{Conn: c, dead: make(chan struct{})}
}

// markDead records why the connection is finished; the first reason wins.
func (w *watchedConn) markDead(reason error) {
	w.once.Do(func() {
		w.reason = reason
		close(w.dead)
	})
}

func (w *watchedConn) Read(p []byte) (int, error) {
	n, err := w.Conn.Read(p)
	if err != nil {
		w.markDead(errRemoteClosed)
		if errors.Is(err, io.EOF) {
			err = errRemoteClosed
		}
	}
	return n, err
}

// bound returns ctx, also cancelled when the connection dies: no reply
// comes on a dead socket, so nobody should wait out a timeout for one.
func (w *watchedConn) bound(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	go func() {
		select {
		case <-w.dead:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
