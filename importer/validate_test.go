package importer

import (
	"reflect"
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
		got := checkEmail(in, func(Field, string) {})
		if got != want {
			t.Errorf("checkEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
