package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Config chooses and locates the database.
type Config struct {
	Driver string // "sqlite" (default) or "mysql"
	DSN    string // SQLite file path, or a MySQL DSN
	Logger *slog.Logger
	Now    func() time.Time // injected clock; time.Now when nil
	// Instance names this process in the import jobs it owns; "" makes
	// host/pid/random (tests set it to play another host).
	Instance string
	// Login bounds password guessing; zero fields take DefaultLoginPolicy's.
	Login LoginPolicy
	// Hasher compares passwords (bcrypt when nil; tests inject a counter).
	Hasher PasswordHasher
}

// Store is the persistence layer.
type Store struct {
	db     *gorm.DB
	driver string
	now    func() time.Time
	log    *slog.Logger
	// instance names this process in the jobs it owns (see ImportJob.Owner).
	instance string
	login    LoginPolicy
	hasher   PasswordHasher
	// bulkLoad is whether imports may use LOAD DATA LOCAL (MySQL only).
	bulkLoad atomic.Bool
	// rollupCols caches each rollup kind's columns (rollupColumns).
	rollupCols sync.Map
}

// DefaultSQLitePath is where the embedded database lives when no DSN is given.
const DefaultSQLitePath = "data/callcenter.db"

// Open connects to the configured database and runs the migrations.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	db, err := openGorm(cfg)
	if err != nil && cfg.Driver == "mysql" && isUnknownDatabase(err) {
		if err := createMySQLDatabase(ctx, withMySQLParams(cfg.DSN), cfg.Logger); err != nil {
			return nil, err
		}
		db, err = openGorm(cfg)
	}
	if err != nil {
		return nil, err
	}
	if err := configurePool(db, cfg.Driver); err != nil {
		return nil, err
	}
	if err := registerAuditHook(db); err != nil {
		return nil, err
	}
	if cfg.Instance == "" {
		cfg.Instance = newInstanceID()
	}
	s := &Store{db: db, driver: cfg.Driver, now: cfg.Now, log: cfg.Logger, instance: cfg.Instance, login: cfg.Login.withDefaults(), hasher: cfg.Hasher}
	if s.hasher == nil {
		s.hasher = bcryptHasher{}
	}
	s.bulkLoad.Store(true)
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openGorm(cfg Config) (*gorm.DB, error) {
	dialector, err := dialect(cfg)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:         newGormLogger(cfg.Logger),
		NowFunc:        func() time.Time { return cfg.Now().UTC().Truncate(time.Microsecond) },
		TranslateError: false,
	})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", cfg.Driver, err)
	}
	return db, nil
}

// ownerOnly makes the SQLite file (every customer's phone and ID number)
// readable by its owner only, creating it so; SQLite gives its -wal and
// -shm files the main file's mode.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: database file: %w", err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(p, 0o600) // best effort: an operator may have chosen otherwise
		}
	}
	return nil
}

func dialect(cfg Config) (gorm.Dialector, error) {
	switch cfg.Driver {
	case "", "sqlite":
		path := cfg.DSN
		if path == "" {
			path = DefaultSQLitePath
		}
		if path != ":memory:" && !strings.HasPrefix(path, "file:") {
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return nil, fmt.Errorf("store: create database folder: %w", err)
			}
			if err := ownerOnly(path); err != nil {
				return nil, err
			}
		}
		// WAL lets readers run beside the single writer; busy_timeout makes a
		// second writer wait instead of failing with SQLITE_BUSY; immediate
		// transactions take the write lock at BEGIN, so a transaction that reads
		// then writes cannot fail on a stale snapshot (SQLITE_BUSY_SNAPSHOT).
		dsn := path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite&_txlock=immediate"
		if strings.Contains(path, "?") {
			dsn = path
		}
		sqlDB, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
		}
		return sqlite.New(sqlite.Config{DriverName: "sqlite", DSN: dsn, Conn: newSQLiteConns(sqlDB, 10*time.Second)}), nil
	case "mysql":
		if cfg.DSN == "" {
			return nil, fmt.Errorf("store: database.dsn is required for the mysql driver")
		}
		return mysql.Open(withMySQLParams(cfg.DSN)), nil
	default:
		return nil, fmt.Errorf("store: database.driver %q: want sqlite or mysql", cfg.Driver)
	}
}

// withMySQLParams makes sure times come back as time.Time in UTC, text is
// utf8mb4, and queries take one round trip.
func withMySQLParams(dsn string) string {
	add := func(k, v string) {
		if !strings.Contains(dsn, k+"=") {
			sep := "?"
			if strings.Contains(dsn, "?") {
				sep = "&"
			}
			dsn += sep + k + "=" + v
		}
	}
	add("parseTime", "true")
	add("loc", "UTC")
	add("charset", "utf8mb4")
	// Interpolate arguments client-side: one round trip per query instead of
	// prepare/execute/close; the driver escapes values for utf8mb4 safely.
	add("interpolateParams", "true")
	return dsn
}

func configurePool(db *gorm.DB, driver string) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("store: pool: %w", err)
	}
	if driver == "mysql" {
		// Recycle connections well under MySQL's default wait_timeout (8 h) and
		// under typical proxy idle limits, so a dead socket is never handed out.
		sqlDB.SetConnMaxLifetime(3 * time.Minute)
		sqlDB.SetMaxOpenConns(40)
		sqlDB.SetMaxIdleConns(10)
		return nil
	}
	// SQLite has one writer; a few connections let WAL readers run alongside it
	// while busy_timeout serialises writers.
	sqlDB.SetMaxOpenConns(4)
	sqlDB.SetMaxIdleConns(4)
	return nil
}

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Driver names the database kind in use.
func (s *Store) Driver() string { return s.driver }

// Close releases the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

func (s *Store) conn(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// gormLogger routes gorm's messages into slog; slow and failed queries are
// logged without their bound values so no customer data reaches the log.
type gormLogger struct{ log *slog.Logger }

func newGormLogger(l *slog.Logger) logger.Interface { return gormLogger{log: l} }

func (g gormLogger) LogMode(logger.LogLevel) logger.Interface { return g }
func (g gormLogger) Info(ctx context.Context, msg string, args ...any) {
	g.log.InfoContext(ctx, fmt.Sprintf(msg, args...))
}
func (g gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	g.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
}
func (g gormLogger) Error(ctx context.Context, msg string, args ...any) {
	g.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
}
func (g gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	if err != nil && err != gorm.ErrRecordNotFound {
		g.log.DebugContext(ctx, "query failed", "err", err, "ms", elapsed.Milliseconds())
		return
	}
	if elapsed > 500*time.Millisecond {
		sql, rows := fc()
		if i := strings.IndexAny(sql, "'\""); i > 0 {
			sql = sql[:i] + "…" // drop literal values
		}
		g.log.WarnContext(ctx, "slow query", "ms", elapsed.Milliseconds(), "rows", rows, "sql", sql)
	}
}
