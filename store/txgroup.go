package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
)

// txGroup is group commit for the runners' writes on SQLite. SQLite runs one
// write transaction at a time, and with hundreds of campaigns dialing, the
// fixed cost of each (the write turn handed from goroutine to goroutine,
// BEGIN, the lease read, COMMIT writing every page it touched to the WAL)
// was most of the store's time per call (R16). Writes that arrive while one
// transaction runs queue here and the next transaction runs them all, each
// inside its own savepoint: one that fails is rolled back alone and gets
// its own error, the others commit together. A lone write runs as before.
//
// The first writer to find the group idle leads: it runs the queue in
// batches and hands the lead to the oldest waiter when it has its own
// answer, so nobody leads for long. MySQL runs writers side by side and
// does not use this.
type txGroup struct {
	mu    sync.Mutex
	queue []*groupOp
	busy  bool
}

type groupOp struct {
	ctx  context.Context
	fn   func(tx *gorm.DB) error
	err  error
	done chan bool // true: lead the next batch; false: err is the answer
}

// maxGroup bounds one group transaction, so its writers wait no longer
// than a few milliseconds.
const maxGroup = 64

// grouped runs fn in a write transaction shared with the other writes
// queued at the time; fn must use only tx.
func (s *Store) grouped(ctx context.Context, fn func(tx *gorm.DB) error) error {
	g := &s.group
	op := &groupOp{ctx: ctx, fn: fn, done: make(chan bool, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, op)
	lead := !g.busy
	g.busy = true
	g.mu.Unlock()
	if !lead && !<-op.done {
		return op.err
	}
	// The leader is always the head of the queue: the queue is empty while
	// the group is idle, and the lead passes to the head.
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()
	s.runGroup(ctx, batch)
	for _, o := range batch[1:] {
		o.done <- false
	}
	g.mu.Lock()
	if len(g.queue) > 0 {
		next := g.queue[0]
		g.mu.Unlock()
		next.done <- true
	} else {
		g.busy = false
		g.mu.Unlock()
	}
	return op.err
}

// runGroup runs a batch in one transaction, each write in a savepoint.
func (s *Store) runGroup(ctx context.Context, batch []*groupOp) {
	if len(batch) == 1 {
		batch[0].err = s.conn(ctx).Transaction(batch[0].fn)
		return
	}
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	err := s.conn(tctx).Transaction(func(tx *gorm.DB) error {
		all := rollup{}
		for _, o := range batch {
			if o.err = o.ctx.Err(); o.err != nil {
				continue
			}
			if err := tx.Exec("SAVEPOINT grp").Error; err != nil {
				return fmt.Errorf("store: group savepoint: %w", err)
			}
			mine := rollup{} // this write's report increments, kept only if it commits
			if o.err = o.fn(tx.WithContext(context.WithValue(tctx, deferRollups{}, mine))); o.err != nil {
				if err := tx.Exec("ROLLBACK TO SAVEPOINT grp").Error; err != nil {
					return fmt.Errorf("store: group rollback: %w", err)
				}
			} else {
				all.merge(mine)
			}
			if err := tx.Exec("RELEASE SAVEPOINT grp").Error; err != nil {
				return fmt.Errorf("store: group release: %w", err)
			}
		}
		return all.apply(tx)
	})
	if err != nil { // nothing committed: every write that had succeeded fails with it
		for _, o := range batch {
			if o.err == nil {
				o.err = err
			}
		}
	}
}
