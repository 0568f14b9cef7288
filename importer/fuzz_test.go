package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for the contact file readers: whatever a user uploads, a
// reader returns rows or a clean error, never panics, never loops, and every
// row it returns has a growing line number and trimmed cells. The seeds are
// the testdata files (or their parts) and the hand-made edge cases committed
// under testdata/fuzz/<target>/. scripts/fuzz.sh runs each for a short time.

// fuzzRowCap bounds the rows read per input so a run never stalls on one.
const fuzzRowCap = 20000

// readAllChecked opens data as a contact file and reads it to the end (or
// to an error), checking the readers' promises.
func readAllChecked(t *testing.T, data []byte, name string, opts Options) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		readAllUnwatched(t, data, name, opts)
	}()
	// A reader that never returns would stall the fuzzer until its budget
	// ends ("context deadline exceeded") without saying which input did it;
	// failing here saves the input under testdata/fuzz. The limit is far
	// above a read's real cost, so a busy machine does not trip it.
	select {
	case <-done:
	case <-time.After(hangLimit):
		t.Fatalf("%s: the reader did not return within %s", name, hangLimit)
	}
}

// hangLimit is how long one fuzz input may take before it counts as a hang.
const hangLimit = 2 * time.Minute

func readAllUnwatched(t *testing.T, data []byte, name string, opts Options) {
	if opts.MaxBytes == 0 {
		opts.MaxBytes = 4 << 20
	}
	src, err := Open(bytes.NewReader(data), int64(len(data)), name, opts)
	if err != nil {
		checkCleanError(t, err)
		return
	}
	defer src.Close()
	checkRows(t, src)
}

// checkRows reads a Source, validating every row as an import would.
func checkRows(t *testing.T, src Source) {
	m, err := NewMapping(src.Header(), nil)
	if err != nil {
		checkCleanError(t, err)
	}
	validate := err == nil && m.Check() == nil
	last := 0
	for n := 0; n < fuzzRowCap; n++ {
		row, err := src.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			checkCleanError(t, err)
			return
		}
		if row.Line <= last {
			t.Fatalf("row line %d after %d", row.Line, last)
		}
		last = row.Line
		for i, c := range row.Cells {
			if c != strings.TrimSpace(c) {
				t.Fatalf("row %d cell %d %q is not trimmed", row.Line, i, c)
			}
		}
		if validate {
			m.Validate(row) // must not panic, whatever the cells hold
		}
	}
}

// checkCleanError: an error must say what is wrong in words.
func checkCleanError(t *testing.T, err error) {
	msg := err.Error()
	if strings.TrimSpace(msg) == "" {
		t.Fatalf("empty error message (%T)", err)
	}
	if strings.Contains(msg, "runtime error") || strings.Contains(msg, "%!") {
		t.Fatalf("error message leaks a bug: %s", msg)
	}
}

func addFile(f *testing.F, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func FuzzText(f *testing.F) {
	for _, p := range []string{"testdata/contacts.csv", "testdata/contacts_gbk.txt", "testdata/contacts_legacy.xls"} {
		f.Add(addFile(f, p))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		readAllChecked(t, data, "contacts.csv", Options{})
		readAllChecked(t, data, "contacts.txt", Options{Encoding: "gbk"})
	})
}

// officePackage is an office file's zip parts, to be rebuilt with some
// parts replaced: fuzzing the XML inside is what finds reader bugs, the zip
// layer is the standard library's.
type officePackage struct {
	names []string
	parts map[string][]byte
}

func readPackage(f *testing.F, path string) officePackage {
	data := addFile(f, path)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		f.Fatal(err)
	}
	p := officePackage{parts: map[string][]byte{}}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			f.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			f.Fatal(err)
		}
		p.names = append(p.names, zf.Name)
		p.parts[zf.Name] = b
	}
	return p
}

// with builds the package with the given parts replaced.
func (p officePackage) with(t *testing.T, replace map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range p.names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		body, ok := replace[name]
		if !ok {
			body = p.parts[name]
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func FuzzXLSX(f *testing.F) {
	pkg := readPackage(f, "testdata/contacts_libreoffice.xlsx")
	const sheet, sst, styles = "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml"
	f.Add(pkg.parts[sheet], pkg.parts[sst], pkg.parts[styles])
	f.Fuzz(func(t *testing.T, sheetXML, sstXML, stylesXML []byte) {
		data := pkg.with(t, map[string][]byte{sheet: sheetXML, sst: sstXML, styles: stylesXML})
		readAllChecked(t, data, "contacts.xlsx", Options{})
	})
}

func FuzzDOCX(f *testing.F) {
	pkg := readPackage(f, "testdata/contacts.docx")
	const doc = "word/document.xml"
	f.Add(pkg.parts[doc])
	f.Fuzz(func(t *testing.T, documentXML []byte) {
		data := pkg.with(t, map[string][]byte{doc: documentXML})
		readAllChecked(t, data, "contacts.docx", Options{})
	})
}

// FuzzDOC feeds the Word 97 streams (WordDocument and the table stream)
// straight to the reader: the OLE container around them is FuzzDOCFile's.
func FuzzDOC(f *testing.F) {
	for _, p := range []string{"testdata/contacts.doc", "testdata/contacts_en.doc"} {
		data := addFile(f, p)
		streams, err := docStreams(bytes.NewReader(data), int64(len(data)), p, DefaultLimits)
		if err != nil {
			f.Fatal(err)
		}
		table := streams["1Table"]
		if table == nil {
			table = streams["0Table"]
		}
		f.Add(streams["WordDocument"], table)
	}
	f.Fuzz(func(t *testing.T, wordDocument, table []byte) {
		streams := map[string][]byte{"WordDocument": wordDocument, "0Table": table, "1Table": table}
		rr, err := docRows(streams, "contacts.doc", DefaultLimits)
		if err != nil {
			checkCleanError(t, err)
			return
		}
		src, err := newSource(rr, "contacts.doc", DefaultLimits)
		if err != nil {
			checkCleanError(t, err)
			return
		}
		checkRows(t, src)
	})
}

// FuzzDOCFile fuzzes whole .doc files, container included (mscfb parses the
// OLE structure of whatever is uploaded).
func FuzzDOCFile(f *testing.F) {
	for _, p := range []string{"testdata/contacts.doc", "testdata/contacts_en.doc"} {
		f.Add(addFile(f, p))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, magicOLE) {
			return // other formats have their own targets
		}
		readAllChecked(t, data, "contacts.doc", Options{})
	})
}

// TestFuzzSeedsReadable makes sure the seeds are what they claim: each
// testdata file reads to rows, so the fuzzers start from real files.
func TestFuzzSeedsReadable(t *testing.T) {
	for _, p := range []string{"testdata/contacts.csv", "testdata/contacts_gbk.txt", "testdata/contacts_libreoffice.xlsx", "testdata/contacts.docx", "testdata/contacts.doc", "testdata/contacts_en.doc"} {
		src, err := OpenFile(p, Options{})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if _, err := src.Next(); err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("%s: %v", p, err)
		}
		src.Close()
	}
}
