package importer

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// handXLSX is a workbook written by hand to reach what office writers do
// and excelize does not: namespace prefixes, rich text with phonetic guides,
// comments, CDATA, 1904 dates, a hidden first sheet, absent r attributes.
func handXLSX(t *testing.T, date1904 bool) []byte {
	t.Helper()
	pr := ""
	if date1904 {
		pr = `<x:workbookPr date1904="1"/>`
	}
	return zipOf(t, map[string]string{
		"[Content_Types].xml": `<Types/>`,
		"xl/workbook.xml": `<?xml version="1.0"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` + pr +
			`<x:sheets><x:sheet name="隐藏" sheetId="1" state="hidden" r:id="rId1"/><x:sheet name="名单" sheetId="2" r:id="rId2"/></x:sheets></x:workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/></Relationships>`,
		"xl/styles.xml": `<styleSheet><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="165" formatCode="&quot;¥&quot;#,##0.00"/></numFmts>` +
			`<cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="22"/><xf numFmtId="20"/><xf numFmtId="165"/></cellXfs></styleSheet>`,
		"xl/sharedStrings.xml": `<sst><si><t>姓名</t></si><si><t xml:space="preserve">手机</t></si>` +
			`<si><r><t>张</t></r><r><rPr><b/></rPr><t>三</t></r><rPh sb="0" eb="1"><t>zhang</t></rPh></si><si><t>A &amp; B &lt;co&gt;</t></si><si/></sst>`,
		"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>hidden</t></is></c></row></sheetData></worksheet>`,
		"xl/worksheets/sheet2.xml": `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:H4"/><x:sheetData>` +
			`<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>日期</x:t></x:is></x:c></x:row>` +
			`<!-- a comment > with a bracket -->` +
			`<x:row r="3" spans="1:8"><x:c r="A3" t="s"><x:v>2</x:v></x:c><x:c r="B3"><x:v>13800138000</x:v></x:c><x:c r="C3" s="1"><x:v>46357</x:v></x:c>` +
			`<x:c r="D3" s="2"><x:v>46357</x:v></x:c><x:c r="E3" s="3"><x:v>46357.395833333336</x:v></x:c><x:c r="F3" s="4"><x:v>0.5</x:v></x:c>` +
			`<x:c r="G3" s="5"><x:v>1200.5</x:v></x:c><x:c r="H3"><x:v>0.10000000000000001</x:v></x:c></x:row>` +
			`<x:row><x:c t="s"><x:v>3</x:v></x:c><x:c t="str"><x:f>A1&amp;""</x:f><x:v>formula text</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c>` +
			`<x:c r="F4"/><x:c r="G4"><x:v>1.10101199003071E+17</x:v></x:c><x:c r="H4" t="inlineStr"><x:is><x:t><![CDATA[<raw> & text]]></x:t></x:is></x:c></x:row>` +
			`<x:row r="5"/>` +
			`</x:sheetData></x:worksheet>`,
	})
}

func TestOpenXLSXHandWritten(t *testing.T) {
	src, err := openBytes(handXLSX(t, false), "hand.xlsx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	header, rows := readAll(t, src)
	want := []string{
		"03:张三|13800138000|2026-12-01|2026-12-01|2026-12-01 09:30:00|12:00:00|1200.5|0.1",
		"04:A & B <co>|formula text|TRUE|#N/A|||1.10101199003071E+17|<raw> & text",
	}
	if !reflect.DeepEqual(header, []string{"姓名", "手机", "日期"}) || !reflect.DeepEqual(rows, want) {
		t.Errorf("got %q\n%q\nwant %q", header, rows, want)
	}

	src, err = openBytes(handXLSX(t, true), "hand.xlsx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, rows := readAll(t, src); !strings.Contains(rows[0], "|2030-12-02|") {
		t.Errorf("1904 workbook dates: %q", rows[0])
	}

	src, err = openBytes(handXLSX(t, false), "hand.xlsx", Options{Sheet: "隐藏"})
	if err != nil {
		t.Fatal(err)
	}
	if header, _ := readAll(t, src); !reflect.DeepEqual(header, []string{"hidden"}) {
		t.Errorf("hidden sheet by name: header %q", header)
	}
}

func TestNumFmtKind(t *testing.T) {
	tests := []struct {
		id   int
		code string
		want xlsxCellKind
	}{
		{0, "", kindNumber}, {164, "General", kindNumber}, {14, "", kindDate}, {31, "", kindDate},
		{22, "", kindDateTime}, {20, "", kindTime}, {49, "@", kindNumber},
		{164, "yyyy-mm-dd", kindDate}, {164, `yyyy"年"m"月"d"日"`, kindDate}, {164, "yyyy/m/d h:mm", kindDateTime},
		{164, "h:mm:ss", kindTime}, {164, `"¥"#,##0.00`, kindNumber}, {164, "[Red]0.00", kindNumber},
		{164, `0.00" days"`, kindNumber}, {164, "0.00E+00", kindNumber}, {164, `#,##0\d`, kindNumber},
		{164, "[$-804]yyyy年m月d日", kindDate},
	}
	for _, tt := range tests {
		if got := numFmtKind(tt.id, tt.code); got != tt.want {
			t.Errorf("numFmtKind(%d, %q) = %d, want %d", tt.id, tt.code, got, tt.want)
		}
	}
}

func TestPlainNumber(t *testing.T) {
	for raw, want := range map[string]string{
		"13800138000": "13800138000", "1200.5": "1200.5", "0.10000000000000001": "0.1",
		"1.3800138E+10": "13800138000", "110101199003071233": "1.1010119900307123E+17", "-3": "-3",
	} {
		if got := plainNumber(raw); got != want {
			t.Errorf("plainNumber(%q) = %q, want %q", raw, got, want)
		}
	}
}

// TestXLSXAgreesWithExcelize reads a workbook written by excelize with both
// this reader and excelize's own Rows and compares every cell.
func TestXLSXAgreesWithExcelize(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "手机", "余额", "备注", "身份证"})
	for i := range 300 {
		row := []any{fmt.Sprintf("客户%d & <%d>", i, i), 13800000000 + int64(i), float64(i) / 8, "", fmt.Sprintf("1101011990030%05d", i)}
		if i%7 == 0 {
			row[3] = "  spaced  "
		}
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2+i/50), &row) // a gap every 50 rows
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	ours, err := openBytes(buf.Bytes(), "x.xlsx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	header, rows := readAll(t, ours)

	ref, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	it, _ := ref.Rows("Sheet1")
	var want []string
	var wantHeader []string
	for line := 1; it.Next(); line++ {
		cells, _ := it.Columns()
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case line == 1:
			wantHeader = cells
		case len(cells) > 0:
			want = append(want, fmt.Sprintf("%02d:%s", line, strings.Join(cells, "|")))
		}
	}
	if !reflect.DeepEqual(header, wantHeader) || !reflect.DeepEqual(rows, want) {
		for i := range min(len(rows), len(want)) {
			if rows[i] != want[i] {
				t.Fatalf("first difference at %d: %q vs excelize %q", i, rows[i], want[i])
			}
		}
		t.Fatalf("%d rows vs excelize %d", len(rows), len(want))
	}
}
