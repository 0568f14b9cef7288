package ivr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/percipia/eslgo"
	"github.com/percipia/eslgo/command"
	"github.com/percipia/eslgo/command/call"
)

// Play plays one file. A missing file is logged, not fatal: the flow goes
// on, as a caller would rather skip a prompt than be cut off.
func (cs *callSession) Play(ctx context.Context, file string) error {
	ev, err := cs.execute(ctx, "playback", file)
	if err != nil {
		return err
	}
	if resp := ev.GetHeader("Application-Response"); resp != "" && resp != "FILE PLAYED" {
		cs.log.Warn("ivr playback", "file", file, "response", resp)
	}
	return nil
}

// Collect runs play_and_get_digits and reads the digits from the
// CHANNEL_EXECUTE_COMPLETE event's variables (not from DTMF events: eslgo's
// WaitForDTMF can panic, freeswitch-esl.md 7.3 point 10).
func (cs *callSession) Collect(ctx context.Context, spec CollectSpec) (string, error) {
	ev, err := cs.execute(ctx, "play_and_get_digits", spec.Args())
	if err != nil {
		return "", err
	}
	if r := ev.GetHeader("variable_read_result"); r != "" && r != "success" {
		return "", nil
	}
	return ev.GetHeader("variable_" + spec.Var), nil
}

// SetVar sets or, with an empty value, unsets a channel variable.
func (cs *callSession) SetVar(ctx context.Context, name, value string) error {
	if strings.ContainsAny(name+value, "\r\n") || strings.ContainsAny(name, " =") {
		return fmt.Errorf("ivr: unsafe variable %q", name)
	}
	var err error
	if value == "" {
		_, err = cs.execute(ctx, "unset", name)
	} else {
		_, err = cs.execute(ctx, "set", name+"="+value)
	}
	return err
}

// Transfer sends the channel to an extension of the XML dialplan. The
// socket app ends there; FreeSWITCH keeps the call.
func (cs *callSession) Transfer(ctx context.Context, exten, dpContext string) error {
	_, err := cs.execute(ctx, "transfer", exten+" XML "+dpContext)
	return err
}

// Hangup hangs the channel up; awaitEnd then waits for the final events.
func (cs *callSession) Hangup(ctx context.Context, cause string) error {
	err := cs.sendmsg(ctx, call.Hangup{UUID: cs.uuid, Cause: cause})
	if err == nil {
		cs.hangupSent = true
	}
	return err
}

// Handback waits, with hold music, for the controller to bridge the caller
// back (CHANNEL_BRIDGE), or for the hangup or the timeout.
func (cs *callSession) Handback(ctx context.Context, file string, timeout time.Duration) error {
	if file != "" {
		// Not awaited: the music plays until the bridge breaks it.
		hold := &call.Execute{UUID: cs.uuid, AppName: "playback", AppArgs: file, AppUUID: uuid.NewString()}
		if err := cs.sendmsg(ctx, hold); err != nil {
			return err
		}
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := cs.waitFor(wctx, true, func(*eslgo.Event) bool { return cs.bridged })
	if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if file != "" {
		// Stop the music so whatever the flow does next can be heard.
		if _, err := cs.send(ctx, command.API{Command: "uuid_break", Arguments: cs.uuid + " all"}); err != nil {
			return err
		}
	}
	return ErrHandbackTimeout
}
