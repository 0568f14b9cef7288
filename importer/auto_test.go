package importer_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
	"github.com/go-sql-driver/mysql"
)

func newCampaign(t *testing.T, st *store.Store, name string) *store.Campaign {
	t.Helper()
	c := &store.Campaign{Name: name, Kind: store.KindNotification, Media: store.MediaVoice, DialMode: store.DialProgressive, Priority: 5}
	if err := st.CreateCampaign(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPullFromMariaDBTable imports a business system's table on MariaDB,
// then pulls again incrementally and gets only the new rows.
func TestPullFromMariaDBTable(t *testing.T) {
	dsn := storetest.FreshMySQLDSN(t)
	src, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := src.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("CREATE TABLE 逾期客户 (id INT PRIMARY KEY, 客户姓名 VARCHAR(32), 手机号码 BIGINT, 身份证号码 VARCHAR(18), 欠款 DECIMAL(10,2), 更新时间 DATETIME) CHARACTER SET utf8mb4")
	exec(`INSERT INTO 逾期客户 VALUES
		(1,'张伟',13800138000,'110101199003071233',1200.50,'2026-11-20 10:00:00'),
		(2,'李娜',13900139000,NULL,88,'2026-11-20 10:00:00'),
		(3,'王芳',13700137000,'110101199003071234',0,'2026-11-20 10:00:00'),
		(4,'赵强',NULL,NULL,5,'2026-11-20 10:00:00'),
		(5,'张伟',13800138000,NULL,1,'2026-11-20 10:00:00')`)

	st := storetest.New(t)
	camp := newCampaign(t, st, "数据库导入")
	p := &importer.Puller{Store: st, DataDir: t.TempDir(), Log: slog.New(slog.DiscardHandler)}
	cfg := importer.DBSource{Name: "core-banking", Driver: "mysql", DSN: dsn, CampaignID: camp.ID, Cursor: "id",
		Query: "SELECT id, 客户姓名, 手机号码, 身份证号码, 欠款 FROM 逾期客户 WHERE id > ? ORDER BY id"}
	job, err := p.PullDB(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != store.ImportDone || job.Total != 5 || job.Imported != 2 || job.Rejected != 2 || job.Duplicates != 1 {
		t.Fatalf("first pull: %+v", job)
	}
	exec("INSERT INTO 逾期客户 VALUES (6,'孙丽',13600136000,NULL,9,'2026-11-21 09:00:00')")
	job, err = p.PullDB(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if job.Total != 1 || job.Imported != 1 {
		t.Fatalf("incremental pull: %+v", job)
	}
	// The pull runs read-only: a statement that writes fails.
	bad := cfg
	bad.Name, bad.Cursor, bad.Query = "writer", "", "DELETE FROM 逾期客户"
	if _, err := p.PullDB(ctx, bad); err == nil {
		t.Fatal("a writing statement ran")
	}
	var n int
	_ = src.QueryRow("SELECT COUNT(*) FROM 逾期客户").Scan(&n)
	if n != 6 {
		t.Fatalf("source table changed: %d rows", n)
	}
}

func TestWatchedFolder(t *testing.T) {
	st := storetest.New(t)
	camp := newCampaign(t, st, "文件夹导入")
	dir := t.TempDir()
	copyFile(t, "testdata/contacts_libreoffice.xlsx", filepath.Join(dir, "a.xlsx"))
	if err := os.WriteFile(filepath.Join(dir, "junk.csv"), []byte{0, 1, 2, 3, 0xff, 0xfe, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "notes.pdf"), []byte("%PDF"), 0o644)
	p := &importer.Puller{Store: st, DataDir: t.TempDir(), Log: slog.New(slog.DiscardHandler)}
	jobs, err := p.ScanFolder(context.Background(), importer.FolderSource{Name: "drop", Path: dir, CampaignID: camp.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 {
		t.Fatalf("%d jobs, want 2", len(jobs))
	}
	byName := map[string]*store.ImportJob{}
	for _, j := range jobs {
		byName[j.Filename] = j
	}
	if j := byName["a.xlsx"]; j.Status != store.ImportDone || j.Imported != 5 {
		t.Fatalf("a.xlsx: %+v", j)
	}
	if j := byName["junk.csv"]; j.Status != store.ImportFailed || j.Message == "" {
		t.Fatalf("junk.csv: %+v", j)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	var names []string
	for _, l := range left {
		names = append(names, filepath.Base(l))
	}
	if strings.Join(names, ",") != "done,failed,notes.pdf" {
		t.Fatalf("folder after scan: %v", names)
	}
	// A file still being written (modified just now) waits for the next scan.
	copyFile(t, "testdata/contacts.csv", filepath.Join(dir, "b.csv"))
	jobs, _ = p.ScanFolder(context.Background(), importer.FolderSource{Name: "drop", Path: dir, CampaignID: camp.ID, Settle: time.Hour})
	if len(jobs) != 0 {
		t.Fatalf("took an unsettled file")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	out.Close()
}

var _ = mysql.ParseDSN
