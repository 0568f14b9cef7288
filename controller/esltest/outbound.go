package esltest

import (
	"bufio"
	"net"
	"slices"
	"strings"
	"time"
)

// appSocket is the dialplan `socket host:port [async] [full]` app: the
// simulator dials the client and hands it the channel, like mod_event_socket.
func appSocket(w *world, ch *channel, r *appRun) {
	f := strings.Fields(r.call.arg)
	if len(f) == 0 {
		w.done(ch, r, "")
		return
	}
	addr := f[0]
	if !strings.Contains(addr, ":") {
		addr += ":8084"
	}
	async, full := false, false
	for _, word := range f[1:] {
		async = async || word == "async"
		full = full || word == "full"
	}
	ch.vars.set("socket_host", strings.Split(addr, ":")[0])
	// the socket app stays "running" in EXECUTE terms, but the channel must
	// take sendmsg messages meanwhile, so it is tracked apart from ch.app.
	ch.app = nil
	ch.socketCall = r.call
	ch.socketHeld = true
	s := w.s
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
		s.post(func(w *world) { w.socketConnected(ch, nc, err, async, full) })
	}()
}

func (w *world) socketConnected(ch *channel, nc net.Conn, err error, async, full bool) {
	if err != nil || w.channels[ch.uuid] != ch || !ch.isUp() {
		if nc != nil {
			_ = nc.Close()
		}
		w.s.log.Warn("esltest: outbound socket", "err", err, "call_uuid", ch.uuid)
		w.socketEnded(ch)
		return
	}
	c := newConn(w.s, nc, true)
	c.authed, c.full, c.async, c.ownUUID = true, full, async, ch.uuid
	w.conns[c] = true
	w.bind(c, ch)
	c.start(func() { c.serveOutbound() })
}

// socketEnded runs when the socket closed or failed: the socket app
// completes and the dialplan carries on (usually to its end: hangup).
func (w *world) socketEnded(ch *channel) {
	if !ch.socketHeld {
		return
	}
	ch.socketHeld = false
	if ch.isUp() {
		w.completeEvent(ch, ch.socketCall, "_none_")
		w.next(ch)
	}
}

func (c *conn) serveOutbound() {
	r := bufio.NewReaderSize(c.nc, 64<<10)
	_ = c.nc.SetReadDeadline(time.Now().Add(c.s.opts.AuthTimeout))
	for {
		cmd, err := readCommand(r)
		if err != nil {
			return
		}
		_ = c.nc.SetReadDeadline(time.Time{})
		if c.countCommand() {
			return
		}
		if !c.handle(cmd) {
			drain(r)
			return
		}
	}
}

// cmdConnect replies with the channel's data (no Content-Length) and, in
// async mode, parks the channel under the socket's control.
func (c *conn) cmdConnect() {
	if !c.outbound {
		c.reply("-ERR command not found")
		return
	}
	var frame []byte
	c.s.call(func(w *world) {
		ch := w.channels[c.ownUUID]
		if ch == nil {
			return
		}
		e := w.channelData(ch)
		mode, control := "static", "single-channel"
		if c.async {
			mode = "async"
		}
		if c.full {
			control = "full"
		}
		e.add("Content-Type", "command/reply")
		e.add("Reply-Text", "+OK\n")
		e.add("Socket-Mode", mode)
		e.add("Control", control)
		frame = e.serializePlain()
		if c.async {
			defer func() {
				w.setState(ch, csExecute)
				w.emit("CHANNEL_PARK", ch)
			}()
		}
	})
	if frame == nil {
		c.reply("-ERR invalid session id")
		return
	}
	c.send(outFrame{data: frame})
}

func (c *conn) cmdGetvar(args string) {
	value := ""
	c.s.call(func(w *world) {
		if ch := w.channels[c.ownUUID]; ch != nil {
			value = ch.vars.get(strings.TrimSpace(args))
		}
	})
	if value == "" {
		c.reply("-ERR command not found")
		return
	}
	c.reply(value)
}

func (c *conn) cmdResume() {
	c.s.call(func(w *world) {
		if ch := w.channels[c.ownUUID]; ch != nil {
			ch.vars.set("socket_resume", "true")
		}
	})
	c.reply("+OK")
}

// bind makes c control ch: its hangup ends or lingers the connection. A
// socket is bound once however it got there (the socket app, then
// myevents on it), so it gets one linger notice like in FreeSWITCH.
func (w *world) bind(c *conn, ch *channel) {
	c.bound = ch
	if !slices.Contains(ch.bound, c) {
		ch.bound = append(ch.bound, c)
	}
}

// lingerNotices tell lingering controllers that their channel hung up.
func (w *world) lingerNotices(ch *channel) {
	for _, c := range ch.bound {
		if c.lingerOn {
			c.deliverRaw(lingerFrame(ch.uuid, ch.name, c.lingerSecs), false)
		}
	}
}

// endBound closes the controlling connections of a hung-up channel: at
// once without linger, after the linger time with it (never for -1).
func (w *world) endBound(ch *channel) {
	if ch.socketHeld {
		ch.socketHeld = false
		w.completeEvent(ch, ch.socketCall, "_none_")
	}
	for _, c := range ch.bound {
		c := c
		switch {
		case !c.lingerOn:
			c.deliverRaw(boundDisconnectFrame(ch.uuid), true)
		case c.lingerSecs > 0:
			time.AfterFunc(w.s.scaled(time.Duration(c.lingerSecs)*time.Second), func() {
				c.deliverRaw(boundDisconnectFrame(ch.uuid), true)
			})
		}
	}
	ch.bound = nil
}

// dropConn forgets a closed connection; a closed outbound socket lets its
// channel continue in the dialplan.
func (w *world) dropConn(c *conn) {
	delete(w.conns, c)
	ch := c.bound
	if ch == nil {
		return
	}
	for i, b := range ch.bound {
		if b == c {
			ch.bound = append(ch.bound[:i], ch.bound[i+1:]...)
			break
		}
	}
	if c.outbound && w.channels[ch.uuid] == ch {
		w.socketEnded(ch)
	}
}
