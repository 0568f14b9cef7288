package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
	"github.com/go-sql-driver/mysql"
)

// mysqlAdmin connects to the test server without a database; it skips
// the test when CC_TEST_MYSQL_DSN is not set.
func mysqlAdmin(t *testing.T) (*sql.DB, *mysql.Config) {
	t.Helper()
	dsn := os.Getenv(storetest.MySQLEnv)
	if dsn == "" {
		t.Skip(storetest.MySQLEnv + " not set")
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName = ""
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, cfg
}

func freshName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func exec(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestOpenCreatesMissingMySQLDatabase: on a fresh server the first start
// creates the database, utf8mb4 with the unicode collation, and migrates it.
func TestOpenCreatesMissingMySQLDatabase(t *testing.T) {
	admin, cfg := mysqlAdmin(t)
	name := freshName("cc_create_")
	t.Cleanup(func() { exec(t, admin, "DROP DATABASE IF EXISTS "+name) })
	cfg.DBName = name
	s, err := store.Open(context.Background(), store.Config{Driver: "mysql", DSN: cfg.FormatDSN()})
	if err != nil {
		t.Fatalf("open with a missing database: %v", err)
	}
	defer s.Close()
	var charset, collation string
	err = admin.QueryRow("SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name).
		Scan(&charset, &collation)
	if err != nil || charset != "utf8mb4" || collation != "utf8mb4_unicode_ci" {
		t.Errorf("database %s: %s / %s, %v", name, charset, collation, err)
	}
	var tables int
	if err := admin.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'users'", name).Scan(&tables); err != nil || tables != 1 {
		t.Errorf("not migrated: users table count %d, %v", tables, err)
	}
}

// TestOpenSaysWhatToRunWithoutCreateRight: a user who may not create the
// database gets the statements an administrator must run, and nothing is
// created.
func TestOpenSaysWhatToRunWithoutCreateRight(t *testing.T) {
	admin, cfg := mysqlAdmin(t)
	user, db := freshName("cc_user_"), freshName("cc_none_")
	for _, host := range []string{"%", "localhost", "127.0.0.1"} {
		exec(t, admin, "CREATE USER '"+user+"'@'"+host+"' IDENTIFIED BY 'Pw-2026-test'")
	}
	t.Cleanup(func() {
		for _, host := range []string{"%", "localhost", "127.0.0.1"} {
			exec(t, admin, "DROP USER IF EXISTS '"+user+"'@'"+host+"'")
		}
	})
	cfg.User, cfg.Passwd, cfg.DBName = user, "Pw-2026-test", db
	_, err := store.Open(context.Background(), store.Config{Driver: "mysql", DSN: cfg.FormatDSN()})
	want := "Ask a MySQL administrator to run: CREATE DATABASE IF NOT EXISTS `" + db +
		"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; GRANT ALL PRIVILEGES ON `" + db + "`.* TO '" + user + "'@'%';"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "who may not create it") {
		t.Fatalf("error = %v\nwant it to contain %s", err, want)
	}
	var n int
	if err := admin.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", db).Scan(&n); err != nil || n != 0 {
		t.Errorf("database %s exists after a refused create: %d, %v", db, n, err)
	}
}

// TestOpenNamesWhatTriggersNeed: a user who may not create the contact
// counts' triggers is told which privilege, or which server variable with
// binary logging on, is missing.
func TestOpenNamesWhatTriggersNeed(t *testing.T) {
	admin, cfg := mysqlAdmin(t)
	user, db := freshName("cc_user_"), freshName("cc_notrig_")
	exec(t, admin, "CREATE DATABASE "+db+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	t.Cleanup(func() { exec(t, admin, "DROP DATABASE IF EXISTS "+db) })
	for _, host := range []string{"%", "localhost", "127.0.0.1"} {
		exec(t, admin, "CREATE USER '"+user+"'@'"+host+"' IDENTIFIED BY 'Pw-2026-test'")
		exec(t, admin, "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, CREATE TEMPORARY TABLES, LOCK TABLES, REFERENCES ON "+
			db+".* TO '"+user+"'@'"+host+"'")
	}
	t.Cleanup(func() {
		for _, host := range []string{"%", "localhost", "127.0.0.1"} {
			exec(t, admin, "DROP USER IF EXISTS '"+user+"'@'"+host+"'")
		}
	})
	cfg.User, cfg.Passwd, cfg.DBName = user, "Pw-2026-test", db
	_, err := store.Open(context.Background(), store.Config{Driver: "mysql", DSN: cfg.FormatDSN()})
	if err == nil || !strings.Contains(err.Error(), "TRIGGER privilege") || !strings.Contains(err.Error(), "log_bin_trust_function_creators=1") {
		t.Fatalf("error = %v, want it to name the TRIGGER privilege and log_bin_trust_function_creators", err)
	}
}
