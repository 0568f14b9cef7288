package ivr

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/bankcc/callcenter/dialplan"
)

// The step kinds, one method each; step in run.go dispatches to them.

func (r *runner) play(ctx context.Context, id, file string) error {
	f := r.expand(file)
	if f == "" {
		return fmt.Errorf("ivr: step %q: nothing to play (%q is empty)", id, file)
	}
	return r.ch.Play(ctx, f)
}

func (r *runner) collect(ctx context.Context, pc int, s Step, next int) (int, bool, error) {
	spec := collectSpec(s, r.expand)
	if spec.File == "" || hasSpace(spec.File) || hasSpace(spec.InvalidFile) {
		return 0, true, fmt.Errorf("ivr: step %q: prompt %q is empty or holds spaces", s.ID, spec.File)
	}
	digits, err := r.ch.Collect(ctx, spec)
	if s.Secret {
		// FreeSWITCH keeps the digits as channel variables, which would
		// otherwise show up in every later event and in the CDR.
		if uerr := r.unsetSecret(ctx, s.Var); uerr != nil && err == nil {
			err = uerr
		}
	}
	if err != nil {
		return 0, true, err
	}
	valid := digits != "" && len(digits) >= s.Min && len(digits) <= s.Max && r.prog.pattern[pc].MatchString(digits)
	r.log.Debug("ivr collect", "step", s.ID, "valid", valid, "digits_len", len(digits))
	if !valid {
		delete(r.vars, s.Var)
		delete(r.secrets, s.Var)
		return r.jump(s.OnFail, next), false, nil
	}
	if s.Secret {
		r.secrets[s.Var] = digits
		return next, false, nil
	}
	r.vars[s.Var] = digits
	r.res.Answers = append(r.res.Answers, Answer{Var: s.Var, Digits: digits})
	return next, false, nil
}

func (r *runner) unsetSecret(ctx context.Context, name string) error {
	// A hung-up channel has nothing left to clear.
	if err := r.ch.SetVar(ctx, name, ""); err != nil && !errors.Is(err, ErrHangup) {
		return err
	}
	if err := r.ch.SetVar(ctx, name+"_invalid", ""); err != nil && !errors.Is(err, ErrHangup) {
		return err
	}
	return nil
}

func (r *runner) branch(pc int, s Step, next int) int {
	v := r.value(s.Var)
	for i, re := range r.prog.cases[pc] {
		if re.MatchString(v) {
			return r.prog.index[s.Cases[i].Next]
		}
	}
	return next
}

func (r *runner) set(ctx context.Context, name, value string) error {
	if value == "" {
		delete(r.vars, name)
	} else {
		r.vars[name] = value
	}
	return r.ch.SetVar(ctx, name, value)
}

func (r *runner) verify(ctx context.Context, s Step, next int) (int, bool, error) {
	if r.env.Verifier == nil {
		return 0, true, fmt.Errorf("ivr: step %q needs a verifier, none configured", s.ID)
	}
	digits, ok := r.secrets[s.Var]
	delete(r.secrets, s.Var)
	r.attempts[s.ID]++
	r.res.Attempts = r.attempts[s.ID]
	verified := false
	if ok {
		v, err := r.env.Verifier.VerifyDigits(ctx, r.env.Call, r.expand(s.Check), digits)
		if err != nil {
			// Treated as a failed attempt: the caller can retry, and the
			// result carries the reason. The digits are not in err.
			r.log.Warn("ivr verify failed", "step", s.ID, "err", err)
			r.res.Error = err.Error()
		}
		verified = v && err == nil
	}
	r.log.Info("ivr verify", "step", s.ID, "verified", verified, "attempt", r.res.Attempts)
	r.res.Verified = verified
	r.vars["verified"] = fmt.Sprint(verified)
	if verified {
		return next, false, nil
	}
	tries := s.Tries
	if tries <= 0 {
		tries = defaultTries
	}
	if s.Retry != "" && r.attempts[s.ID] < tries {
		if s.InvalidFile != "" {
			if err := r.play(ctx, s.ID, s.InvalidFile); err != nil {
				return 0, true, err
			}
		}
		return r.prog.index[s.Retry], false, nil
	}
	return r.jump(s.OnFail, next), false, nil
}

// extenRe is what may be sent as a transfer extension or context: the
// transfer argument is split on spaces by FreeSWITCH.
var extenRe = regexp.MustCompile(`^[A-Za-z0-9_.+*#@-]{1,64}$`)

func (r *runner) transfer(ctx context.Context, s Step) error {
	exten, dpContext := r.expand(s.Target), r.expand(s.Context)
	if !extenRe.MatchString(exten) || !extenRe.MatchString(dpContext) {
		return fmt.Errorf("ivr: step %q: bad transfer target %q in %q", s.ID, exten, dpContext)
	}
	r.res.Outcome = OutcomeTransferred
	r.res.Transfer = exten + "@" + dpContext
	return r.ch.Transfer(ctx, exten, dpContext)
}

// QueueContext is the dialplan context a queue step transfers to; its
// extensions are queue names (see dialplan's XML and freeswitch-conf).
const QueueContext = dialplan.QueueContext

func (r *runner) queue(ctx context.Context, s Step) error {
	name, dpContext := r.expand(s.Target), r.expand(s.Context)
	if dpContext == "" {
		dpContext = QueueContext
	}
	if !extenRe.MatchString(name) || !extenRe.MatchString(dpContext) {
		return fmt.Errorf("ivr: step %q: bad queue %q in %q", s.ID, name, dpContext)
	}
	r.res.Outcome = OutcomeQueued
	r.res.Queue = name
	return r.ch.Transfer(ctx, name, dpContext)
}

func (r *runner) handback(ctx context.Context, s Step) (int, bool, error) {
	r.res.Outcome = OutcomeHandback
	r.report(ctx)
	timeout := time.Duration(s.TimeoutMS) * time.Millisecond
	if timeout <= 0 {
		timeout = defaultHandbackTimeout
	}
	err := r.ch.Handback(ctx, r.expand(s.File), timeout)
	if errors.Is(err, ErrHandbackTimeout) {
		r.log.Warn("ivr handback timed out", "step", s.ID)
		if s.OnFail != "" {
			return r.prog.index[s.OnFail], false, nil
		}
		return 0, true, r.ch.Hangup(ctx, "NORMAL_CLEARING")
	}
	return 0, true, err
}

func (r *runner) hangup(ctx context.Context, s Step) error {
	if r.res.Outcome == "" {
		r.res.Outcome = OutcomeCompleted
	}
	cause := s.Cause
	if cause == "" {
		cause = "NORMAL_CLEARING"
	}
	return r.ch.Hangup(ctx, cause)
}
