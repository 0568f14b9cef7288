package importer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/importer/importertest"
)

// TestSharedStringsBombRefused: an xlsx whose shared strings expand to
// 1,000 MB at a ratio under the zip guard took a preview to 4 GB of RSS. It
// is refused once the strings held reach the limit, with the heap bounded.
func TestSharedStringsBombRefused(t *testing.T) {
	var file bytes.Buffer
	if err := importertest.SharedStringsBomb(&file, 1000<<20); err != nil {
		t.Fatal(err)
	}
	var err error
	grew := importertest.HeapGrowth(func() {
		_, err = Open(bytes.NewReader(file.Bytes()), int64(file.Len()), "名单.xlsx", Options{})
	})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "名单.xlsx: the shared strings (the workbook's text cells) hold more than 64 MB") {
		t.Fatalf("open: %v", err)
	}
	if grew > 256<<20 {
		t.Fatalf("heap grew by %d MB reading the bomb", grew>>20)
	}
	t.Logf("%d MB file, heap grew by %d MB", file.Len()>>20, grew>>20)
}

func TestReadingLimits(t *testing.T) {
	small := Limits{HeldBytes: 4 << 10, CellBytes: 1 << 10, RowBytes: 2 << 10, Columns: 5}
	sheet := func(rows string) []byte {
		return zipOf(t, map[string]string{
			"xl/workbook.xml":            `<workbook><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>`,
			"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`,
			"xl/sharedStrings.xml":       `<sst><si><t>` + strings.Repeat("长", 400) + `</t></si><si><t>` + strings.Repeat("短", 400) + `</t></si></sst>`,
			"xl/worksheets/sheet1.xml":   `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>姓名</t></is></c><c t="inlineStr"><is><t>手机</t></is></c></row>` + rows + `</sheetData></worksheet>`,
		})
	}
	manyComments := `<row r="2"><c t="inlineStr"><is><t>甲</t></is></c><c><v>13800138000</v></c></row>` + strings.Repeat("<!---->", 100000)
	for _, c := range []struct {
		name, file string
		content    []byte
		lim        Limits
		want       string // in the error; "" = reads fine
	}{
		{"csv columns", "a.csv", []byte("姓名,手机," + strings.Repeat("x,", 10) + "\n"), small, "a.csv row 1 has 12 columns; the limit is 5"},
		{"csv trailing blanks do not count", "a.csv", []byte("姓名,手机" + strings.Repeat(",", 10) + "\n张三,13800138000\n"), small, ""},
		{"csv long line", "a.csv", []byte("姓名,手机\n" + strings.Repeat("x", 3<<10) + "\n"), small, "a.csv has a line longer than 2 KB"},
		{"csv long row", "a.csv", []byte("姓名,手机\n" + strings.Repeat("x", 1500) + "\n" + strings.Repeat("y", 1500) + "\n"), Limits{RowBytes: 2 << 10}, ""},
		{"csv million columns", "a.csv", []byte("姓名,手机\n" + strings.Repeat(",1", 1000000) + "\n"), Limits{}, "a.csv has a line longer than 1 MB"},
		{"xlsx shared string over cell limit", "a.xlsx", sheet(""), Limits{CellBytes: 1 << 10}, "a.xlsx: shared string 1 is longer than 1 KB, the limit for one cell"},
		{"xlsx shared strings over held limit", "a.xlsx", sheet(""), Limits{HeldBytes: 1 << 10}, "a.xlsx: the shared strings (the workbook's text cells) hold more than 1 KB"},
		{"xlsx shared strings read back", "a.xlsx", sheet(`<row r="2"><c t="s"><v>1</v></c><c><v>13800138000</v></c></row>`), Limits{}, ""},
		{"xlsx inline cell", "a.xlsx", sheet(`<row r="2"><c t="inlineStr"><is><t>` + strings.Repeat("x", 3000) + `</t></is></c></row>`), Limits{CellBytes: 2 << 10}, "a.xlsx row 2: a cell is longer than 2 KB"},
		{"xlsx row bytes", "a.xlsx", sheet(`<row r="2"><c t="s"><v>0</v></c><c t="s"><v>0</v></c></row>`), Limits{RowBytes: 2 << 10}, "a.xlsx row 2 holds more than 2 KB"},
		{"xlsx cells without references", "a.xlsx", sheet(`<row r="2">` + strings.Repeat("<c/>", 20000) + `</row>`), Limits{}, "a.xlsx row 2 has more than 16384 cells"},
		{"xlsx comments do not recurse", "a.xlsx", sheet(manyComments), Limits{}, ""},
		{"docx document part", "a.docx", zipOf(t, map[string]string{"word/document.xml": docxXML(`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>` + strings.Repeat("x", 5000) + `</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`)}), Limits{HeldBytes: 4 << 10}, "a.docx: the document text (word/document.xml) is 0 MB, the limit is 4 KB"},
		{"docx cell", "a.docx", zipOf(t, map[string]string{"word/document.xml": docxXML(`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>` + strings.Repeat("x", 5000) + `</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`)}), Limits{CellBytes: 1 << 10}, "a.docx row 1: a cell is longer than 1 KB"},
		{"doc streams", "contacts.doc", readFixture(t, "contacts.doc"), Limits{HeldBytes: 4 << 10}, "contacts.doc: the document's text and tables are over 4 KB, the limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, err := Open(bytes.NewReader(c.content), int64(len(c.content)), c.file, Options{Limits: c.lim})
			if err == nil {
				_, err = Preview(src, 10)
				src.Close()
			}
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case c.want != "" && (!errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want ErrLimit with %q", err, c.want)
			}
		})
	}
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(fmt.Errorf("fixture %s: %w", name, err))
	}
	return b
}
