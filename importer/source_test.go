package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/unicode"
)

func openBytes(b []byte, name string, opts Options) (Source, error) {
	return Open(bytes.NewReader(b), int64(len(b)), name, opts)
}

// readAll returns the header and every row as "line:cell|cell".
func readAll(t *testing.T, src Source) (header []string, rows []string) {
	t.Helper()
	defer src.Close()
	for {
		row, err := src.Next()
		if err == io.EOF {
			return src.Header(), rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, itoaTest(row.Line)+":"+strings.Join(row.Cells, "|"))
	}
}

func itoaTest(n int) string { return fmt.Sprintf("%02d", n) }

func TestOpenText(t *testing.T) {
	utf16 := func(s string) []byte {
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name   string
		data   []byte
		opts   Options
		header []string
		rows   []string
	}{
		{"bom.csv", []byte("\xEF\xBB\xBF姓名,手机\n张三,13800138000\n"), Options{},
			[]string{"姓名", "手机"}, []string{"02:张三|13800138000"}},
		{"semi.csv", []byte("name;phone;note\nA;13800138000;x,y\nB;13900139000;z\n"), Options{},
			[]string{"name", "phone", "note"}, []string{"02:A|13800138000|x,y", "03:B|13900139000|z"}},
		{"pipe.txt", []byte("name|phone\r\nA|13800138000\r\n"), Options{},
			[]string{"name", "phone"}, []string{"02:A|13800138000"}},
		{"tab.txt", []byte("name\tphone\tnote\nA\t13800138000\t\"a, b\"\n"), Options{},
			[]string{"name", "phone", "note"}, []string{"02:A|13800138000|a, b"}},
		{"forced.txt", []byte("name;phone,x\nA;1,2\n"), Options{Delimiter: ';'},
			[]string{"name", "phone,x"}, []string{"02:A|1,2"}},
		// A quoted field over two lines: the next row keeps its real line number.
		{"multiline.csv", []byte("name,phone,note\nA,13800138000,\"line1\nline2\"\n\nB,13900139000,x\n"), Options{},
			[]string{"name", "phone", "note"}, []string{"02:A|13800138000|line1\nline2", "05:B|13900139000|x"}},
		// A one-cell title line above the header is skipped.
		{"title.csv", []byte("2026年11月客户名单,,\n姓名,手机,备注\n张三,13800138000,\n"), Options{},
			[]string{"姓名", "手机", "备注"}, []string{"03:张三|13800138000|"}},
		// A one-column phone list keeps its only row.
		{"single.csv", []byte("手机\n13800138000\n13900139000\n"), Options{},
			[]string{"手机"}, []string{"02:13800138000", "03:13900139000"}},
		{"excel-unicode.txt", utf16("姓名\t手机\r\n张三\t13800138000\r\n"), Options{},
			[]string{"姓名", "手机"}, []string{"02:张三|13800138000"}},
		{"core-system.xls", []byte("姓名\t手机\n张三\t13800138000\n"), Options{},
			[]string{"姓名", "手机"}, []string{"02:张三|13800138000"}},
		{"stray-quote.csv", []byte("name,phone\nA \"Jr\" B,13800138000\n"), Options{},
			[]string{"name", "phone"}, []string{"02:A \"Jr\" B|13800138000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := openBytes(tt.data, tt.name, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			header, rows := readAll(t, src)
			if !reflect.DeepEqual(header, tt.header) || !reflect.DeepEqual(rows, tt.rows) {
				t.Errorf("got %q %q\nwant %q %q", header, rows, tt.header, tt.rows)
			}
		})
	}
}

