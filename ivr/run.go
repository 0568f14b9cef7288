package ivr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
)

// maxSteps bounds one run so that a flow looping on itself (bad data, a
// caller who never keys anything valid) cannot hold a channel forever.
const maxSteps = 500

// defaultHandbackTimeout is how long a caller waits for the agent after
// the flow has reported, when the step gives no timeout.
const defaultHandbackTimeout = 2 * time.Minute

// Env is what a run needs besides the flow and the channel.
type Env struct {
	Call     Call
	Verifier Verifier
	// Report receives the result exactly once: at a handback step (so the
	// controller can bridge the caller back while they wait) or at the end.
	Report func(ctx context.Context, r Result)
	// ChannelVar looks up a channel variable of the call (for ${name} and
	// branch); nil means none.
	ChannelVar func(name string) string
	Logger     *slog.Logger
	Now        func() time.Time
}

// Run executes flow f on ch and returns its result, which has also been
// passed to env.Report. It returns when the flow ends, the caller hangs up
// or ctx is cancelled.
func Run(ctx context.Context, f Flow, ch Channel, env Env) Result {
	r := newRunner(f, ch, env)
	prog, err := compile(f)
	if err != nil {
		return r.finish(ctx, err)
	}
	r.prog = prog
	pc := 0
	if f.Start != "" {
		pc = prog.index[f.Start]
	}
	for n := 0; ; n++ {
		if n == maxSteps {
			return r.finish(ctx, fmt.Errorf("ivr: flow %q ran %d steps without ending", f.Name, maxSteps))
		}
		if pc >= len(f.Steps) {
			r.res.Outcome = OutcomeCompleted
			return r.finish(ctx, nil)
		}
		next, done, err := r.step(ctx, pc)
		if err != nil || done {
			return r.finish(ctx, err)
		}
		pc = next
	}
}

type runner struct {
	prog     *program
	ch       Channel
	env      Env
	log      *slog.Logger
	vars     map[string]string
	secrets  map[string]string // digits of secret collects, until verified
	attempts map[string]int    // per verify step id
	res      Result
	reported bool
}

func newRunner(f Flow, ch Channel, env Env) *runner {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	if env.ChannelVar == nil {
		env.ChannelVar = func(string) string { return "" }
	}
	return &runner{
		ch: ch, env: env,
		log:      env.Logger.With("call_uuid", env.Call.UUID, "flow", f.Name),
		vars:     map[string]string{},
		secrets:  map[string]string{},
		attempts: map[string]int{},
		res: Result{
			CallUUID: env.Call.UUID, Flow: f.Name, ChannelVars: env.Call.Vars,
			Started: env.Now(),
		},
	}
}

// step runs step pc and returns the index of the next one, or done when the
// flow has reached a terminal step.
func (r *runner) step(ctx context.Context, pc int) (next int, done bool, err error) {
	s := r.prog.flow.Steps[pc]
	r.log.Debug("ivr step", "step", s.ID, "kind", string(s.Kind))
	next = r.jump(s.Next, pc+1)
	switch s.Kind {
	case StepPlay:
		return next, false, r.play(ctx, s.ID, s.File)
	case StepCollect:
		return r.collect(ctx, pc, s, next)
	case StepBranch:
		return r.branch(pc, s, next), false, nil
	case StepSet:
		return next, false, r.set(ctx, s.Var, r.expand(s.Value))
	case StepVerify:
		return r.verify(ctx, s, next)
	case StepTransfer:
		return 0, true, r.transfer(ctx, s)
	case StepQueue:
		return 0, true, r.queue(ctx, s)
	case StepHandback:
		return r.handback(ctx, s)
	case StepHangup:
		return 0, true, r.hangup(ctx, s)
	}
	return 0, true, fmt.Errorf("%w: step %q has unknown kind %q", ErrBadFlow, s.ID, s.Kind)
}

// jump resolves a step id, or returns fallback when id is empty.
func (r *runner) jump(id string, fallback int) int {
	if id == "" {
		return fallback
	}
	return r.prog.index[id]
}

// value is a flow variable, else a channel variable. Secret digits are
// never visible this way.
func (r *runner) value(name string) string {
	if v, ok := r.vars[name]; ok {
		return v
	}
	if _, secret := r.secrets[name]; secret {
		return ""
	}
	return r.env.ChannelVar(name)
}

var refRe = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

func (r *runner) expand(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	return refRe.ReplaceAllStringFunc(s, func(m string) string {
		return r.value(m[2 : len(m)-1])
	})
}

// finish sets the outcome from err, reports once and returns the result.
func (r *runner) finish(ctx context.Context, err error) Result {
	clear(r.secrets)
	switch {
	case err == nil:
	case errors.Is(err, ErrHangup):
		r.res.Outcome = OutcomeHangup
	case ctx.Err() != nil:
		r.res.Outcome = OutcomeAborted
		r.res.Error = ctx.Err().Error()
	default:
		r.res.Outcome = OutcomeFailed
		r.res.Error = err.Error()
		r.log.Warn("ivr flow failed", "err", err)
	}
	if r.res.Outcome == "" {
		r.res.Outcome = OutcomeCompleted
	}
	r.res.Ended = r.env.Now()
	if len(r.vars) > 0 {
		r.res.Vars = r.vars
	}
	r.report(ctx)
	r.log.Info("ivr flow ended", "outcome", string(r.res.Outcome), "verified", r.res.Verified, "attempts", r.res.Attempts)
	return r.res
}

func (r *runner) report(ctx context.Context) {
	if r.reported || r.env.Report == nil {
		return
	}
	r.reported = true
	res := r.res
	if res.Ended.IsZero() {
		res.Ended = r.env.Now()
	}
	if len(r.vars) > 0 {
		res.Vars = make(map[string]string, len(r.vars))
		for k, v := range r.vars {
			res.Vars[k] = v
		}
	}
	// The call may already be over (ctx cancelled on shutdown); the result
	// must still reach the controller.
	r.env.Report(context.WithoutCancel(ctx), res)
}
