package ivr

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// fakeChannel scripts what a caller keys and records what the flow did.
type fakeChannel struct {
	keys       map[string][]string // var -> digits per collect, in order
	hangupAt   int                 // ErrHangup from this action on (1-based); 0 never
	handback   error               // what Handback returns
	actions    []string
	collectLog []CollectSpec
}

func (f *fakeChannel) act(s string) error {
	f.actions = append(f.actions, s)
	if f.hangupAt > 0 && len(f.actions) >= f.hangupAt {
		return ErrHangup
	}
	return nil
}

func (f *fakeChannel) Play(_ context.Context, file string) error { return f.act("play " + file) }

func (f *fakeChannel) Collect(_ context.Context, spec CollectSpec) (string, error) {
	f.collectLog = append(f.collectLog, spec)
	if err := f.act("collect " + spec.Var); err != nil {
		return "", err
	}
	q := f.keys[spec.Var]
	if len(q) == 0 {
		return "", nil
	}
	f.keys[spec.Var] = q[1:]
	return q[0], nil
}

func (f *fakeChannel) SetVar(_ context.Context, name, value string) error {
	return f.act("set " + name + "=" + value)
}

func (f *fakeChannel) Transfer(_ context.Context, exten, dpContext string) error {
	return f.act("transfer " + exten + "@" + dpContext)
}

func (f *fakeChannel) Hangup(_ context.Context, cause string) error { return f.act("hangup " + cause) }

func (f *fakeChannel) Handback(_ context.Context, file string, _ time.Duration) error {
	if err := f.act("handback " + file); err != nil {
		return err
	}
	return f.handback
}

func (f *fakeChannel) did(prefix string) int {
	n := 0
	for _, a := range f.actions {
		if strings.HasPrefix(a, prefix) {
			n++
		}
	}
	return n
}

// fakeVerifier accepts one secret per check.
type fakeVerifier struct {
	want  string
	err   error
	calls int
}

func (v *fakeVerifier) VerifyDigits(_ context.Context, _ Call, check, digits string) (bool, error) {
	v.calls++
	if v.err != nil {
		return false, v.err
	}
	if check == "" {
		return false, fmt.Errorf("no check given")
	}
	return digits == v.want, nil
}
