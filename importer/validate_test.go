package importer

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestValidateContact(t *testing.T) {
	const id = "110101199003071233"
	tests := []struct {
		name     string
		in       ContactInput
		want     *Candidate // nil: rejected
		wantErrs []FieldError
	}{
		{"full", ContactInput{Name: " 张伟 ", Phone: "13800138000", AltPhone: "010-12345678", IDNumber: id,
			CustomerType: "VIP客户", ManagerEmail: "mgr@bank.example", Attributes: map[string]string{"balance": "1.5"}},
			&Candidate{Line: 7, Name: "张伟", Phones: []string{"+8613800138000", "+861012345678"}, IDNumber: id,
				CustomerType: "VIP客户", ManagerEmail: "mgr@bank.example", Attributes: map[string]string{"balance": "1.5"}}, nil},
		{"two numbers in one cell, duplicate alt", ContactInput{Phone: "13800138000/13900139000", AltPhone: "+86 139 0013 9000"},
			&Candidate{Line: 7, Phones: []string{"+8613800138000", "+8613900139000"}}, nil},
		{"bad alt kept row", ContactInput{Phone: "13800138000", AltPhone: "12345"},
			&Candidate{Line: 7, Phones: []string{"+8613800138000"}},
			[]FieldError{{7, "alt_phone", "12345: too short (5 digits)"}}},
		{"bad main, good alt", ContactInput{Phone: "1.38001E+10", AltPhone: "021-87654321"},
			&Candidate{Line: 7, Phones: []string{"+862187654321"}},
			[]FieldError{{7, "phone", "1.38001E+10: phone number lost digits in scientific notation (1.38001E+10): Excel kept only 6 digits; format the column as text and export again"}}},
		{"no valid phone", ContactInput{Phone: "12345", AltPhone: "abc"}, nil,
			[]FieldError{{7, "phone", "12345: too short (5 digits)"}, {7, "alt_phone", "abc: unexpected character 'a'"}}},
		{"no phone", ContactInput{Name: "x"}, nil, []FieldError{{7, "phone", "no phone number"}}},
		{"bad ID rejects", ContactInput{Phone: "13800138000", IDNumber: "110101199003071234"}, nil,
			[]FieldError{{7, "id_number", "check digit is 4, expected 3"}}},
		{"lowercase x normalised", ContactInput{Phone: "13800138000", IDNumber: "44030419870315105x"},
			&Candidate{Line: 7, Phones: []string{"+8613800138000"}, IDNumber: "44030419870315105X"}, nil},
		{"bad email dropped", ContactInput{Phone: "13800138000", ManagerEmail: "mgr at bank"},
			&Candidate{Line: 7, Phones: []string{"+8613800138000"}},
			[]FieldError{{7, "manager_email", "mgr at bank: not an e-mail address, ignored"}}},
		{"email with display name", ContactInput{Phone: "13800138000", ManagerEmail: "王经理 <wang@bank.example>"},
			&Candidate{Line: 7, Phones: []string{"+8613800138000"}, ManagerEmail: "wang@bank.example"}, nil},
		{"shifted columns", ContactInput{Phone: "13800138000", CustomerType: "这是一段很长很长的备注文字被放进了客户类型这一列里面因为列错位了所以超过了长度限制"}, nil,
			[]FieldError{{7, "customer_type", "longer than 32 characters"}}},
	}
	for _, tt := range tests {
		got, errs := ValidateContact(7, tt.in)
		if !reflect.DeepEqual(got, tt.want) || !reflect.DeepEqual(errs, tt.wantErrs) {
			t.Errorf("%s: got %+v %+v\nwant %+v %+v", tt.name, got, errs, tt.want, tt.wantErrs)
		}
	}
}

func TestMappingInputExtraCells(t *testing.T) {
	m, _ := NewMapping([]string{"姓名", "手机"}, nil)
	in := m.Input(Row{Line: 3, Cells: []string{"张三", "13800138000", "", "extra"}})
	want := ContactInput{Name: "张三", Phone: "13800138000", Attributes: map[string]string{"col_4": "extra"}}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("Input = %+v, want %+v", in, want)
	}
}

func TestCheckEmail(t *testing.T) {
	tests := map[string]string{
		"mgr@bank.example":           "mgr@bank.example",
		"a.b+c@sub.bank-x.cn":        "a.b+c@sub.bank-x.cn",
		"王经理 <wang@bank.example>":    "wang@bank.example",
		"mgr at bank":                "",
		"mgr@bank":                   "",
		"mgr@@bank.example":          "",
		".mgr@bank.example":          "",
		"mgr@-bank.example":          "",
		"\"odd local\"@bank.example": "",
	}
	for in, want := range tests {
		got := checkEmail(in, FieldManagerEmail, func(Field, string) {})
		if got != want {
			t.Errorf("checkEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAttributeLimits(t *testing.T) {
	many := map[string]string{}
	for i := 0; i < 101; i++ {
		many[fmt.Sprint("k", i)] = "v"
	}
	for _, c := range []struct {
		name  string
		attrs map[string]string
		want  []FieldError
	}{
		{"at the limits", map[string]string{strings.Repeat("键", 64): strings.Repeat("值", 1000)}, nil},
		{"too many keys", many, []FieldError{{7, "attributes", "101 attributes; the limit is 100 per contact (map extra columns to ignore)"}}},
		{"long value", map[string]string{"备注": strings.Repeat("值", 1001), "b": strings.Repeat("x", 1001)},
			[]FieldError{{7, "attributes.b", "1001 characters; the limit is 1000"}, {7, "attributes.备注", "1001 characters; the limit is 1000"}}},
		{"long key", map[string]string{strings.Repeat("k", 65): "v"},
			[]FieldError{{7, "attributes", `attribute name "kkkkkkkkkkkkkkkk"… is 65 characters; the limit is 64`}}},
	} {
		got, errs := ValidateContact(7, ContactInput{Phone: "13800138000", Attributes: c.attrs})
		if !reflect.DeepEqual(errs, c.want) || (got == nil) != (c.want != nil) {
			t.Errorf("%s: got %v, errors %v, want %v", c.name, got != nil, errs, c.want)
		}
	}
}

func TestMappingCheckAttributeLimits(t *testing.T) {
	header := []string{"手机"}
	for i := 0; i < 101; i++ {
		header = append(header, fmt.Sprint("列", i))
	}
	m, _ := NewMapping(header, nil)
	if err := m.Check(); err == nil || !strings.Contains(err.Error(), "101 columns would be kept as attributes, the limit is 100") {
		t.Errorf("101 attribute columns: %v", err)
	}
	m, _ = NewMapping([]string{"手机", strings.Repeat("长", 65)}, nil)
	if err := m.Check(); err == nil || !strings.Contains(err.Error(), "column 2: the attribute name is 65 characters, the limit is 64") {
		t.Errorf("long header: %v", err)
	}
}
