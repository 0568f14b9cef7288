package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// MySQL errors on connecting to a database: ER_BAD_DB_ERROR ("Unknown
// database") for a user with server-wide rights, ER_DBACCESS_DENIED_ERROR
// for a user without, who is not told whether the database exists.
const (
	mysqlUnknownDatabase = 1049
	mysqlDBAccessDenied  = 1044
)

// isUnknownDatabase reports whether opening failed on the database itself
// (missing, or not the user's), so creating it may be the remedy.
func isUnknownDatabase(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == mysqlUnknownDatabase || me.Number == mysqlDBAccessDenied)
}

// createMySQLDatabase creates the database the DSN names, as the first
// start on a fresh server needs. When the user may not, the error says
// exactly what an administrator has to run.
func createMySQLDatabase(ctx context.Context, dsn string, log *slog.Logger) error {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return fmt.Errorf("store: database.dsn: %w", err)
	}
	name := cfg.DBName
	if name == "" {
		return fmt.Errorf("store: database.dsn names no database: end it with /callcenter (user:pass@tcp(host:3306)/callcenter)")
	}
	create := "CREATE DATABASE IF NOT EXISTS " + quoteIdent(name) + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
	cfg.DBName = "" // connect to the server itself
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return fmt.Errorf("store: open mysql %s: %w", cfg.Addr, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("store: database %s on %s is missing or not open to user %q, who may not create it (%v). "+
			"Ask a MySQL administrator to run: %s; GRANT ALL PRIVILEGES ON %s.* TO '%s'@'%%';",
			quoteIdent(name), cfg.Addr, cfg.User, err, create, quoteIdent(name), cfg.User)
	}
	log.Info("created the MySQL database", "database", name, "address", cfg.Addr)
	return nil
}

// quoteIdent quotes a MySQL identifier.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
