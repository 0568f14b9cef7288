package ivr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/percipia/eslgo"
	"github.com/percipia/eslgo/command"
	"github.com/percipia/eslgo/command/call"
)

// errConnBroken ends a call whose connection can no longer be trusted: a
// command failed or timed out, so eslgo may pair later replies wrongly.
var errConnBroken = errors.New("ivr: event socket connection unusable")

// callSession drives one call over its outbound socket and implements
// Channel. Only the call's goroutine uses it, so commands go out one at a
// time and the events channel has a single reader.
type callSession struct {
	srv    *Server
	conn   *eslgo.Conn
	data   *eslgo.RawResponse // the CHANNEL_DATA reply to connect
	uuid   string
	log    *slog.Logger
	events chan *eslgo.Event
	done   chan struct{}
	link   callLink

	answered   bool
	hungUp     bool
	complete   bool // CHANNEL_HANGUP_COMPLETE or CHANNEL_DESTROY seen
	bridged    bool
	hangupSent bool
	broken     bool
}

// callLink is what the connection's owner shares with the call.
type callLink struct {
	conn     *watchedConn // its dead channel closes when no events can come
	lingerOn *atomic.Bool // FreeSWITCH accepted linger
}

func newCallSession(s *Server, conn *eslgo.Conn, link callLink, data *eslgo.RawResponse) *callSession {
	cs := &callSession{
		srv: s, conn: conn, data: data, link: link,
		uuid:     data.GetHeader("Unique-ID"),
		events:   make(chan *eslgo.Event, 64),
		done:     make(chan struct{}),
		answered: data.GetHeader("Answer-State") == "answered",
	}
	cs.log = s.log.With("call_uuid", cs.uuid)
	// eslgo calls listeners on a goroutine per event; each one waits for
	// room in the buffer or for the call to end, never longer.
	conn.RegisterEventListener(eslgo.EventListenAll, func(ev *eslgo.Event) {
		select {
		case cs.events <- ev:
		case <-cs.done:
		}
	})
	return cs
}

func (cs *callSession) stop() { close(cs.done) }

// send runs one command with the command timeout; any failure marks the
// connection broken.
func (cs *callSession) send(ctx context.Context, cmd command.Command) (*eslgo.RawResponse, error) {
	if cs.broken {
		return nil, errConnBroken
	}
	cmdCtx, cancel := cs.link.conn.bound(ctx, cs.srv.opts.CommandTimeout)
	defer cancel()
	resp, err := cs.conn.SendCommand(cmdCtx, cmd)
	if err != nil {
		cs.broken = true
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case cs.socketGone():
			return nil, cs.link.conn.reason
		}
		return nil, fmt.Errorf("%w: %v", errConnBroken, err)
	}
	return resp, nil
}

// sendmsg sends a call command and maps a refused one: FreeSWITCH answers
// "-ERR invalid session id" once the channel is gone.
func (cs *callSession) sendmsg(ctx context.Context, cmd command.Command) error {
	if cs.hungUp {
		return ErrHangup
	}
	resp, err := cs.send(ctx, cmd)
	if err != nil {
		return err
	}
	if !resp.IsOk() {
		if strings.Contains(resp.GetReply(), "invalid session") {
			cs.hungUp = true
			return ErrHangup
		}
		return fmt.Errorf("ivr: sendmsg refused: %s", resp.GetReply())
	}
	return nil
}

// execute runs one application on the channel and waits for its
// CHANNEL_EXECUTE_COMPLETE, matched by the Event-UUID we give it.
func (cs *callSession) execute(ctx context.Context, app, arg string) (*eslgo.Event, error) {
	appUUID := uuid.NewString()
	err := cs.sendmsg(ctx, &call.Execute{UUID: cs.uuid, AppName: app, AppArgs: arg, AppUUID: appUUID, Sync: true})
	if err != nil {
		return nil, err
	}
	return cs.waitFor(ctx, true, func(ev *eslgo.Event) bool {
		return ev.GetName() == "CHANNEL_EXECUTE_COMPLETE" && ev.GetHeader("Application-UUID") == appUUID
	})
}

// waitFor consumes events until match accepts one, ctx ends or, with
// stopOnHangup, the caller hangs up.
func (cs *callSession) waitFor(ctx context.Context, stopOnHangup bool, match func(*eslgo.Event) bool) (*eslgo.Event, error) {
	if stopOnHangup && cs.hungUp {
		return nil, ErrHangup
	}
	for {
		select {
		case ev := <-cs.events:
			if !cs.note(ev) {
				continue
			}
			if stopOnHangup && cs.hungUp {
				return nil, ErrHangup
			}
			if match(ev) {
				return ev, nil
			}
		case <-cs.link.conn.dead:
			// Events already handed over may still be in flight; a short
			// grace lets them land before giving up on the call.
			return cs.drain(match)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// drain looks at the events still arriving after the socket died.
func (cs *callSession) drain(match func(*eslgo.Event) bool) (*eslgo.Event, error) {
	grace := time.NewTimer(50 * time.Millisecond)
	defer grace.Stop()
	for {
		select {
		case ev := <-cs.events:
			if cs.note(ev) && match(ev) {
				return ev, nil
			}
		case <-grace.C:
			cs.broken = true
			if cs.hungUp {
				return nil, ErrHangup
			}
			return nil, cs.link.conn.reason
		}
	}
}

// note keeps the channel state that the flow cares about and reports
// whether the event is this channel's (myevents should send no other).
// eslgo delivers events in no fixed order, so an application's completion
// can overtake CHANNEL_HANGUP; every channel event after the hangup carries
// Answer-State: hangup, which catches that case.
func (cs *callSession) note(ev *eslgo.Event) bool {
	if id := ev.GetHeader("Unique-ID"); id != "" && id != cs.uuid {
		return false
	}
	cs.log.Debug("ivr event", "event", ev.GetName(), "app", ev.GetHeader("Application"))
	if ev.GetHeader("Answer-State") == "hangup" {
		cs.hungUp = true
	}
	switch ev.GetName() {
	case "CHANNEL_ANSWER":
		cs.answered = true
	case "CHANNEL_BRIDGE":
		cs.bridged = true
	case "CHANNEL_HANGUP":
		cs.hungUp = true
	case "CHANNEL_HANGUP_COMPLETE", "CHANNEL_DESTROY":
		cs.hungUp, cs.complete = true, true
	}
	return true
}

// awaitEnd keeps the socket open after a hangup until the channel's
// final event (or the grace time), so the call is over before we close.
func (cs *callSession) awaitEnd(ctx context.Context) {
	if !cs.hungUp && !cs.hangupSent || cs.complete || cs.broken {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, cs.srv.opts.HangupGrace)
	defer cancel()
	_, err := cs.waitFor(ctx, false, func(*eslgo.Event) bool { return cs.complete })
	if err != nil {
		cs.log.Debug("ivr call closed before hangup completed", "err", err)
	}
}
