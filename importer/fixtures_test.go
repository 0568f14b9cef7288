package importer

import (
	"errors"
	"io"
	"os"
	"reflect"
	"testing"
)

// fixtureResult is what importing a contacts fixture yields.
type fixtureResult struct {
	header     []string
	candidates map[int]*Candidate
	rejected   map[int][]FieldError
	warnings   map[int][]FieldError
}

// importAll reads a whole source through NewMapping and Validate.
func importAll(t *testing.T, src Source, userMapping string) fixtureResult {
	t.Helper()
	m, err := NewMapping(src.Header(), []byte(userMapping))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Check(); err != nil {
		t.Fatal(err)
	}
	res := fixtureResult{header: src.Header(), candidates: map[int]*Candidate{}, rejected: map[int][]FieldError{}, warnings: map[int][]FieldError{}}
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			return res
		}
		if err != nil {
			t.Fatal(err)
		}
		c, errs := m.Validate(row)
		switch {
		case c == nil:
			res.rejected[row.Line] = errs
		default:
			res.candidates[row.Line] = c
			if len(errs) > 0 {
				res.warnings[row.Line] = errs
			}
		}
	}
}

var fixtureHeader = []string{"客户姓名", "手机号码", "备用电话", "身份证号码", "客户类型", "客户经理邮箱", "账户余额", "到期日", "备注"}

// wantFixture is the expected import of testdata/contacts.*; balance is how
// the format writes 1200.50, 88.00 and 1.5 (Excel drops trailing zeros).
func wantFixture(balance [3]string) fixtureResult {
	return fixtureResult{
		header: fixtureHeader,
		candidates: map[int]*Candidate{
			2: {Line: 2, Name: "张伟", Phones: []string{"+8613800138000", "+861012345678"}, IDNumber: "110101199003071233",
				CustomerType: "VIP客户", ManagerEmail: "mgr@bank.example",
				Attributes: map[string]string{"账户余额": balance[0], "到期日": "2026-12-01", "备注": "逾期, 需跟进"}},
			3: {Line: 3, Name: "李娜", Phones: []string{"+8613900139000"}, CustomerType: "普通客户", ManagerEmail: "mgr@bank.example",
				Attributes: map[string]string{"账户余额": balance[1], "到期日": "2026-12-15"}},
			5: {Line: 5, Name: "赵强", Phones: []string{"+8675512345678"}, IDNumber: "440305198512310026",
				CustomerType: "VIP客户", ManagerEmail: "li@bank.example",
				Attributes: map[string]string{"账户余额": "5000", "到期日": "2026-11-30"}},
			7: {Line: 7, Name: "刘洋", Phones: []string{"+8675512345678", "+862187654321"}, IDNumber: "44030419870315105X",
				CustomerType: "对公客户", Attributes: map[string]string{"账户余额": "300", "到期日": "2026-12-02"}},
			8: {Line: 8, Name: "周敏", Phones: []string{"+8613600136000"}, CustomerType: "普通客户"},
			10: {Line: 10, Name: "吴刚", Phones: []string{"+8615912345678"}, IDNumber: "510104200002290038",
				CustomerType: "VIP客户", ManagerEmail: "wu@bank.example",
				Attributes: map[string]string{"账户余额": balance[2], "到期日": "2026-12-20"}},
		},
		rejected: map[int][]FieldError{
			4: {{Row: 4, Field: "id_number", Message: "check digit is 4, expected 3"}},
			6: {{Row: 6, Field: "phone", Message: "no phone number"}},
		},
		warnings: map[int][]FieldError{
			5: {{Row: 5, Field: "phone", Message: "12345: too short (5 digits)"}},
		},
	}
}

func TestFixtures(t *testing.T) {
	text := [3]string{"1200.50", "88.00", "1.5"}
	excel := [3]string{"1200.5", "88", "1.5"}
	tests := []struct {
		file   string
		opts   Options
		format Format
		want   fixtureResult
	}{
		{"contacts.csv", Options{}, FormatText, wantFixture(text)},
		{"contacts_gbk.txt", Options{}, FormatText, wantFixture(text)},
		{"contacts_gbk.txt", Options{Encoding: "gbk", Delimiter: '\t'}, FormatText, wantFixture(text)},
		{"contacts_libreoffice.xlsx", Options{}, FormatXLSX, wantFixture(excel)},
		{"contacts_libreoffice.xlsx", Options{Sheet: "contacts_libreoffice"}, FormatXLSX, wantFixture(excel)},
		{"contacts.docx", Options{}, FormatDOCX, wantFixture(text)},
		{"contacts.doc", Options{}, FormatDOC, wantFixture(text)},
		{"contacts_en.doc", Options{}, FormatDOC, fixtureResult{
			header: []string{"Name", "Mobile", "Alt Phone", "ID Number", "Customer Type", "", "Manager Email", "Branch"},
			candidates: map[int]*Candidate{
				2: {Line: 2, Name: "Alice Wang", Phones: []string{"+8613800138000"}, IDNumber: "110101199003071233",
					CustomerType: "VIP", ManagerEmail: "mgr@bank.example", Attributes: map[string]string{"col_6": "note 1", "Branch": "Pudong"}},
				3: {Line: 3, Name: "Bob Li", Phones: []string{"+8613900139000", "+862187654321"}, CustomerType: "normal"},
			},
			rejected: map[int][]FieldError{4: {
				{Row: 4, Field: "phone", Message: "no phone number"},
				{Row: 4, Field: "manager_email", Message: "not-an-email: not an e-mail address, ignored"},
			}},
			warnings: map[int][]FieldError{},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if got := sniffFile(t, "testdata/"+tt.file, tt.opts); got != tt.format {
				t.Errorf("Sniff = %q, want %q", got, tt.format)
			}
			src, err := OpenFile("testdata/"+tt.file, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			got := importAll(t, src, "")
			if !reflect.DeepEqual(got.header, tt.want.header) {
				t.Errorf("header = %q, want %q", got.header, tt.want.header)
			}
			for line, want := range tt.want.candidates {
				if !reflect.DeepEqual(got.candidates[line], want) {
					t.Errorf("row %d = %+v\nwant %+v", line, got.candidates[line], want)
				}
			}
			if len(got.candidates) != len(tt.want.candidates) {
				t.Errorf("%d candidates, want %d", len(got.candidates), len(tt.want.candidates))
			}
			if !reflect.DeepEqual(got.rejected, tt.want.rejected) {
				t.Errorf("rejected = %+v, want %+v", got.rejected, tt.want.rejected)
			}
			if !reflect.DeepEqual(got.warnings, tt.want.warnings) {
				t.Errorf("warnings = %+v, want %+v", got.warnings, tt.want.warnings)
			}
		})
	}
}

func sniffFile(t *testing.T, path string, opts Options) Format {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	format, err := Sniff(f, st.Size(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return format
}
