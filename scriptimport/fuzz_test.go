package scriptimport_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/bankcc/callcenter/scriptimport"
)

// FuzzRead: any bytes, under any of the names a user may upload, either
// give a script whose flow validates or an error; never a panic.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"script.csv", "script_outline.txt", "script_outline_gbk.txt", "script_libreoffice.xlsx", "script.docx", "script.doc"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, filepath.Ext(name))
	}
	f.Add([]byte("1. 【单选】问\n  - 是 -> 1\n"), ".txt")
	f.Fuzz(func(t *testing.T, b []byte, ext string) {
		d, err := scriptimport.Read(bytes.NewReader(b), int64(len(b)), "f"+ext, scriptimport.Options{MaxBytes: 1 << 20})
		if err != nil {
			if d != nil {
				t.Fatal("a draft with an error")
			}
			return
		}
		if verr := d.Flow.Validate(); verr != nil {
			t.Fatalf("an accepted flow does not validate: %v", verr)
		}
	})
}
