package ivr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/percipia/eslgo"
	"github.com/percipia/eslgo/command"
)

// handle serves one connected call: subscribe, answer, run the flow,
// report, and wait for the hangup to complete when the call ends here.
func (s *Server) handle(ctx context.Context, conn *eslgo.Conn, link callLink, data *eslgo.RawResponse) {
	cs := newCallSession(s, conn, link, data)
	defer cs.stop()
	name := data.GetVariable("ivr_flow")
	if name == "" {
		name = s.opts.DefaultFlow
	}
	info := cs.callInfo(name)
	cs.log.Info("ivr call connected", "flow", name, "caller", info.CallerID)
	flow, ok := s.opts.Flows[name]
	var err error
	if !ok {
		// Not answered: closing the socket sends the call on in the
		// dialplan, which should not have sent it here.
		err = fmt.Errorf("%w: %q", ErrNoFlow, name)
	} else {
		err = cs.setup(ctx)
	}
	if err != nil {
		s.reportSetupFailure(ctx, info, err)
	} else {
		Run(ctx, flow, cs, Env{
			Call: info, Verifier: s.opts.Verifier, Report: s.report,
			ChannelVar: data.GetVariable, Logger: s.log,
		})
	}
	cs.awaitEnd(ctx)
}

func (s *Server) report(ctx context.Context, r Result) {
	if s.opts.Reporter != nil {
		s.opts.Reporter.IVRResult(ctx, r)
	}
}

func (s *Server) reportSetupFailure(ctx context.Context, info Call, err error) {
	now := time.Now()
	r := Result{CallUUID: info.UUID, Flow: info.Flow, Outcome: OutcomeFailed, Error: err.Error(),
		ChannelVars: info.Vars, Started: now, Ended: now}
	switch {
	case errors.Is(err, ErrHangup):
		r.Outcome = OutcomeHangup
	case ctx.Err() != nil:
		r.Outcome = OutcomeAborted
	}
	s.log.Warn("ivr call not started", "call_uuid", info.UUID, "flow", info.Flow, "err", err)
	s.report(context.WithoutCancel(ctx), r)
}

// callInfo collects the call's identity and its cc_* and ivr_* variables.
func (cs *callSession) callInfo(flow string) Call {
	c := Call{
		UUID: cs.uuid, Flow: flow,
		CallerID:    cs.data.GetHeader("Caller-Caller-ID-Number"),
		Destination: cs.data.GetHeader("Caller-Destination-Number"),
	}
	for key := range cs.data.Headers {
		// eslgo's headers are Go-canonicalised (Variable_cc_contact_id);
		// our own variables are lower case, so lowering restores them.
		name, ok := strings.CutPrefix(strings.ToLower(key), "variable_")
		if !ok || !(strings.HasPrefix(name, "cc_") || strings.HasPrefix(name, "ivr_")) {
			continue
		}
		if c.Vars == nil {
			c.Vars = map[string]string{}
		}
		c.Vars[name] = cs.data.GetHeader(key)
	}
	return c
}

// setup subscribes to the channel's events, asks FreeSWITCH to linger
// after the hangup so the last events still arrive, and answers.
func (cs *callSession) setup(ctx context.Context) error {
	err := cs.subscribe(ctx)
	if err != nil && ctx.Err() == nil && cs.socketGone() && errors.Is(cs.link.conn.reason, errRemoteClosed) {
		// Before linger is on, FreeSWITCH closes the socket only because
		// the channel hung up.
		return ErrHangup
	}
	return err
}

func (cs *callSession) socketGone() bool {
	select {
	case <-cs.link.conn.dead:
		return true
	default:
		return false
	}
}

func (cs *callSession) subscribe(ctx context.Context) error {
	if _, err := cs.send(ctx, command.MyEvents{Format: "plain"}); err != nil {
		return err
	}
	resp, err := cs.send(ctx, lingerCommand{seconds: int(cs.srv.opts.Linger / time.Second)})
	if err != nil {
		return err
	}
	if !resp.IsOk() {
		return fmt.Errorf("ivr: linger refused: %s (the socket app needs \"async full\")", resp.GetReply())
	}
	cs.link.lingerOn.Store(true)
	if cs.answered {
		return nil
	}
	_, err = cs.execute(ctx, "answer", "")
	return err
}
