package importer

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// fields lists the mapped field of each column, attributes as "attr:key".
func fields(m Mapping) []string {
	var out []string
	for _, c := range m.Columns {
		if c.Field == FieldAttribute {
			out = append(out, "attr:"+c.Attribute)
			continue
		}
		out = append(out, string(c.Field))
	}
	return out
}

func TestDetectMapping(t *testing.T) {
	tests := []struct {
		header []string
		want   []string
	}{
		{[]string{"客户姓名", "手机号码", "备用电话", "身份证号码", "客户类型", "客户经理邮箱", "账户余额"},
			[]string{"name", "phone", "alt_phone", "id_number", "customer_type", "manager_email", "attr:账户余额"}},
		{[]string{"Name", "Mobile", "Alt Phone", "ID_Number", "Customer Type", "manager_email"},
			[]string{"name", "phone", "alt_phone", "id_number", "customer_type", "manager_email"}},
		{[]string{"姓名", "联系电话", "手机"}, // second phone-like column becomes alt_phone
			[]string{"name", "phone", "alt_phone"}},
		{[]string{"手机号码（必填）", "证件号码*", "客户经理姓名", "客户经理电话", "客户名称"},
			[]string{"phone", "id_number", "attr:客户经理姓名", "attr:客户经理电话", "name"}},
		{[]string{"序号", "借款人姓名", "借款人手机", "紧急联系人电话", ""},
			[]string{"attr:序号", "name", "phone", "alt_phone", "attr:col_5"}},
		{[]string{"phone", "phone"}, []string{"phone", "alt_phone"}},
	}
	for _, tt := range tests {
		m, err := NewMapping(tt.header, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := fields(m); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("NewMapping(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestUserMapping(t *testing.T) {
	header := []string{"户主", "联系方式", "手机", "备注", "余额"}
	tests := []struct {
		user    string
		want    []string
		wantErr string
	}{
		{``, []string{"attr:户主", "phone", "alt_phone", "attr:备注", "attr:余额"}, ""},
		// Explicit phone moves phone off the recognised column.
		{`{"户主":"name","手机":"phone","5":"attributes.balance","备注":"ignore"}`,
			[]string{"name", "attr:联系方式", "phone", "ignore", "attr:balance"}, ""},
		{`{"1":"name"}`, []string{"name", "phone", "alt_phone", "attr:备注", "attr:余额"}, ""},
		{`{"联系方式":"alt_phone","手机":"phone"}`, []string{"attr:户主", "alt_phone", "phone", "attr:备注", "attr:余额"}, ""},
		{`{"户主":"nickname"}`, nil, `unknown field "nickname"`},
		{`{"地址":"name"}`, nil, `no column "地址"`},
		{`{"9":"name"}`, nil, `no column "9"`},
		{`{"户主":"phone","手机":"phone"}`, nil, "both mapped to phone"},
		{`["phone"]`, nil, "not a JSON object"},
	}
	for _, tt := range tests {
		m, err := NewMapping(header, []byte(tt.user))
		if tt.wantErr != "" {
			if !errors.Is(err, ErrBadMapping) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewMapping(%s) error = %v, want %q", tt.user, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("NewMapping(%s): %v", tt.user, err)
		}
		if got := fields(m); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("NewMapping(%s) = %q, want %q", tt.user, got, tt.want)
		}
	}
}

func TestMappingCheck(t *testing.T) {
	m, _ := NewMapping([]string{"姓名", "地址"}, nil)
	if err := m.Check(); !errors.Is(err, ErrBadMapping) {
		t.Errorf("Check without phone = %v", err)
	}
	m, _ = NewMapping([]string{"姓名", "地址"}, []byte(`{"地址":"phone"}`))
	if err := m.Check(); err != nil {
		t.Errorf("Check with mapped phone = %v", err)
	}
}

func TestPreview(t *testing.T) {
	src, err := OpenFile("testdata/contacts.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rows, err := Preview(src, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Line != 2 || rows[2].Cells[0] != "王芳" {
		t.Errorf("Preview = %+v", rows)
	}
	// The source continues after the preview.
	next, err := src.Next()
	if err != nil || next.Line != 5 {
		t.Errorf("Next after preview = %+v, %v", next, err)
	}
}
