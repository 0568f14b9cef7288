package importer

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// benchRow writes contact i in the shapes real lists mix: plain and +86
// mobiles, landlines, IDs with valid check digits, some empty cells.
func benchRow(i int) []string {
	id17 := fmt.Sprintf("110101%04d%02d%02d%03d", 1950+i%50, 1+i%12, 1+i%28, i%1000)
	sum := 0
	for k := range 17 {
		sum += int(id17[k]-'0') * idWeights[k]
	}
	phone := fmt.Sprintf("13%d%08d", i%10, i%100000000)
	if i%4 == 1 {
		phone = "+86 " + phone[:3] + " " + phone[3:7] + " " + phone[7:]
	}
	alt := ""
	if i%3 == 0 {
		alt = fmt.Sprintf("010-6%07d", i%10000000)
	}
	return []string{fmt.Sprintf("客户%d", i), phone, alt, id17 + string(idCheck[sum%11]), "普通客户",
		"mgr@bank.example", fmt.Sprintf("%d.%02d", i%100000, i%100)}
}

var benchHeader = []string{"客户姓名", "手机号码", "备用电话", "身份证号码", "客户类型", "客户经理邮箱", "账户余额"}

func writeBenchCSV(b *testing.B, path string, rows int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "客户姓名,手机号码,备用电话,身份证号码,客户类型,客户经理邮箱,账户余额")
	for i := range rows {
		r := benchRow(i)
		fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%s\n", r[0], r[1], r[2], r[3], r[4], r[5], r[6])
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// benchImport reads, maps and validates a whole file, as an import does
// before the store; it fails on any rejected row (all rows are valid).
func benchImport(b *testing.B, path string, want int) {
	src, err := OpenFile(path, Options{MaxBytes: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	m, err := NewMapping(src.Header(), nil)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for {
		row, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		if c, errs := m.Validate(row); c == nil || len(errs) > 0 {
			b.Fatalf("row %d: %v", row.Line, errs)
		}
		n++
	}
	if n != want {
		b.Fatalf("%d rows, want %d", n, want)
	}
}

// BenchmarkCSVParseValidate: 1,000,000 rows generated in a temp dir.
func BenchmarkCSVParseValidate(b *testing.B) {
	const rows = 1_000_000
	path := filepath.Join(b.TempDir(), "contacts.csv")
	writeBenchCSV(b, path, rows)
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		benchImport(b, path, rows)
	}
	b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkXLSX: ~100k rows, written two ways: by excelize's stream writer
// (inline strings) and as Excel, WPS and LibreOffice write (a shared string
// table, phones as numbers, dates as serials with a date style).
func BenchmarkXLSX(b *testing.B) {
	const rows = 100_000
	for _, kind := range []string{"inline", "shared"} {
		b.Run(kind, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "contacts.xlsx")
			if kind == "inline" {
				writeBenchXLSXInline(b, path, rows)
			} else {
				writeBenchXLSXShared(b, path, rows)
			}
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				benchImport(b, path, rows)
			}
			b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

func writeBenchXLSXInline(b *testing.B, path string, rows int) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	cells := make([]any, len(benchHeader))
	for i, h := range benchHeader {
		cells[i] = h
	}
	sw.SetRow("A1", cells)
	for i := range rows {
		for k, v := range benchRow(i) {
			cells[k] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
}

// writeBenchXLSXShared writes the parts by hand, the way office suites lay
// them out, with every text cell in the shared string table.
func writeBenchXLSXShared(b *testing.B, path string, rows int) {
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	part := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			b.Fatal(err)
		}
		io.WriteString(w, body)
	}
	part("xl/workbook.xml", `<workbook xmlns:r="r"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	part("xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`)
	part("xl/styles.xml", `<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>`)
	var sst []string
	index := map[string]int{}
	str := func(s string) int {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = len(sst)
		sst = append(sst, s)
		return len(sst) - 1
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	bw := bufio.NewWriter(w)
	bw.WriteString(`<worksheet><sheetData><row r="1">`)
	for c, h := range append(benchHeader, "到期日") {
		fmt.Fprintf(bw, `<c r="%c1" t="s"><v>%d</v></c>`, 'A'+c, str(h))
	}
	bw.WriteString(`</row>`)
	for i := range rows {
		r := benchRow(i)
		fmt.Fprintf(bw, `<row r="%d">`, i+2)
		for c, v := range r {
			if c == 1 && !strings.HasPrefix(v, "+") { // phone stored as a number
				fmt.Fprintf(bw, `<c r="%c%d"><v>%s</v></c>`, 'A'+c, i+2, v)
				continue
			}
			if v != "" {
				fmt.Fprintf(bw, `<c r="%c%d" t="s"><v>%d</v></c>`, 'A'+c, i+2, str(v))
			}
		}
		fmt.Fprintf(bw, `<c r="H%d" s="1"><v>%d</v></c></row>`, i+2, 46000+i%365)
	}
	bw.WriteString(`</sheetData></worksheet>`)
	bw.Flush()
	w, _ = zw.Create("xl/sharedStrings.xml")
	bw = bufio.NewWriter(w)
	fmt.Fprintf(bw, `<sst count="%d">`, len(sst))
	for _, s := range sst {
		bw.WriteString("<si><t>")
		xml.EscapeText(bw, []byte(s))
		bw.WriteString("</t></si>")
	}
	bw.WriteString(`</sst>`)
	bw.Flush()
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
}
