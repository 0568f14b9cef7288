package api

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMask(t *testing.T) {
	cases := []struct {
		in, want string
		id       bool
	}{
		{"+8613800138000", "138****8000", false},
		{"+861012345678", "101***5678", false},
		{"12345", "*****", false},
		{"110101199003071234", "110101********1234", true},
		{"11010119900307123X", "110101********123X", true},
	}
	for _, c := range cases {
		got := maskPhone(c.in)
		if c.id {
			got = maskID(c.in)
		}
		if got != c.want {
			t.Errorf("mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMaskAttrAndDigits(t *testing.T) {
	for _, c := range []struct{ fn, in, want string }{
		{"attr", "13900139000", "139****9000"},
		{"attr", "+86 139-0013-9000", "139****9000"},
		{"attr", "11010119900307109x", "110101********109X"},
		{"attr", "VIP客户", "V***户"},
		{"attr", "ab", "**"},
		{"attr", "", ""},
		{"digits", "1391234567: a mobile number has 11 digits, got 10", "139***4567: a mobile number has 11 digits, got 10"},
		{"digits", "birth date 19900307 is not a real date", "birth date 19****07 is not a real date"},
		{"digits", "row 12: 110101199003071234 and 123456", "row 12: 110***********1234 and 123456"},
		{"digits", "11010119900307109X，手机13800138000", "110***********109X，手机138****8000"},
	} {
		got := maskDigits(c.in)
		if c.fn == "attr" {
			got = maskAttr(c.in)
		}
		if got != c.want {
			t.Errorf("%s(%q) = %q, want %q", c.fn, c.in, got, c.want)
		}
	}
}

func TestUploadName(t *testing.T) {
	long := strings.Repeat("客", 5000) + ".xlsx"
	for _, c := range []struct{ in, want string }{
		{"客户.xlsx", "客户.xlsx"},
		{`C:\Users\王\Desktop\名单.csv`, "名单.csv"},
		{"../../etc/passwd", "passwd"},
		{"a\u202Egpj.exe\x00.csv", "agpj.exe.csv"},
		{".xlsx", "upload.xlsx"},
		{"", "upload"},
		{long, strings.Repeat("客", 82) + "….xlsx"},
	} {
		got := uploadName(c.in)
		if got != c.want || len(got) > maxFilenameLen || !utf8.ValidString(got) {
			t.Errorf("uploadName(%.40q) = %q (%d bytes), want %q", c.in, got, len(got), c.want)
		}
	}
}
