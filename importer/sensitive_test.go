package importer

import (
	"reflect"
	"strings"
	"testing"
)

func TestHeaderAndContentSensitivity(t *testing.T) {
	for h, want := range map[string]Sensitivity{
		"证件号码": SensitiveID, "身份证": SensitiveID, "身份证号": SensitiveID, "idcard": SensitiveID, "id_no": SensitiveID,
		"ID Number": SensitiveID, "手机": SensitivePhone, "电话2": SensitivePhone, "mobile2": SensitivePhone,
		"phone2": SensitivePhone, "Tel": SensitivePhone, "联系方式": SensitivePhone, "备注": "", "余额": "", "": "",
	} {
		if got := headerSensitivity(h); got != want {
			t.Errorf("headerSensitivity(%q) = %q, want %q", h, got, want)
		}
	}
	for _, c := range []struct {
		values []string
		want   Sensitivity
	}{
		{[]string{"110101199003071233", "11010119900307109X", ""}, SensitiveID},
		{[]string{"110101199003071234", "11010119900307109X", "x"}, ""}, // bad check digit: 1 of 3
		{[]string{"13800138000", "021-61234567", "n/a"}, SensitivePhone},
		{[]string{"1200.50", "300", "13800138000"}, ""},
		{[]string{"", ""}, ""},
	} {
		if got := contentSensitivity(c.values); got != c.want {
			t.Errorf("contentSensitivity(%q) = %q, want %q", c.values, got, c.want)
		}
	}
}

func TestSampledMapping(t *testing.T) {
	sample := []Row{
		{Line: 2, Cells: []string{"张伟", "13800138000", "110101199003071233", "13900139000", "老客户", "11010119900307109X"}},
		{Line: 3, Cells: []string{"李娜", "13700137000", "11010119900307109X", "13600136000", ""}},
	}
	for _, c := range []struct {
		name      string
		header    []string
		user      string
		want      []string
		sensitive []string
	}{
		{"unknown headers judged by content", []string{"客户", "号码", "编号", "联络", "备注"}, "",
			[]string{"attr:客户", "phone", "id_number", "attr:联络", "attr:备注", "attr:col_6"}, []string{"联络", "col_6"}},
		{"证件号码 with a line break", []string{"姓名", "手机", "证件\n号码", "紧急联系人", "备注"}, "",
			[]string{"name", "phone", "id_number", "attr:紧急联系人", "attr:备注", "attr:col_6"}, []string{"紧急联系人", "col_6"}},
		{"user renames a sensitive column", []string{"姓名", "手机", "证件号码", "紧急联系人", "备注"}, `{"紧急联系人":"attributes.contact"}`,
			[]string{"name", "phone", "id_number", "attr:contact", "attr:备注", "attr:col_6"}, []string{"contact", "col_6"}},
		{"user maps ID elsewhere", []string{"姓名", "手机", "证件号码", "紧急联系人", "备注"}, `{"证件号码":"attributes.证件"}`,
			[]string{"name", "phone", "attr:证件", "attr:紧急联系人", "attr:备注", "attr:col_6"}, []string{"证件", "紧急联系人", "col_6"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := NewSampledMapping(c.header, sample, []byte(c.user))
			if err != nil {
				t.Fatal(err)
			}
			if got := fields(m); !reflect.DeepEqual(got, c.want) {
				t.Errorf("fields %q, want %q", got, c.want)
			}
			if got := m.SensitiveAttributes(); !reflect.DeepEqual(got, c.sensitive) {
				t.Errorf("sensitive %q, want %q", got, c.sensitive)
			}
		})
	}
}

func TestSensitiveInputs(t *testing.T) {
	in := []ContactInput{
		{Attributes: map[string]string{"idcard": "", "联系人": "13900139000", "备注": "VIP", "合同号": "HT-001"}},
		{Attributes: map[string]string{"mobile2": "x", "联系人": "021-61234567", "备注": "13800138000"}},
	}
	if got := strings.Join(SensitiveInputs(in), ","); got != "idcard,mobile2,联系人" {
		t.Errorf("SensitiveInputs = %s", got)
	}
}

func TestSampleReplaysRows(t *testing.T) {
	const file = "姓名,手机\n甲,13800138000\n乙,13900139000\n丙,13700137000\n"
	src, err := Open(strings.NewReader(file), int64(len(file)), "a.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	src, sample := Sample(src, 2)
	rows, err := Preview(src, 10)
	if len(sample) != 2 || err != nil || len(rows) != 3 || rows[0].Line != 2 || rows[2].Cells[0] != "丙" {
		t.Fatalf("sample %v, rows %v %v", sample, rows, err)
	}
}
