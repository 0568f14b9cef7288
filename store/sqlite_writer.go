package store

import (
	"context"
	"database/sql"
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
	turn chan struct{}
	wait time.Duration // after this, go ahead and let SQLite's busy handler decide
}

func newSQLiteConns(db *sql.DB, wait time.Duration) *sqliteConns {
	return &sqliteConns{DB: db, turn: make(chan struct{}, 1), wait: wait}
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
	return &sqliteTx{Tx: tx, release: release}, nil
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
}

func (t *sqliteTx) Commit() error {
	defer t.release()
	return t.Tx.Commit()
}

func (t *sqliteTx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}
