package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// sqliteConns is the SQLite connection pool with one addition: writers queue
// in Go for the single write lock instead of inside SQLite. A transaction
// waiting in SQLite's busy handler holds a pool connection; with a handful of
// them waiting, the writer that holds the lock could not get a connection
// for a read of its own, and everyone timed out with "database is locked"
// (50 concurrent imports lost audit writes that way). Waiting here holds no
// connection. Every transaction (GORM's around each write, and explicit
// ones) takes the turn at BEGIN and gives it back at COMMIT or ROLLBACK.
type sqliteConns struct {
	*sql.DB
	turn  chan struct{}
	wait  time.Duration // after this, go ahead and let SQLite's busy handler decide
	stmts stmtCache
}

func newSQLiteConns(db *sql.DB, wait time.Duration) *sqliteConns {
	return &sqliteConns{DB: db, turn: make(chan struct{}, 1), wait: wait, stmts: stmtCache{db: db, m: map[string]*sql.Stmt{}}}
}

// GetDBConn lets gorm.DB.DB() reach the *sql.DB (pool settings, Close).
func (p *sqliteConns) GetDBConn() (*sql.DB, error) { return p.DB, nil }

// BeginTx waits for the writers' turn, then begins (IMMEDIATE, per the DSN).
func (p *sqliteConns) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	release := p.takeTurn(ctx)
	tx, err := p.DB.BeginTx(ctx, opts)
	if err != nil {
		release()
		return nil, err
	}
	return &sqliteTx{Tx: tx, release: release, stmts: &p.stmts}, nil
}

// takeTurn waits for the turn; a writer that already holds it (a store
// method opening a second transaction inside a first) would wait forever,
// so after wait it goes ahead, as it did before the queue existed.
func (p *sqliteConns) takeTurn(ctx context.Context) func() {
	t := time.NewTimer(p.wait)
	defer t.Stop()
	select {
	case p.turn <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-p.turn }) }
	case <-t.C:
	case <-ctx.Done():
	}
	return func() {}
}

type sqliteTx struct {
	*sql.Tx
	release func()
	stmts   *stmtCache
}

func (t *sqliteTx) Commit() error {
	defer t.release()
	return t.Tx.Commit()
}

func (t *sqliteTx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}

// ExecContext and QueryContext run the transaction's statements prepared
// once per connection: parsing SQL was about a quarter of a dial's store
// time (every call runs the same dozen statements).
func (t *sqliteTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmts.get(ctx, query); st != nil {
		return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t *sqliteTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmts.get(ctx, query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *sqliteTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmts.get(ctx, query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// stmtCache keeps prepared statements by SQL text. database/sql prepares a
// statement again on each connection that runs it and keeps it there, so a
// statement costs one parse per connection. Statements with long IN lists
// or once-only text would fill it; it stops adding at maxStmts.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxStmts = 512

// get returns the statement for query, nil when it is not cached and
// cannot be (full, or the prepare failed: the caller runs it unprepared and
// gets the real error).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	c.mu.Lock()
	st, ok := c.m[query]
	full := len(c.m) >= maxStmts
	c.mu.Unlock()
	if ok || full || !dml(query) {
		return st
	}
	// Prepared outside the lock: it may wait for a connection of the pool.
	st, err := c.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok { // prepared meanwhile by another transaction
		st.Close()
		return old
	}
	c.m[query] = st
	return st
}

// dml: only the statements of ordinary reads and writes are kept (not
// schema changes, pragmas or savepoints).
func dml(query string) bool {
	for _, p := range []string{"SELECT ", "INSERT ", "UPDATE ", "DELETE "} {
		if len(query) >= len(p) && strings.EqualFold(query[:len(p)], p) {
			return true
		}
	}
	return false
}
