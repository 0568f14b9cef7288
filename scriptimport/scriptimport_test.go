package scriptimport_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/scriptimport"
	"github.com/bankcc/callcenter/store"
)

func read(t *testing.T, name string, opts scriptimport.Options) (*store.ScriptDraft, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	return scriptimport.Read(f, st.Size(), name, opts)
}

// The table fixtures (LibreOffice-written xlsx, docx, doc and the csv they
// came from) all hold the same eight-node script.
func TestReadTables(t *testing.T) {
	for _, name := range []string{"script.csv", "script_libreoffice.xlsx", "script.docx", "script.doc"} {
		t.Run(name, func(t *testing.T) {
			d, err := read(t, name, scriptimport.Options{})
			if err != nil {
				t.Fatal(err)
			}
			f := d.Flow
			if f.Start != "q1" || len(f.Nodes) != 8 {
				t.Fatalf("start %q, %d nodes", f.Start, len(f.Nodes))
			}
			q1 := f.Node("q1")
			if q1.AnswerType != store.AnswerSingle || len(q1.Options) != 2 || q1.Options[0].Next != "q2" || q1.Options[1].Next != "end_wrong" || q1.Next != "" {
				t.Errorf("q1: %+v", q1)
			}
			if q1.Text != "您好，请问是{{name}}本人吗？" {
				t.Errorf("q1 text %q", q1.Text)
			}
			if n := f.Node("q2"); n.Type != store.NodeText || n.Next != "q3" {
				t.Errorf("q2: %+v", n)
			}
			if n := f.Node("q3"); n.AnswerType != store.AnswerNumber || n.Next != "q4" {
				t.Errorf("q3: %+v", n)
			}
			if n := f.Node("q4"); n.AnswerType != store.AnswerMulti || len(n.Options) != 3 || n.Options[2].Label != "自动扣款" {
				t.Errorf("q4: %+v", n)
			}
			if n := f.Node("q6"); n.AnswerType != store.AnswerDate || n.Next != "end_ok" {
				t.Errorf("q6: %+v", n)
			}
			if n := f.Node("end_wrong"); n.Type != store.NodeEnd || n.Outcome != "wrong_person" {
				t.Errorf("end_wrong: %+v", n)
			}
			if d.Title != strings.TrimSuffix(name, filepath.Ext(name)) {
				t.Errorf("title %q (the file's name)", d.Title)
			}
		})
	}
}

func TestReadOutline(t *testing.T) {
	for _, name := range []string{"script_outline.txt", "script_outline_gbk.txt"} {
		t.Run(name, func(t *testing.T) {
			d, err := read(t, name, scriptimport.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if d.Title != "信用卡逾期还款提醒" || d.Flow.Start != "1" || len(d.Flow.Nodes) != 5 {
				t.Fatalf("%q start %q nodes %d", d.Title, d.Flow.Start, len(d.Flow.Nodes))
			}
			n1 := d.Flow.Node("1")
			if n1.Text != "您好，请问是{{name}}本人吗？" || len(n1.Options) != 2 || n1.Options[1].Next != "9" {
				t.Errorf("1: %+v", n1)
			}
			if n := d.Flow.Node("3"); n.AnswerType != store.AnswerNumber || n.Next != "8" {
				t.Errorf("3: %+v", n)
			}
			if n := d.Flow.Node("9"); n.Outcome != "wrong_person" || n.Text != "打扰了，再见。" {
				t.Errorf("9: %+v", n)
			}
		})
	}
}

// Broken files: the errors name the row and nothing is returned.
func TestReadBroken(t *testing.T) {
	for _, name := range []string{"broken.csv", "broken_libreoffice.xlsx", "broken.docx"} {
		t.Run(name, func(t *testing.T) {
			d, err := read(t, name, scriptimport.Options{})
			var ve *store.ValidationError
			if d != nil || !errors.As(err, &ve) {
				t.Fatalf("draft %v, err %v", d, err)
			}
			if len(ve.Fields) != 1 || ve.Fields[0].Row != 3 || !strings.Contains(ve.Fields[0].Message, `"下拉框" is not a type`) {
				t.Fatalf("errors: %+v", ve.Fields)
			}
		})
	}
	// With the type fixed, the missing jump target is named by its row.
	text := "编号,问题,类型,选项,跳转\nq1,您好,单选,是；不是,\nq2,职业？,文本,,\nq3,日期？,日期,,q9\nend,再见,结束,success,\n"
	_, err := scriptimport.Read(strings.NewReader(text), int64(len(text)), "x.csv", scriptimport.Options{})
	var ve *store.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Row != 4 || !strings.Contains(ve.Fields[0].Message, `goes to "q9", which does not exist`) {
		t.Fatalf("missing target: %v", err)
	}
	outline := "1. 【单选】您好\n  - 是 -> 2\n这一行不对\n2. 【结束】success\n"
	_, err = scriptimport.Read(strings.NewReader(outline), int64(len(outline)), "o.txt", scriptimport.Options{})
	if !errors.As(err, &ve) || ve.Fields[0].Row != 3 {
		t.Fatalf("outline line: %v", err)
	}
}