// TestOpenTextEncodingOverride reads the GBK fixture as UTF-8 on purpose:
// the user's choice is honoured and the mismatch is reported.
func TestOpenTextEncodingOverride(t *testing.T) {
	_, err := OpenFile("testdata/contacts_gbk.txt", Options{Encoding: "utf-8"})
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "is not utf-8 text; choose another encoding") {
		t.Fatalf("GBK read as utf-8: error = %v", err)
	}
	if _, err := OpenFile("testdata/contacts_gbk.txt", Options{Encoding: "latin9"}); err == nil || !strings.Contains(err.Error(), "unknown encoding") {
		t.Fatalf("unknown encoding error = %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	junk := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(rng.UintN(256))
	}
	csv, err := os.ReadFile("testdata/contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		opts Options
		want error
		text string
	}{
		{"empty.csv", nil, Options{}, ErrEmptyFile, "0 bytes"},
		{"junk.csv", junk, Options{}, ErrUnknownFormat, "binary"},
		{"photo.txt", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), junk[:200]...), Options{}, ErrUnknownFormat, "binary"},
		{"big.csv", csv, Options{MaxBytes: 100}, ErrTooLarge, "the limit is 100"},
		{"renamed.xlsx", csv, Options{}, ErrUnknownFormat, "not that format"},
		{"blank.csv", []byte("\n\n ,, \n"), Options{}, ErrNoHeader, "no rows"},
		{"headless.csv", []byte("张三,13800138000\n李四,13900139000\n"), Options{}, ErrNoHeader, `the first row holds data ("13800138000")`},
		{"export.xls", []byte("<html><body><table><tr><td>姓名</td></tr></table></body></html>"), Options{}, ErrUnknownFormat, "web page or XML export"},
		{"bomb.xlsx", zipBomb(t), Options{}, ErrZipBomb, "expands"},
		{"other.zip", zipOf(t, map[string]string{"readme.txt": "hi"}), Options{}, ErrUnknownFormat, "neither"},
		{"empty.xlsx", emptyWorkbook(t), Options{}, ErrNoHeader, "no rows"},
		{"notable.docx", zipOf(t, map[string]string{"word/document.xml": docxXML("<w:p><w:r><w:t>no table</w:t></w:r></w:p>")}), Options{}, ErrNoTable, ""},
		{"broken.docx", zipOf(t, map[string]string{"word/document.xml": "<w:document><w:body><w:tbl>"}), Options{}, ErrUnknownFormat, "document.xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := openBytes(tt.data, tt.name, tt.opts)
			if err == nil {
				src.Close()
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("Open error = %v, want %v containing %q", err, tt.want, tt.text)
			}
		})
	}
}

func TestOpenLegacyXLS(t *testing.T) {
	_, err := OpenFile("testdata/contacts_legacy.xls", Options{})
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "legacy Excel .xls workbook; save it as .xlsx") {
		t.Fatalf("xls error = %v", err)
	}
}

func TestOpenXLSXSheets(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"说明：请看第二页"})
	f.NewSheet("名单")
	f.SetSheetRow("名单", "A1", &[]any{"姓名", "手机"})
	f.SetSheetRow("名单", "A2", &[]any{"张三", 13800138000})
	f.SetSheetRow("名单", "A5", &[]any{"李四", "13900139000"}) // rows 3-4 left empty
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	src, err := openBytes(buf.Bytes(), "two.xlsx", Options{Sheet: "名单"})
	if err != nil {
		t.Fatal(err)
	}
	header, rows := readAll(t, src)
	if want := []string{"02:张三|13800138000", "05:李四|13900139000"}; !reflect.DeepEqual(rows, want) || header[1] != "手机" {
		t.Errorf("got %q %q, want %q", header, rows, want)
	}
	_, err = openBytes(buf.Bytes(), "two.xlsx", Options{Sheet: "Sheet9"})
	if !errors.Is(err, ErrNoSheet) || !strings.Contains(err.Error(), "sheets: Sheet1, 名单") {
		t.Errorf("unknown sheet error = %v", err)
	}
}

func TestOpenDOCXMergedAndNested(t *testing.T) {
	body := `<w:tbl><w:tr><w:tc><w:p><w:r><w:t>姓名</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>手机</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>备注</w:t></w:r></w:p></w:tc></w:tr>` +
		`<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>合并</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc></w:tr>` +
		`<w:tr><w:tc><w:p><w:r><w:t>张</w:t></w:r><w:r><w:t>三</w:t></w:r></w:p></w:tc>` +
		`<w:tc><w:p><w:r><w:t>13800138000</w:t></w:r></w:p><w:p><w:r><w:t>13900139000</w:t></w:r></w:p></w:tc>` +
		`<w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>inner</w:t></w:r></w:p></w:tc></w:tr></w:tbl>` +
		`<w:p><w:r><w:instrText>HYPERLINK x</w:instrText><w:t>tail</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`
	src, err := openBytes(zipOf(t, map[string]string{"word/document.xml": docxXML(body)}), "m.docx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, rows := readAll(t, src)
	want := []string{"02:合并||x", "03:张三|13800138000\n13900139000|inner\ntail"}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %q, want %q", rows, want)
	}
}

func docxXML(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		body + `</w:body></w:document>`
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipBomb is a workbook-looking archive with 4 MB of zeros packed ~1000:1.
func zipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("xl/workbook.xml")
	io.WriteString(w, "<workbook/>")
	w, _ = zw.Create("xl/worksheets/sheet1.xml")
	zeros := make([]byte, 1<<20)
	for range 4 {
		w.Write(zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func emptyWorkbook(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := excelize.NewFile().Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
