package controller

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// relay stands between eslgo and FreeSWITCH: eslgo dials a unix socket in
// a private directory (0700, so no other local user can connect and read
// the password) and the relay copies bytes both ways to the TCP
// connection. It exists for two reasons:
//
//   - FreeSWITCH's first frame is checked here, so a rude rejection (after
//     which eslgo's Dial never returns) or a silent port fails fast;
//   - when FreeSWITCH goes away, eslgo never reads EOF: eslgo v1.5.0's EOF
//     path races with its own Close (concurrent map access, the panic of
//     issue #46). The relay reports the loss and eslConn.kill closes eslgo's
//     socket under it instead;
//   - it filters the frames eslgo mishandles and numbers events (copyFrames).
type relay struct {
	addr  string
	path  string
	dir   string
	fs    net.Conn
	br    *bufio.Reader
	ln    net.Listener
	local net.Conn
	owner *eslConn
	stamp bool // number event frames (the event connection)

	mu    sync.Mutex
	armed bool  // relay errors kill the owner once eslgo is fully set up
	err   error // first copy error seen before arming
	once  sync.Once
}

const authRequestFrame = "Content-Type: auth/request\n\n"

// openRelay dials FreeSWITCH, checks for auth/request and listens for eslgo.
func openRelay(ctx context.Context, cfg dialConfig, owner *eslConn, stamp bool) (*relay, error) {
	d := net.Dialer{Timeout: cfg.timeout}
	fs, err := d.DialContext(ctx, "tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("esl dial %s: %w", cfg.addr, err)
	}
	br := bufio.NewReaderSize(fs, 64<<10)
	_ = fs.SetReadDeadline(time.Now().Add(cfg.timeout))
	h, err := textproto.NewReader(br).ReadMIMEHeader()
	_ = fs.SetReadDeadline(time.Time{})
	if err != nil {
		fs.Close()
		return nil, fmt.Errorf("esl dial %s: waiting for auth/request: %w", cfg.addr, err)
	}
	if ct := h.Get("Content-Type"); ct != "auth/request" {
		fs.Close()
		return nil, fmt.Errorf("esl dial %s: first frame %q, want auth/request", cfg.addr, ct)
	}
	dir, err := os.MkdirTemp("", "cc-esl-")
	if err != nil {
		fs.Close()
		return nil, fmt.Errorf("esl relay: %w", err)
	}
	r := &relay{addr: cfg.addr, dir: dir, path: filepath.Join(dir, "s"), fs: fs, br: br, owner: owner, stamp: stamp}
	if r.ln, err = net.Listen("unix", r.path); err != nil {
		r.close()
		return nil, fmt.Errorf("esl relay: %w", err)
	}
	go r.accept()
	return r, nil
}

// accept takes eslgo's one connection and starts copying.
func (r *relay) accept() {
	local, err := r.ln.Accept()
	r.ln.Close()
	_ = os.RemoveAll(r.dir)
	if err != nil {
		return
	}
	r.mu.Lock()
	r.local = local
	r.mu.Unlock()
	if _, err := io.WriteString(local, authRequestFrame); err != nil {
		r.fail(err)
		return
	}
	go r.copy(local, r.br, "from FreeSWITCH")
	go r.copy(r.fs, bufio.NewReaderSize(local, 16<<10), "to FreeSWITCH")
}

func (r *relay) copy(dst io.Writer, src *bufio.Reader, dir string) {
	var err error
	if src == r.br {
		err = copyFrames(dst, src, r.stamp)
	} else {
		_, err = io.CopyBuffer(dst, src, make([]byte, 64<<10))
	}
	if err == nil {
		err = io.EOF
	}
	r.fail(fmt.Errorf("relay %s %s: %w", dir, r.addr, err))
}

// fail reports a broken side. Before start the dial is still running and
// handles failure itself, so the error is only kept.
func (r *relay) fail(err error) {
	r.mu.Lock()
	armed := r.armed
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
	if armed {
		r.owner.kill(err)
	}
}

// start arms the relay once eslgo's socket is known to the owner, so a
// failure can close it in the safe order.
func (r *relay) start() {
	r.mu.Lock()
	r.armed = true
	err := r.err
	r.mu.Unlock()
	if err != nil {
		r.owner.kill(err)
	}
}

func (r *relay) close() {
	r.once.Do(func() {
		if r.ln != nil {
			r.ln.Close()
		}
		_ = os.RemoveAll(r.dir)
		r.fs.Close()
		r.mu.Lock()
		if r.local != nil {
			r.local.Close()
		}
		r.mu.Unlock()
	})
}
