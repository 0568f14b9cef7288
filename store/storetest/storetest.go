// Package storetest gives each test a fresh, migrated database: SQLite always,
// and MariaDB/MySQL when CC_TEST_MYSQL_DSN is set (a new schema per test,
// dropped when the test ends).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/go-sql-driver/mysql"
)

// MySQLEnv names the variable holding the MariaDB/MySQL DSN for tests,
// e.g. root@tcp(127.0.0.1:3306)/test.
const MySQLEnv = "CC_TEST_MYSQL_DSN"

// Options tune a test database.
type Options struct {
	Now      func() time.Time
	Instance string               // see store.Config.Instance
	Hasher   store.PasswordHasher // nil: bcrypt
	Login    store.LoginPolicy    // zero: store.DefaultLoginPolicy
	// SQLitePath is where NewWith puts the database ("": a fresh file in the
	// test's temp dir), for a test that must reach it from outside the store.
	SQLitePath string
}

// New opens a fresh SQLite database in the test's temp dir.
func New(t testing.TB) *store.Store {
	return open(t, "sqlite", filepath.Join(t.TempDir(), "test.db"), Options{})
}

// NewWith opens a fresh SQLite database with options.
func NewWith(t testing.TB, o Options) *store.Store {
	path := o.SQLitePath
	if path == "" {
		path = filepath.Join(t.TempDir(), "test.db")
	}
	return open(t, "sqlite", path, o)
}

// Run runs fn once per available database driver, as subtests named after
// the driver. The store's own tests use it so that every query is checked on
// both SQLite and MariaDB.
func Run(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	RunWith(t, Options{}, fn)
}

// RunWith is Run with options.
func RunWith(t *testing.T, o Options, fn func(t *testing.T, s *store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, open(t, "sqlite", filepath.Join(t.TempDir(), "test.db"), o))
	})
	t.Run("mysql", func(t *testing.T) {
		dsn := os.Getenv(MySQLEnv)
		if dsn == "" {
			t.Skip(MySQLEnv + " not set")
		}
		fn(t, open(t, "mysql", freshSchema(t, dsn), o))
	})
}

// FreshMySQLDSN creates a fresh schema and returns its DSN, for tests that
// start the whole program; it skips the test when no server is configured.
func FreshMySQLDSN(t testing.TB) string {
	dsn := os.Getenv(MySQLEnv)
	if dsn == "" {
		t.Skip(MySQLEnv + " not set")
	}
	return freshSchema(t, dsn)
}

// MySQL opens a fresh MariaDB schema, skipping the test when none is configured.
func MySQL(t testing.TB) *store.Store {
	dsn := os.Getenv(MySQLEnv)
	if dsn == "" {
		t.Skip(MySQLEnv + " not set")
	}
	return open(t, "mysql", freshSchema(t, dsn), Options{})
}

func open(t testing.TB, driver, dsn string, o Options) *store.Store {
	t.Helper()
	store.UseMinimumHashCostForTests()
	s, err := store.Open(context.Background(), store.Config{Driver: driver, DSN: dsn, Now: o.Now, Instance: o.Instance, Hasher: o.Hasher, Login: o.Login})
	if err != nil {
		t.Fatalf("storetest: open %s: %v", driver, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// freshSchema creates a uniquely named database and returns a DSN for it.
func freshSchema(t testing.TB, dsn string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("storetest: %s: %v", MySQLEnv, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "cc_test_" + hex.EncodeToString(b)
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("storetest: connect: %v", err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		admin.Close()
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE " + name)
		admin.Close()
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

// RunPair is Run with two stores on one database, as two processes (or a
// process and its restart) would have: each has its own instance name.
func RunPair(t *testing.T, fn func(t *testing.T, a, b *store.Store)) {
	RunPairWith(t, Options{}, Options{}, fn)
}

// RunPairWith is RunPair with options for each store.
func RunPairWith(t *testing.T, oa, ob Options, fn func(t *testing.T, a, b *store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "test.db")
		fn(t, open(t, "sqlite", path, oa), open(t, "sqlite", path, ob))
	})
	t.Run("mysql", func(t *testing.T) {
		dsn := os.Getenv(MySQLEnv)
		if dsn == "" {
			t.Skip(MySQLEnv + " not set")
		}
		fresh := freshSchema(t, dsn)
		fn(t, open(t, "mysql", fresh, oa), open(t, "mysql", fresh, ob))
	})
}
