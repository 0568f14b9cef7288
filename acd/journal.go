package acd

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/bankcc/callcenter/store"
)

// journal writes agent state changes and sign-outs to the store in the
// order the router made them, on its own goroutine, so the router never
// waits on the database. Its queue is unbounded (a mutex-guarded slice).
type journal struct {
	st   *store.Store
	log  *slog.Logger
	mu   sync.Mutex
	q    []func(ctx context.Context) error
	sig  chan struct{}
	done chan struct{}
	shut bool
}

func newJournal(st *store.Store, log *slog.Logger) *journal {
	return &journal{st: st, log: log, sig: make(chan struct{}, 1), done: make(chan struct{})}
}

func (j *journal) add(op func(ctx context.Context) error) {
	j.mu.Lock()
	j.q = append(j.q, op)
	j.mu.Unlock()
	select {
	case j.sig <- struct{}{}:
	default:
	}
}

// state records an agent's state change.
func (j *journal) state(ch store.AgentStateChange) {
	j.add(func(ctx context.Context) error {
		_, err := j.st.RecordAgentState(ctx, ch)
		return err
	})
}

// signOut closes an agent's session (its state becomes signed_out).
func (j *journal) signOut(session int64, at time.Time, why store.SessionEnd, by int64) {
	j.add(func(ctx context.Context) error {
		_, err := j.st.CloseAgentSession(ctx, session, at, why, by)
		return err
	})
}

func (j *journal) run() {
	defer close(j.done)
	for {
		j.mu.Lock()
		q, shut := j.q, j.shut
		j.q = nil
		j.mu.Unlock()
		for _, op := range q {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := op(ctx); err != nil {
				j.log.Error("acd: journal write", "err", err)
			}
			cancel()
		}
		if shut && len(q) == 0 {
			return
		}
		if len(q) == 0 {
			<-j.sig
		}
	}
}

// close lets the journal finish what is queued and stop.
func (j *journal) close() {
	j.mu.Lock()
	j.shut = true
	j.mu.Unlock()
	select {
	case j.sig <- struct{}{}:
	default:
	}
}

// wait returns once the journal has stopped.
func (j *journal) wait() { <-j.done }

// flush waits until everything queued so far is written (tests, reads
// that must see the history).
func (j *journal) flush() {
	done := make(chan struct{})
	j.add(func(context.Context) error { close(done); return nil })
	select {
	case <-done:
	case <-j.done:
	}
}
