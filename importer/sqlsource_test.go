package importer

import (
	"database/sql"
	"testing"

	_ "modernc.org/sqlite"
)

func TestSQLSource(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE TABLE crm (cust_name TEXT, mobile INTEGER, id_no TEXT, balance REAL, note TEXT)`,
		`INSERT INTO crm VALUES ('张伟', 13800138000, '110101199003071233', 1200.5, NULL)`,
		`INSERT INTO crm VALUES (NULL, NULL, NULL, NULL, NULL)`,
		`INSERT INTO crm VALUES ('李娜', 12345, '', 0.1, 'vip')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.Query(`SELECT cust_name AS "姓名", mobile AS "手机", id_no AS "身份证号", balance, note FROM crm ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	src, err := SQLSource(rows)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMapping(src.Header(), nil)
	if err != nil {
		t.Fatal(err)
	}
	header, got := readAll(t, src)
	want := []string{"02:张伟|13800138000|110101199003071233|1200.5|", "04:李娜|12345||0.1|vip"}
	if len(header) != 5 || header[1] != "手机" || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("header %q rows %q, want %q", header, got, want)
	}
	if m.Column(FieldPhone) != 1 || m.Column(FieldIDNumber) != 2 || m.Column(FieldName) != 0 {
		t.Errorf("mapping = %+v", m)
	}
}
